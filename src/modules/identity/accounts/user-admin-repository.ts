// SQL of the staff's view of every account (platform scope: accounts belong to no tenant): the user
// list with search and the staff filter, and what the user page shows about one account.
import { sql } from 'kysely';
import type { Tx } from '../../../kernel/db/database.js';
import type { PlatformRole } from '../../../kernel/context.js';
import type { SessionListRow } from './security-repository.js';

export interface UserListRow {
  id: string;
  email: string;
  platform_role: PlatformRole | null;
  created_at: Date;
  email_verified_at: Date | null;
  mfa_enabled: boolean;
}

export interface UserFilter {
  /** Case-insensitive substring of the email. */
  search?: string;
  staffOnly?: boolean;
  beforeId?: string;
  limit: number;
}

export interface SignInAttemptsRow {
  key: string;
  points: number;
  /** int8 (ms since the epoch), read as bigint. */
  expire: bigint | null;
}

declare module '../../../kernel/db/tables.js' {
  interface Tables {
    'identity.sign_in_attempts': SignInAttemptsRow;
  }
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

export class UserAdminRepository {
  async list(tx: Tx, filter: UserFilter): Promise<UserListRow[]> {
    let query = tx
      .selectFrom('identity.users as u')
      .leftJoin('identity.totp_factors as f', 'f.user_id', 'u.id')
      .select(['u.id', 'u.email', 'u.platform_role', 'u.created_at', 'u.email_verified_at'])
      .select(sql<boolean>`f.confirmed_at is not null`.as('mfa_enabled'))
      .orderBy('u.id', 'desc')
      .limit(filter.limit);
    if (filter.staffOnly) query = query.where('u.platform_role', 'is not', null);
    if (filter.beforeId) query = query.where('u.id', '<', filter.beforeId);
    if (filter.search) query = query.where('u.email', 'like', `%${escapeLike(filter.search.toLowerCase())}%`);
    return query.execute();
  }

  /** The platform administrators, locked: concurrent demotions then see each other's outcome. */
  async lockPlatformAdmins(tx: Tx): Promise<string[]> {
    const rows = await tx.selectFrom('identity.users').select('id').where('platform_role', '=', 'platform-admin').forUpdate().execute();
    return rows.map((row) => row.id);
  }

  async setPlatformRole(tx: Tx, userId: string, role: PlatformRole | null, at: Date): Promise<void> {
    await tx.updateTable('identity.users').set({ platform_role: role, updated_at: at }).where('id', '=', userId).execute();
  }

  async hasConfirmedFactor(tx: Tx, userId: string): Promise<boolean> {
    const row = await tx.selectFrom('identity.totp_factors').select('confirmed_at').where('user_id', '=', userId).executeTakeFirst();
    return Boolean(row?.confirmed_at);
  }

  /** When the person last signed in: every sign-in starts a session. */
  async lastSignInAt(tx: Tx, userId: string): Promise<Date | null> {
    const row = await tx
      .selectFrom('identity.sessions')
      .select((eb) => eb.fn.max('created_at').as('at'))
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return (row?.at as Date | null | undefined) ?? null;
  }

  /** Live sessions with whether each is impersonating someone right now. */
  async liveSessions(tx: Tx, userId: string, now: Date, idleSince: Date): Promise<(SessionListRow & { impersonation_id: string | null })[]> {
    return tx
      .selectFrom('identity.sessions')
      .select(['id', 'created_at', 'last_seen_at', 'expires_at', 'user_agent', 'source_ip', 'restriction', 'impersonation_id'])
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now)
      .where('last_seen_at', '>', idleSince)
      .orderBy('created_at', 'desc')
      .execute();
  }

  /** The sign-in throttle's record of the account (rate-limiter-flexible keys: `account:<email>`). */
  async accountAttempts(tx: Tx, email: string): Promise<SignInAttemptsRow | undefined> {
    return tx.selectFrom('identity.sign_in_attempts').selectAll().where('key', '=', `account:${email}`).executeTakeFirst();
  }
}
