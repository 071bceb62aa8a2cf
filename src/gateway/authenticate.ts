// The gateway's authentication step. Every /api/v1 route needs an authenticated principal unless it
// is marked public. Two kinds of credentials:
// - a session cookie: writes must also echo the session's CSRF token in X-CSRF-Token (SameSite=Strict
//   stops most cross-site writes; the token stops the rest);
// - `Authorization: Bearer …` (API keys, OAuth access tokens): no CSRF token, since browsers never
//   attach it on their own.
// A session that still owes its second factor is "MFA pending": it may only reach the routes that
// complete MFA (config.allowMfaPending); everything else answers 401 PLAT_MFA_REQUIRED.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { HttpApp } from '../kernel/http/server.js';
import type { Principal, RequestContext } from '../kernel/context.js';
import { problem, sendProblem } from '../kernel/http/problem.js';

export const SESSION_COOKIE = 'platforma_session';

export interface Authentication {
  principal: Principal;
  /** The session's CSRF token: set for cookie sessions, whose writes must echo it. */
  csrfToken: string | null;
  expiresAt: Date | null;
  /** True while a session still owes its second factor. */
  mfaPending: boolean;
}

export interface Authenticators {
  /** Resolves a session cookie's token. */
  session(token: string): Promise<Authentication | undefined>;
  /** Resolves a bearer token (API key or OAuth access token); absent until those exist. */
  bearer?(token: string, request: FastifyRequest): Promise<Authentication | undefined>;
  /** Benchmark only (config.insecureNoAuth): what a request without credentials acts as. Absent otherwise. */
  insecureNoAuth?: Authentication;
}

declare module 'fastify' {
  interface FastifyRequest {
    authentication?: Authentication;
  }
  interface FastifyContextConfig {
    /** Reachable by a session that has not completed MFA yet (the MFA step itself, sign-out). */
    allowMfaPending?: boolean;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const BEARER = /^Bearer ([\x21-\x7e]{8,4096})$/i;

function sameToken(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export function requestContext(request: FastifyRequest): RequestContext {
  const authentication = request.authentication;
  // A half-signed-in session reaches only the MFA routes, which read the principal themselves.
  const principal = authentication && !authentication.mfaPending ? authentication.principal : null;
  return { principal, requestId: String(request.id), sourceIp: request.ip };
}

export function registerAuthentication(app: HttpApp, authenticators: Authenticators): void {
  app.addHook('onRequest', async (request, reply) => {
    // Web app files and operational endpoints never need credentials: skip the lookup for them.
    if (!request.url.startsWith('/api/')) return;
    const header = request.headers.authorization;
    const cookie = request.cookies[SESSION_COOKIE];
    if (header !== undefined) {
      const bearer = BEARER.exec(header);
      if (!bearer?.[1] || !authenticators.bearer) {
        return sendProblem(reply, problem(request, 'PLAT_UNAUTHENTICATED', 'The Authorization header must be "Bearer <API key or access token>".'));
      }
      request.authentication = await authenticators.bearer(bearer[1], request);
      if (!request.authentication) return sendProblem(reply, problem(request, 'PLAT_UNAUTHENTICATED', 'The bearer credential is unknown, expired or revoked.'));
    } else if (cookie) {
      request.authentication = await authenticators.session(cookie);
    } else if (authenticators.insecureNoAuth) {
      request.authentication = authenticators.insecureNoAuth;
    }
    const config = request.routeOptions.config;
    if (request.routeOptions.url === undefined || config.public) return;
    const authentication = request.authentication;
    if (!authentication) {
      return sendProblem(reply, problem(request, 'PLAT_UNAUTHENTICATED', cookie ? 'The session has ended; sign in again.' : 'Sign in first.'));
    }
    if (authentication.mfaPending && !config.allowMfaPending) {
      return sendProblem(reply, problem(request, 'PLAT_MFA_REQUIRED', 'Complete multi-factor authentication first (POST /api/v1/auth/mfa/verify).'));
    }
    if (authentication.csrfToken !== null && !SAFE_METHODS.has(request.method)) {
      const sent = request.headers['x-csrf-token'];
      if (typeof sent !== 'string' || !sameToken(sent, authentication.csrfToken)) {
        return sendProblem(reply, problem(request, 'PLAT_CSRF_TOKEN_INVALID', 'Writes authenticated by the session cookie must send the X-CSRF-Token from GET /api/v1/auth/session.'));
      }
    }
  });
}

/** Who owns Idempotency-Keys sent on this request: the credential's subject. */
export function idempotencyPrincipal(request: FastifyRequest): string | undefined {
  const principal = request.authentication?.principal;
  return principal ? `${principal.method}:${principal.subjectId}` : undefined;
}
