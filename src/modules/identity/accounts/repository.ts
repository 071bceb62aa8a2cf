// All SQL of the identity module.
import type { Db, Tx } from '../../../kernel/db/database.js';
import type { PlatformRole } from '../../../kernel/context.js';
import type { Statement } from '../../../kernel/authz/policy.js';
import type { SessionRestriction } from '../../../kernel/authentication.js';
import { sql } from 'kysely';

export interface UserRow {
  id: string;
  email: string;
  password_hash: string | null;
  platform_role: PlatformRole | null;
  created_at: Date;
  updated_at: Date;
  email_verified_at: Date | null;
  password_changed_at: Date | null;
  /** Chosen by the person on their profile; absent until then. */
  display_name?: string | null;
}

export interface SessionRow {
  id: string;
  token_hash: string;
  csrf_token: string;
  user_id: string;
  created_at: Date;
  expires_at: Date;
  last_seen_at: Date;
  revoked_at: Date | null;
  user_agent: string | null;
  source_ip: string | null;
  active_tenant_id: string | null;
  mfa_verified_at: Date | null;
  /** The step the session owes before it may do anything else (see gateway/authenticate.ts). */
  restriction: SessionRestriction | null;
  /** Set while the session's user (staff) impersonates someone. */
  impersonation_id: string | null;
  /** Tenants whose password policy the password this session signed in with does not meet. */
  password_refused_by: string[];
  /** The tenant whose identity provider vouched for this session's MFA (null: our own second factor, or none). */
  mfa_by_tenant: string | null;
}

export interface MembershipRow {
  tenant_id: string;
  user_id: string;
  role: string;
  created_at: Date;
}

export interface RoleRow {
  tenant_id: string;
  id: string;
  name: string;
  description: string;
  statements: Statement[];
  created_at: Date;
  updated_at: Date;
}

declare module '../../../kernel/db/tables.js' {
  interface Tables {
    'identity.users': UserRow;
    'identity.sessions': SessionRow;
    'identity.memberships': MembershipRow;
    'identity.roles': RoleRow;
  }
}

export type LiveSession = SessionRow & { email: string; display_name?: string | null; platform_role: PlatformRole | null };

const jsonb = (value: unknown) => sql<Statement[]>`${JSON.stringify(value)}::jsonb`;

export class IdentityRepository {
  // --- users -------------------------------------------------------------------------------------
  async findUserByEmail(tx: Tx | Db, email: string): Promise<UserRow | undefined> {
    return tx.selectFrom('identity.users').selectAll().where('email', '=', email).executeTakeFirst();
  }

  async findUser(tx: Tx | Db, userId: string): Promise<UserRow | undefined> {
    return tx.selectFrom('identity.users').selectAll().where('id', '=', userId).executeTakeFirst();
  }

  async setDisplayName(tx: Tx, userId: string, displayName: string | null, at: Date): Promise<void> {
    await tx.updateTable('identity.users').set({ display_name: displayName, updated_at: at }).where('id', '=', userId).execute();
  }

  async insertUser(tx: Tx, user: UserRow): Promise<void> {
    await tx.insertInto('identity.users').values(user).execute();
  }

  async countPlatformAdmins(db: Db | Tx): Promise<number> {
    const row = await db
      .selectFrom('identity.users')
      .select((eb) => eb.fn.countAll<bigint>().as('n'))
      .where('platform_role', '=', 'platform-admin')
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  // --- contacts (whom mail about a tenant's or the platform's business goes to) -------------------
  /** The person's address if they are still a member of the tenant. */
  async memberEmail(tx: Tx, tenantId: string, userId: string): Promise<string | undefined> {
    const row = await tx
      .selectFrom('identity.memberships as m')
      .innerJoin('identity.users as u', 'u.id', 'm.user_id')
      .select('u.email')
      .where('m.tenant_id', '=', tenantId)
      .where('m.user_id', '=', userId)
      .executeTakeFirst();
    return row?.email;
  }

  /** The addresses of the members holding one role in a tenant, in the order they joined. */
  async memberEmailsWithRole(tx: Tx, tenantId: string, role: string): Promise<string[]> {
    const rows = await tx
      .selectFrom('identity.memberships as m')
      .innerJoin('identity.users as u', 'u.id', 'm.user_id')
      .select('u.email')
      .where('m.tenant_id', '=', tenantId)
      .where('m.role', '=', role)
      .orderBy('m.created_at')
      .orderBy('u.email')
      .execute();
    return rows.map((row) => row.email);
  }

  /** The addresses of the staff holding any of these platform roles, by address. */
  async staffEmailsWithRoles(tx: Tx, roles: readonly PlatformRole[]): Promise<string[]> {
    if (roles.length === 0) return [];
    const rows = await tx.selectFrom('identity.users').select('email').where('platform_role', 'in', roles).orderBy('email').execute();
    return rows.map((row) => row.email);
  }

  // --- sessions ----------------------------------------------------------------------------------
  async insertSession(tx: Tx, session: SessionRow): Promise<void> {
    await tx.insertInto('identity.sessions').values(session).execute();
  }

  /** The live session for a token hash (not revoked, not past its absolute or idle timeout), with its user, in one round trip. */
  async findLiveSession(db: Db | Tx, tokenHash: string, now: Date, idleSince: Date): Promise<LiveSession | undefined> {
    return db
      .selectFrom('identity.sessions as s')
      .innerJoin('identity.users as u', 'u.id', 's.user_id')
      .selectAll('s')
      .select(['u.email', 'u.display_name', 'u.platform_role'])
      .where('s.token_hash', '=', tokenHash)
      .where('s.revoked_at', 'is', null)
      .where('s.expires_at', '>', now)
      .where('s.last_seen_at', '>', idleSince)
      .executeTakeFirst();
  }

  async findSession(tx: Tx | Db, sessionId: string): Promise<SessionRow | undefined> {
    return tx.selectFrom('identity.sessions').selectAll().where('id', '=', sessionId).executeTakeFirst();
  }

  async touchSession(db: Db, sessionId: string, at: Date): Promise<void> {
    await db.updateTable('identity.sessions').set({ last_seen_at: at }).where('id', '=', sessionId).execute();
  }

  /** Moves a session to another tenant, with what it owes there. */
  async setActiveTenant(tx: Tx, sessionId: string, tenantId: string, restriction: SessionRestriction | null): Promise<void> {
    await tx.updateTable('identity.sessions').set({ active_tenant_id: tenantId, restriction }).where('id', '=', sessionId).execute();
  }

  async revokeSession(tx: Tx, sessionId: string, at: Date): Promise<void> {
    await tx.updateTable('identity.sessions').set({ revoked_at: at }).where('id', '=', sessionId).where('revoked_at', 'is', null).execute();
  }

  /** Ends a user's sessions working in one tenant; returns how many. */
  async revokeSessionsInTenant(tx: Tx, userId: string, tenantId: string, at: Date): Promise<number> {
    const result = await tx
      .updateTable('identity.sessions')
      .set({ revoked_at: at })
      .where('user_id', '=', userId)
      .where('active_tenant_id', '=', tenantId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  // --- memberships (RLS: run in the tenant's or platform scope) ----------------------------------
  async findMembership(tx: Tx, tenantId: string, userId: string): Promise<MembershipRow | undefined> {
    return tx.selectFrom('identity.memberships').selectAll().where('tenant_id', '=', tenantId).where('user_id', '=', userId).executeTakeFirst();
  }

  async membershipsOfUser(tx: Tx, userId: string): Promise<MembershipRow[]> {
    return tx.selectFrom('identity.memberships').selectAll().where('user_id', '=', userId).orderBy('created_at').execute();
  }

  async listMembers(tx: Tx, tenantId: string): Promise<(MembershipRow & { email: string; display_name?: string | null })[]> {
    return tx
      .selectFrom('identity.memberships as m')
      .innerJoin('identity.users as u', 'u.id', 'm.user_id')
      .selectAll('m')
      .select(['u.email', 'u.display_name'])
      .where('m.tenant_id', '=', tenantId)
      .orderBy('m.created_at')
      .execute();
  }

  async insertMembership(tx: Tx, membership: MembershipRow): Promise<void> {
    await tx.insertInto('identity.memberships').values(membership).execute();
  }

  async updateMembershipRole(tx: Tx, tenantId: string, userId: string, role: string): Promise<void> {
    await tx.updateTable('identity.memberships').set({ role }).where('tenant_id', '=', tenantId).where('user_id', '=', userId).execute();
  }

  async deleteMembership(tx: Tx, tenantId: string, userId: string): Promise<void> {
    await tx.deleteFrom('identity.memberships').where('tenant_id', '=', tenantId).where('user_id', '=', userId).execute();
  }

  /**
   * Counts the tenant's owners with their rows locked until the transaction ends, so two owners
   * demoting or removing each other at once are decided one after the other (the second sees one
   * owner left) instead of both passing the check and leaving the tenant without an owner.
   */
  async lockOwnersAndCount(tx: Tx, tenantId: string): Promise<number> {
    const rows = await tx.selectFrom('identity.memberships').select('user_id').where('tenant_id', '=', tenantId).where('role', '=', 'owner').orderBy('user_id').forUpdate().execute(); // one lock order for every caller
    return rows.length;
  }

  async countMembersWithRole(tx: Tx, tenantId: string, role: string): Promise<number> {
    const row = await tx
      .selectFrom('identity.memberships')
      .select((eb) => eb.fn.countAll<bigint>().as('n'))
      .where('tenant_id', '=', tenantId)
      .where('role', '=', role)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  // --- custom roles ------------------------------------------------------------------------------
  async listRoles(tx: Tx, tenantId: string): Promise<RoleRow[]> {
    return tx.selectFrom('identity.roles').selectAll().where('tenant_id', '=', tenantId).orderBy('name').execute();
  }

  async findRole(tx: Tx, tenantId: string, roleId: string): Promise<RoleRow | undefined> {
    return tx.selectFrom('identity.roles').selectAll().where('tenant_id', '=', tenantId).where('id', '=', roleId).executeTakeFirst();
  }

  async insertRole(tx: Tx, role: RoleRow): Promise<void> {
    await tx.insertInto('identity.roles').values({ ...role, statements: jsonb(role.statements) }).execute();
  }

  async updateRole(tx: Tx, role: RoleRow): Promise<void> {
    await tx
      .updateTable('identity.roles')
      .set({ name: role.name, description: role.description, statements: jsonb(role.statements), updated_at: role.updated_at })
      .where('tenant_id', '=', role.tenant_id)
      .where('id', '=', role.id)
      .execute();
  }

  async deleteRole(tx: Tx, tenantId: string, roleId: string): Promise<void> {
    await tx.deleteFrom('identity.roles').where('tenant_id', '=', tenantId).where('id', '=', roleId).execute();
  }
}
