// Whom mail about business goes to, for modules that write such mail (orders' notifications):
// the people of a tenant and the platform's staff, as addresses. Identity answers; the caller
// decides what to say. Read in the caller's transaction (an event handler's, in platform scope).
import type { Tx } from '../../../kernel/db/database.js';
import { PLATFORM_ROLES } from '../../../kernel/context.js';
import { evaluate } from '../../../kernel/authz/policy.js';
import { IdentityRepository } from '../accounts/repository.js';
import { PLATFORM_ROLE_POLICIES } from './builtin-roles.js';

export interface Contacts {
  /**
   * Where mail about something a person did in a tenant goes: that person, while they are still a
   * member of it; otherwise (they left, or no person acted: a service key) the tenant's owners.
   */
  tenantContacts(tx: Tx, tenantId: string, userId: string | null): Promise<string[]>;
  /**
   * The staff whose platform role allows an action on a resource (decided by the same policies the
   * API enforces, for a session that completed MFA, as staff sessions must), by address.
   */
  staffAllowedTo(tx: Tx, action: string, resource: string): Promise<string[]>;
}

export class ContactDirectory implements Contacts {
  readonly #repository = new IdentityRepository();

  async tenantContacts(tx: Tx, tenantId: string, userId: string | null): Promise<string[]> {
    const person = userId ? await this.#repository.memberEmail(tx, tenantId, userId) : undefined;
    return person ? [person] : this.#repository.memberEmailsWithRole(tx, tenantId, 'owner');
  }

  async staffAllowedTo(tx: Tx, action: string, resource: string): Promise<string[]> {
    const roles = PLATFORM_ROLES.filter(
      (role) => evaluate([{ name: `platform:${role}`, statements: PLATFORM_ROLE_POLICIES[role], platform: true }], { action, resource, context: { mfa: true, sourceIp: '127.0.0.1' } }).allowed,
    );
    return this.#repository.staffEmailsWithRoles(tx, roles);
  }
}
