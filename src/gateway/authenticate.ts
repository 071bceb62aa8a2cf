// The gateway's authentication step. Every /api/v1 route needs an authenticated principal unless it
// is marked public. Two kinds of credentials:
// - a session cookie: writes must also echo the session's CSRF token in X-CSRF-Token (SameSite=Strict
//   stops most cross-site writes; the token stops the rest);
// - `Authorization: Bearer …` (API keys, OAuth access tokens): no CSRF token, since browsers never
//   attach it on their own.
// A session may be *restricted*: it still owes its second factor (mfa_verify), must enrol one before
// anything else (mfa_enroll: MFA is mandatory for staff and for some tenants), or must change an
// expired password (password_change). A restricted session reaches only the routes whose
// config.allowRestricted lists its restriction; everything else answers 401 PLAT_MFA_REQUIRED or
// 403 PLAT_PASSWORD_CHANGE_REQUIRED. One mechanism for every half-signed-in state.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { HttpApp } from './http/server.js';
import { SESSION_COOKIE, type Authenticators } from '../kernel/authentication.js';
import { restrictionAllowed } from '../kernel/api/routes.js';
import { problem, sendProblem } from './http/problem.js';
import { isId } from '../kernel/ids.js';
import { statusVerdict, type TenantStatus } from './tenant-status.js';

export { SESSION_COOKIE };

export interface GatewayAuthenticators extends Authenticators {
  /** The status of a tenant (undefined: no such tenant), from a cache kept right by the database. */
  tenantStatus?(tenantId: string): Promise<TenantStatus | undefined>;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const BEARER = /^Bearer ([\x21-\x7e]{8,4096})$/i;

function sameToken(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

const RESTRICTED_ANSWERS = {
  mfa_verify: ['PLAT_MFA_REQUIRED', 'Complete multi-factor authentication first (POST /api/v1/auth/mfa/verify).'],
  mfa_enroll: ['PLAT_MFA_REQUIRED', 'Multi-factor authentication is mandatory for this account: enrol first (POST /api/v1/me/mfa/totp).'],
  password_change: ['PLAT_PASSWORD_CHANGE_REQUIRED', 'The password has expired: change it first (POST /api/v1/me/password).'],
} as const;

export function registerAuthentication(app: HttpApp, authenticators: GatewayAuthenticators): void {
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
      request.authentication = await authenticators.bearer(bearer[1]);
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
    if (authentication.restriction !== null && !restrictionAllowed(request, authentication.restriction)) {
      const [code, detail] = RESTRICTED_ANSWERS[authentication.restriction];
      return sendProblem(reply, problem(request, code, detail, { restriction: authentication.restriction }));
    }
    if (authentication.csrfToken !== null && !SAFE_METHODS.has(request.method)) {
      const sent = request.headers['x-csrf-token'];
      if (typeof sent !== 'string' || !sameToken(sent, authentication.csrfToken)) {
        return sendProblem(reply, problem(request, 'PLAT_CSRF_TOKEN_INVALID', 'Writes authenticated by the session cookie must send the X-CSRF-Token from GET /api/v1/auth/session.'));
      }
    }
    // The tenant's status bites here, once for every route, by the action the route declares.
    const tenantId = authentication.principal.tenantId;
    if (tenantId !== null && config.action && authenticators.tenantStatus) {
      const tenantStatus = await authenticators.tenantStatus(tenantId);
      const verdict = statusVerdict(authentication.principal, tenantStatus, config.action);
      if (!verdict.allowed) {
        return sendProblem(reply, problem(request, verdict.httpStatus === 401 ? 'PLAT_UNAUTHENTICATED' : 'PLAT_TENANT_NOT_ACTIVE', verdict.detail, { tenantId, tenantStatus }));
      }
    }
  });

  // A request may name another tenant than the one its credential works in (a partner acting on a
  // customer, a personal key made for another of the person's tenants): that tenant's status bites
  // too. Its id is in the path, the query or the body, so this runs once they are parsed.
  app.addHook('preHandler', async (request, reply) => {
    const authentication = request.authentication;
    const action = request.routeOptions.config?.action;
    if (!authentication || !action || !authenticators.tenantStatus || request.routeOptions.config.public) return;
    for (const tenantId of tenantsNamedBy(request)) {
      if (tenantId === authentication.principal.tenantId) continue;
      const tenantStatus = await authenticators.tenantStatus(tenantId);
      // An unknown tenant is the route's to answer (404), as for any id that names nothing.
      if (tenantStatus === undefined) continue;
      const verdict = statusVerdict(authentication.principal, tenantStatus, action, false);
      if (!verdict.allowed) return sendProblem(reply, problem(request, 'PLAT_TENANT_NOT_ACTIVE', verdict.detail, { tenantId, tenantStatus }));
    }
  });
}

/** Tenant ids a request names: path parameters, and `tenantId` in the query or the body. */
function tenantsNamedBy(request: FastifyRequest): Set<string> {
  const named = new Set<string>();
  const candidates = [...Object.values((request.params ?? {}) as Record<string, unknown>), (request.query as { tenantId?: unknown } | undefined)?.tenantId, (request.body as { tenantId?: unknown } | undefined)?.tenantId];
  for (const value of candidates) if (typeof value === 'string' && isId('tenant', value)) named.add(value);
  return named;
}

/** Who owns Idempotency-Keys sent on this request: the credential's subject. */
export function idempotencyPrincipal(request: FastifyRequest): string | undefined {
  const principal = request.authentication?.principal;
  return principal ? `${principal.method}:${principal.subjectId}` : undefined;
}
