// SQL for the second factor, recovery codes, email tokens and the session list. Platform-level
// tables (no tenant_id): callers run in platform scope.
import type { Db, Tx } from '../../../kernel/db/database.js';
import type { SessionRestriction } from '../../../kernel/authentication.js';

export interface TotpFactorRow {
  user_id: string;
  secret_ciphertext: string;
  confirmed_at: Date | null;
  /** int8, so a bigint (kernel/db/database.ts). */
  last_time_step: bigint | null;
  created_at: Date;
  /** The session that started a pending enrolment: the only one that may resume it (null once confirmed). */
  pending_session_id: string | null;
}

export interface RecoveryCodeRow {
  user_id: string;
  code_hash: string;
  used_at: Date | null;
  created_at: Date;
}

export type EmailTokenPurpose = 'password_reset' | 'email_verification';

export interface EmailTokenRow {
  id: string;
  user_id: string;
  purpose: EmailTokenPurpose;
  email: string;
  token_hash: string;
  created_at: Date;
  expires_at: Date;
  used_at: Date | null;
}

export interface SessionListRow {
  id: string;
  created_at: Date;
  last_seen_at: Date;
  expires_at: Date;
  user_agent: string | null;
  source_ip: string | null;
  restriction: SessionRestriction | null;
}

declare module '../../../kernel/db/tables.js' {
  interface Tables {
    'identity.totp_factors': TotpFactorRow;
    'identity.recovery_codes': RecoveryCodeRow;
    'identity.email_tokens': EmailTokenRow;
  }
}

export class CredentialsRepository {
  // --- TOTP --------------------------------------------------------------------------------------
  async findFactor(tx: Tx | Db, userId: string, options: { forUpdate?: boolean } = {}): Promise<TotpFactorRow | undefined> {
    let query = tx.selectFrom('identity.totp_factors').selectAll().where('user_id', '=', userId);
    if (options.forUpdate) query = query.forUpdate();
    return query.executeTakeFirst();
  }

  /** Starts (or restarts) an enrolment; a confirmed factor is never replaced this way. */
  async upsertPendingFactor(tx: Tx, factor: TotpFactorRow): Promise<void> {
    await tx
      .insertInto('identity.totp_factors')
      .values(factor)
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ secret_ciphertext: factor.secret_ciphertext, created_at: factor.created_at, last_time_step: null, pending_session_id: factor.pending_session_id }).where('identity.totp_factors.confirmed_at', 'is', null))
      .execute();
  }

  async confirmFactor(tx: Tx, userId: string, at: Date, timeStep: number): Promise<void> {
    await tx.updateTable('identity.totp_factors').set({ confirmed_at: at, last_time_step: BigInt(timeStep), pending_session_id: null }).where('user_id', '=', userId).execute();
  }

  async recordTimeStep(tx: Tx, userId: string, timeStep: number): Promise<void> {
    await tx.updateTable('identity.totp_factors').set({ last_time_step: BigInt(timeStep) }).where('user_id', '=', userId).execute();
  }

  async deleteFactor(tx: Tx, userId: string): Promise<void> {
    await tx.deleteFrom('identity.recovery_codes').where('user_id', '=', userId).execute();
    await tx.deleteFrom('identity.totp_factors').where('user_id', '=', userId).execute();
  }

  // --- recovery codes ----------------------------------------------------------------------------
  async replaceRecoveryCodes(tx: Tx, userId: string, hashes: string[], at: Date): Promise<void> {
    await tx.deleteFrom('identity.recovery_codes').where('user_id', '=', userId).execute();
    await tx
      .insertInto('identity.recovery_codes')
      .values(hashes.map((code_hash) => ({ user_id: userId, code_hash, used_at: null, created_at: at })))
      .execute();
  }

  /** Marks an unused code used; false when it does not exist or was used (also by a concurrent request). */
  async useRecoveryCode(tx: Tx, userId: string, hash: string, at: Date): Promise<boolean> {
    const result = await tx
      .updateTable('identity.recovery_codes')
      .set({ used_at: at })
      .where('user_id', '=', userId)
      .where('code_hash', '=', hash)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async countUnusedRecoveryCodes(tx: Tx, userId: string): Promise<number> {
    const row = await tx
      .selectFrom('identity.recovery_codes')
      .select((eb) => eb.fn.countAll<bigint>().as('n'))
      .where('user_id', '=', userId)
      .where('used_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  // --- email tokens ------------------------------------------------------------------------------
  async insertEmailToken(tx: Tx, token: EmailTokenRow): Promise<void> {
    await tx.insertInto('identity.email_tokens').values(token).execute();
  }

  async findLiveEmailToken(tx: Tx, purpose: EmailTokenPurpose, tokenHash: string, now: Date): Promise<EmailTokenRow | undefined> {
    return tx
      .selectFrom('identity.email_tokens')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .where('purpose', '=', purpose)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
  }

  /** Consumes a live token: marks it used and returns it, or nothing if unknown, used or expired. */
  async consumeEmailToken(tx: Tx, purpose: EmailTokenPurpose, tokenHash: string, now: Date): Promise<EmailTokenRow | undefined> {
    return tx
      .updateTable('identity.email_tokens')
      .set({ used_at: now })
      .where('token_hash', '=', tokenHash)
      .where('purpose', '=', purpose)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .returningAll()
      .executeTakeFirst();
  }

  /** A newer token makes older unused ones of the same purpose worthless. */
  async retireEmailTokens(tx: Tx, userId: string, purpose: EmailTokenPurpose, now: Date): Promise<void> {
    await tx.updateTable('identity.email_tokens').set({ used_at: now }).where('user_id', '=', userId).where('purpose', '=', purpose).where('used_at', 'is', null).execute();
  }

  // --- sessions ----------------------------------------------------------------------------------
  async listLiveSessions(tx: Tx, userId: string, now: Date, idleSince: Date): Promise<SessionListRow[]> {
    return tx
      .selectFrom('identity.sessions')
      .select(['id', 'created_at', 'last_seen_at', 'expires_at', 'user_agent', 'source_ip', 'restriction'])
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now)
      .where('last_seen_at', '>', idleSince)
      .orderBy('created_at', 'desc')
      .execute();
  }

  /** Revokes one of the user's own live sessions; false when it is not theirs or already ended. */
  async revokeOwnSession(tx: Tx, userId: string, sessionId: string, at: Date): Promise<boolean> {
    const result = await tx
      .updateTable('identity.sessions')
      .set({ revoked_at: at })
      .where('id', '=', sessionId)
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Ends every session of a user except `keep` (null: all); returns how many. */
  async revokeSessionsOfUser(tx: Tx, userId: string, keep: string | null, at: Date): Promise<number> {
    let query = tx.updateTable('identity.sessions').set({ revoked_at: at }).where('user_id', '=', userId).where('revoked_at', 'is', null);
    if (keep) query = query.where('id', '!=', keep);
    return Number((await query.executeTakeFirst()).numUpdatedRows);
  }

  async setRestriction(tx: Tx, sessionId: string, restriction: SessionRestriction | null, mfaVerifiedAt?: Date): Promise<void> {
    await tx
      .updateTable('identity.sessions')
      // Our own second factor, once given, counts in every tenant (not only the one whose provider vouched).
      .set(mfaVerifiedAt ? { restriction, mfa_verified_at: mfaVerifiedAt, mfa_by_tenant: null } : { restriction })
      .where('id', '=', sessionId)
      .execute();
  }

  /** After a password change in this session: which of the person's tenants refuse the new one. */
  async setPasswordRefusedBy(tx: Tx, sessionId: string, tenantIds: string[]): Promise<void> {
    await tx.updateTable('identity.sessions').set({ password_refused_by: tenantIds }).where('id', '=', sessionId).execute();
  }

  async setPassword(tx: Tx, userId: string, passwordHash: string, at: Date): Promise<void> {
    await tx.updateTable('identity.users').set({ password_hash: passwordHash, password_changed_at: at, updated_at: at }).where('id', '=', userId).execute();
  }

  async markEmailVerified(tx: Tx, userId: string, email: string, at: Date): Promise<boolean> {
    const result = await tx.updateTable('identity.users').set({ email_verified_at: at, updated_at: at }).where('id', '=', userId).where('email', '=', email).executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}
