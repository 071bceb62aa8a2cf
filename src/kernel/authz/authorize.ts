// Authorisation, deny by default. Every route declares the action it needs (`tenants:tenant.read`);
// services ask `authorize` before touching data. Today only platform administrators exist, and they
// may do everything; the identity issue replaces the decision with policies over actions and
// tenant-scoped resources without changing the callers.
import type { RequestContext } from '../context.js';
import { ForbiddenError, UnauthenticatedError } from '../errors.js';

export type Action = `${string}:${string}`;

export function authorize(context: RequestContext, action: Action): void {
  const principal = context.principal;
  if (!principal) throw new UnauthenticatedError('Sign in first.');
  if (principal.platformRole === 'platform-admin') return;
  throw new ForbiddenError(`You may not perform ${action}.`, { action });
}

/** True when the caller may act across tenants (lifts row-level security to platform scope). */
export function isPlatformStaff(context: RequestContext): boolean {
  return context.principal?.platformRole === 'platform-admin';
}
