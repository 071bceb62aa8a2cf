// Authorisation at the service layer, deny by default. Every route declares the action it needs;
// a service asks `authorize(context, action, resource)` before touching data, naming the resource
// (`prn:<tenant>:<type>/<id>`). The decision is the policy engine's over the principal's policies,
// with `${tenant}` bound to the caller's active tenant and `${user}` to the caller.
import type { RequestContext } from '../context.js';
import { ForbiddenError, UnauthenticatedError } from '../errors.js';
import { evaluate, actionMatches, type AuthzRequest, type Decision, type Policy } from './policy.js';
import { isPlatformOnly } from './platform-actions.js';

export type Action = `${string}:${string}`;

/** The resource name of a thing: `prn:<tenant>:<type>/<id>`; tenant 'platform' for platform-level things. */
export function resourceName(tenantId: string, type: string, id: string): string {
  return `prn:${tenantId}:${type}/${id}`;
}

export const PLATFORM = 'platform';

/**
 * What impersonation can never be used for (the impersonated person's credentials, starting another
 * impersonation …): refused here, for every service, whatever the resource and whatever the
 * person's own policies allow. The module that owns those actions lists them in its manifest
 * (`authorization.deniedWhileImpersonating`); the registry adds them before anything is authorized.
 */
const deniedWhileImpersonating: string[] = [];

export function registerDeniedWhileImpersonating(patterns: readonly string[]): void {
  for (const pattern of patterns) if (!deniedWhileImpersonating.includes(pattern)) deniedWhileImpersonating.push(pattern);
}

/** Every registered action pattern refused to an impersonated principal. */
export function actionsDeniedWhileImpersonating(): readonly string[] {
  return deniedWhileImpersonating;
}
const IMPERSONATION_GUARD = { policy: 'impersonation', sid: 'no-credential-changes-while-impersonating', effect: 'deny' as const };

export function explain(context: RequestContext, action: Action, resource: string): Decision {
  const principal = context.principal;
  if (!principal) return { allowed: false, reason: 'implicit-deny', matched: [] };
  if (principal.impersonator && deniedWhileImpersonating.some((pattern) => actionMatches(pattern, action))) {
    return { allowed: false, reason: 'explicit-deny', matched: [IMPERSONATION_GUARD] };
  }
  // A scoped credential (API key, OAuth token) can only narrow what its holder may do.
  if (principal.scopes !== null && !principal.scopes.some((scope) => actionMatches(scope, action))) {
    return { allowed: false, reason: 'implicit-deny', matched: [] };
  }
  return decide(principal.policies, {
    action,
    resource,
    context: { mfa: principal.mfa, sourceIp: context.sourceIp },
    variables: { tenant: principal.tenantId ?? '', user: principal.userId },
  });
}

const PLATFORM_ONLY_GUARD = { policy: 'platform-only', sid: 'operator-decision', effect: 'deny' as const };

/**
 * The policy engine's decision, except that an operator's decision (a platform-only action: quotas,
 * tenant status, catalog, approvals …) is allowed by a platform role's policy or not at all:
 * whatever a tenant role, built-in or custom, says about it is not asked.
 */
export function decide(policies: Policy[], request: AuthzRequest): Decision {
  if (!isPlatformOnly(request.action)) return evaluate(policies, request);
  const platformPolicies = policies.filter((policy) => policy.platform === true);
  if (platformPolicies.length === 0) return { allowed: false, reason: 'explicit-deny', matched: [PLATFORM_ONLY_GUARD] };
  return evaluate(platformPolicies, request);
}

export function authorize(context: RequestContext, action: Action, resource: string): void {
  if (!context.principal) throw new UnauthenticatedError('Sign in first.');
  const decision = explain(context, action, resource);
  if (!decision.allowed) {
    throw new ForbiddenError(`You may not perform ${action} on ${resource}.`, { action, resource, reason: decision.reason });
  }
}

/** True when the caller is platform staff: their work runs in platform scope (across tenants). */
export function isPlatformStaff(context: RequestContext): boolean {
  return Boolean(context.principal?.platformRole);
}
