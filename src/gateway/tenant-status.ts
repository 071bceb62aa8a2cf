// What a tenant's status lets the people and programs of that tenant do, decided once, in the
// gateway, for every route by the action it declares (never route by route). Platform staff are
// not held back by a tenant's status: suspending, reactivating and terminating is their work.
//
// - active: everything their policies allow.
// - pending (created, not yet activated): what onboarding needs: reads, the person's own account,
//   and setting the organisation up (people, roles, keys, single sign-on, its name and settings).
// - suspended: read-only, the person's own account, taking access away (revoking keys, removing
//   members), and what paying needs to lift the suspension
//   (PAYING: empty until billing exists; the billing issue adds paying invoices and managing
//   payment methods there, and nowhere else).
// - terminated: bearer credentials (API keys, OAuth tokens) of the tenant are refused outright
//   (401); a person's session may still use their own account, switch to another tenant or sign
//   out (403 for everything else).
import { actionMatches } from '../kernel/authz/policy.js';
import type { Principal } from '../kernel/context.js';

export type TenantStatus = 'pending' | 'active' | 'suspended' | 'terminated';

/** Reading: every `.read` and `.list`, and the decisions that only look (explain, simulate, permissions). */
const READS = ['*:*.read', '*:*.list', 'identity:role.simulate', 'identity:self.explain'];

/** A person's own account and session: never a credential or a change for the tenant itself. */
const OWN_ACCOUNT = [
  'identity:self.read',
  'identity:self.update',
  'identity:self.password.*',
  'identity:self.mfa.*',
  'identity:self.email.*',
  'identity:self.api-key.list',
  'identity:self.api-key.delete',
  'identity:self.permissions.read',
  'identity:session.*',
  'identity:tenant.switch',
  // Staff impersonating someone of the tenant act as that person; ending it is always possible.
  'identity:impersonation.end',
];

const ONBOARDING = [
  'identity:member.*',
  'identity:invitation.*',
  'identity:role.*',
  'identity:identity-provider.*',
  'identity:authentication-settings.update',
  'identity:api-key.*',
  'identity:oauth-client.*',
  'identity:self.api-key.create',
  'tenants:tenant.update',
];

/** Taking access away stays possible: a leaked key or a departed person must not outlive a suspension. */
const REVOKING = ['identity:api-key.delete', 'identity:oauth-client.delete', 'identity:member.delete', 'identity:invitation.delete'];

/** What a suspended tenant may still do to pay its way back (billing adds its actions here). */
export const PAYING: readonly string[] = [];

export const ALLOWED_BY_STATUS: Record<Exclude<TenantStatus, 'active'>, readonly string[]> = {
  pending: [...READS, ...OWN_ACCOUNT, ...ONBOARDING],
  suspended: [...READS, ...OWN_ACCOUNT, ...REVOKING, ...PAYING],
  terminated: OWN_ACCOUNT,
};

export type StatusVerdict = { allowed: true } | { allowed: false; httpStatus: 401 | 403; detail: string };

/**
 * May this principal perform this action on a tenant of this status? `own`: the tenant the principal
 * works in (its credentials belong to it); otherwise a tenant the request names (a partner's
 * customer, a personal key's tenant), whose status bites the same way but whose termination is not
 * the credential's. A tenant that no longer exists allows nothing.
 */
export function statusVerdict(principal: Principal, status: TenantStatus | undefined, action: string, own = true): StatusVerdict {
  if (principal.platformRole !== null || status === 'active') return { allowed: true };
  if (status === undefined) return { allowed: false, httpStatus: 403, detail: 'The tenant does not exist any more.' };
  if (status === 'terminated' && own && principal.method !== 'session') {
    return { allowed: false, httpStatus: 401, detail: 'The tenant this credential belongs to is terminated: its API keys and tokens no longer work.' };
  }
  if (ALLOWED_BY_STATUS[status].some((pattern) => actionMatches(pattern, action))) return { allowed: true };
  const what: Record<Exclude<TenantStatus, 'active'>, string> = {
    pending: 'is pending activation: until the operator activates it, it can be set up and read, not used',
    suspended: 'is suspended: it can be read, but nothing in it can be changed until the operator reactivates it',
    terminated: 'is terminated: only your own account remains yours to use (switch to another organisation, or sign out)',
  };
  return { allowed: false, httpStatus: 403, detail: `The tenant ${what[status]} (${action}).` };
}
