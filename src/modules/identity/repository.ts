// All SQL of the identity module.
import type { Db, Tx } from '../../kernel/db/database.js';
import type { PlatformRole } from '../../kernel/context.js';

export interface UserRow {
  id: string;
  email: string;
  password_hash: string;
  platform_role: PlatformRole | null;
  created_at: Date;
  updated_at: Date;
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
}

declare module '../../kernel/db/tables.js' {
  interface Tables {
    'identity.users': UserRow;
    'identity.sessions': SessionRow;
  }
}

export class IdentityRepository {
  async findUserByEmail(tx: Tx | Db, email: string): Promise<UserRow | undefined> {
    return tx.selectFrom('identity.users').selectAll().where('email', '=', email).executeTakeFirst();
  }

  async insertUser(tx: Tx, user: UserRow): Promise<void> {
    await tx.insertInto('identity.users').values(user).execute();
  }

  async updatePassword(tx: Tx, userId: string, passwordHash: string, at: Date): Promise<void> {
    await tx.updateTable('identity.users').set({ password_hash: passwordHash, updated_at: at }).where('id', '=', userId).execute();
  }

  async countPlatformAdmins(db: Db | Tx): Promise<number> {
    const row = await db
      .selectFrom('identity.users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('platform_role', '=', 'platform-admin')
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async insertSession(tx: Tx, session: SessionRow): Promise<void> {
    await tx.insertInto('identity.sessions').values(session).execute();
  }

  /** The live session for a token hash, with its user, in one round trip. */
  async findLiveSession(db: Db, tokenHash: string, now: Date): Promise<(SessionRow & { email: string; platform_role: PlatformRole | null }) | undefined> {
    return db
      .selectFrom('identity.sessions as s')
      .innerJoin('identity.users as u', 'u.id', 's.user_id')
      .selectAll('s')
      .select(['u.email', 'u.platform_role'])
      .where('s.token_hash', '=', tokenHash)
      .where('s.revoked_at', 'is', null)
      .where('s.expires_at', '>', now)
      .executeTakeFirst();
  }

  async touchSession(db: Db, sessionId: string, at: Date): Promise<void> {
    await db.updateTable('identity.sessions').set({ last_seen_at: at }).where('id', '=', sessionId).execute();
  }

  async revokeSession(tx: Tx, sessionId: string, at: Date): Promise<void> {
    await tx.updateTable('identity.sessions').set({ revoked_at: at }).where('id', '=', sessionId).where('revoked_at', 'is', null).execute();
  }
}
