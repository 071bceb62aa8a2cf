// Decisions that belong to the operator of the platform, never to a tenant: what a tenant may use
// (quotas, tier), whether it may work at all (its status), what is sold and at what price, which
// orders go through, and who the staff are. A tenant role — built in or custom, however broad its
// statements (`*` on everything) — can never be granted these: only a platform role's policy may
// allow them (explain() in authorize.ts ignores every other policy for these actions).
//
// The list names actions, not routes, so a new route that reuses one is covered at once; a new
// operator decision needs its action added here (test/isolation/platform-actions.test.ts checks
// the list against every action the API declares and every tenant role).
import { actionMatches } from './policy.js';

export const PLATFORM_ONLY_ACTIONS: readonly string[] = [
  // The tenant itself: creation, limits, tier and status are the operator's to set.
  'tenants:tenant.create',
  'tenants:tenant.set_quotas',
  // Checked by the tenant update when it changes the domain (single sign-on trusts the domain).
  'tenants:tenant.set_domain',
  'tenants:tenant.activate',
  'tenants:tenant.suspend',
  'tenants:tenant.reactivate',
  'tenants:tenant.terminate',
  // What is sold, and at what price.
  'catalog:product.create',
  'catalog:product.update',
  'catalog:product.archive',
  'catalog:product.restore',
  'catalog:version.create',
  'catalog:version.update',
  'catalog:version.delete',
  'catalog:version.publish',
  'catalog:version.retire',
  'catalog:coupon.create',
  'catalog:coupon.archive',
  'catalog:coupon.list',
  'catalog:coupon.read',
  // Which orders go through, and reports from the provisioning side.
  'orders:order.approve',
  'orders:order.reject',
  'orders:order.fulfil',
  'orders:order.fail',
  'orders:approval-rule.*',
  // Staff, every account, support access and the platform's outgoing mail.
  'identity:user.*',
  'identity:staff.*',
  'identity:impersonation.start',
  // Making someone a member without their consent (the console's \`member add\`; tenants invite).
  'identity:member.attach',
  'notifications:mail.*',
];

export function isPlatformOnly(action: string): boolean {
  return PLATFORM_ONLY_ACTIONS.some((pattern) => actionMatches(pattern, action));
}
