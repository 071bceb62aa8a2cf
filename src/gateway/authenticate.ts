// The gateway's authentication step. Every /api/v1 route needs an authenticated principal unless it
// is marked public. A session cookie authenticates; writes made with it must echo the session's CSRF
// token in X-CSRF-Token (SameSite=Strict already stops most cross-site writes; the token stops the
// rest). Bearer credentials (API keys, OAuth tokens) arrive with the identity issue and need no token.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { HttpApp } from '../kernel/http/server.js';
import type { RequestContext } from '../kernel/context.js';
import { problem, sendProblem } from '../kernel/http/problem.js';

export const SESSION_COOKIE = 'platforma_session';

export interface AuthenticatedSession {
  principal: NonNullable<RequestContext['principal']>;
  csrfToken: string;
  expiresAt: Date;
}

export interface SessionResolver {
  resolveSession(token: string): Promise<AuthenticatedSession | undefined>;
}

declare module 'fastify' {
  interface FastifyRequest {
    session?: AuthenticatedSession;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function sameToken(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export function requestContext(request: FastifyRequest): RequestContext {
  return { principal: request.session?.principal ?? null, requestId: String(request.id), sourceIp: request.ip };
}

export function registerAuthentication(app: HttpApp, resolver: SessionResolver): void {
  app.addHook('onRequest', async (request, reply) => {
    // Web app files and operational endpoints never need the session: skip the lookup for them.
    if (!request.url.startsWith('/api/')) return;
    const token = request.cookies[SESSION_COOKIE];
    if (token) request.session = await resolver.resolveSession(token);
    const config = request.routeOptions.config;
    const matched = request.routeOptions.url !== undefined;
    if (!matched || config.public) return;
    if (!request.session) {
      return sendProblem(reply, problem(request, 'PLAT_UNAUTHENTICATED', token ? 'The session has ended; sign in again.' : 'Sign in first.'));
    }
    if (!SAFE_METHODS.has(request.method)) {
      const sent = request.headers['x-csrf-token'];
      if (typeof sent !== 'string' || !sameToken(sent, request.session.csrfToken)) {
        return sendProblem(reply, problem(request, 'PLAT_CSRF_TOKEN_INVALID', 'Writes authenticated by the session cookie must send the X-CSRF-Token from GET /api/v1/auth/session.'));
      }
    }
  });
}

/** Who owns Idempotency-Keys sent on this request. */
export function idempotencyPrincipal(request: FastifyRequest): string | undefined {
  return request.session?.principal.userId;
}
