// SQL of invitations (RLS: the inviting tenant's scope, or platform scope to redeem a token, whose
// tenant is not known before the lookup).
import type { Tx } from '../../../kernel/db/database.js';

export interface InvitationRow {
  tenant_id: string;
  id: string;
  email: string;
  role: string;
  token_hash: string;
  /** The email (or label) of whoever invited, as the mail named them. */
  invited_by: string;
  /** The inviting account, when a person invited (null for the system and the console). */
  invited_by_user_id: string | null;
  created_at: Date;
  /** When the link was last mailed: created_at, or the latest resend. */
  last_sent_at: Date;
  send_count: number;
  expires_at: Date;
  accepted_at: Date | null;
  accepted_by: string | null;
  revoked_at: Date | null;
}

declare module '../../../kernel/db/tables.js' {
  interface Tables {
    'identity.invitations': InvitationRow;
  }
}

export class InvitationRepository {
  async insert(tx: Tx, row: InvitationRow): Promise<void> {
    await tx.insertInto('identity.invitations').values(row).execute();
  }

  /** Newest first, each with the inviter's chosen display name (null when none or no account). */
  async list(tx: Tx, tenantId: string): Promise<(InvitationRow & { invited_by_name?: string | null })[]> {
    return tx
      .selectFrom('identity.invitations as i')
      .leftJoin('identity.users as u', 'u.id', 'i.invited_by_user_id')
      .selectAll('i')
      .select('u.display_name as invited_by_name')
      .where('i.tenant_id', '=', tenantId)
      .orderBy('i.created_at', 'desc')
      .orderBy('i.id', 'desc') // ids grow with time: a stable order among invitations made in one instant
      .limit(200)
      .execute();
  }

  async inviterName(tx: Tx, userId: string | null): Promise<string | null> {
    if (userId === null) return null;
    const row = await tx.selectFrom('identity.users').select('display_name').where('id', '=', userId).executeTakeFirst();
    return row?.display_name ?? null;
  }

  async find(tx: Tx, tenantId: string, id: string, forUpdate = false): Promise<InvitationRow | undefined> {
    let query = tx.selectFrom('identity.invitations').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id);
    if (forUpdate) query = query.forUpdate();
    return query.executeTakeFirst();
  }

  /** The invitation behind a token, locked for the accepting transaction. */
  async findByTokenHash(tx: Tx, tokenHash: string, forUpdate = false): Promise<InvitationRow | undefined> {
    let query = tx.selectFrom('identity.invitations').selectAll().where('token_hash', '=', tokenHash);
    if (forUpdate) query = query.forUpdate();
    return query.executeTakeFirst();
  }

  /** Revokes the open invitation of this email in this tenant, if any (re-inviting replaces it). */
  async revokeOpen(tx: Tx, tenantId: string, email: string, at: Date): Promise<void> {
    await tx
      .updateTable('identity.invitations')
      .set({ revoked_at: at })
      .where('tenant_id', '=', tenantId)
      .where('email', '=', email)
      .where('accepted_at', 'is', null)
      .where('revoked_at', 'is', null)
      .execute();
  }

  async revoke(tx: Tx, tenantId: string, id: string, at: Date): Promise<boolean> {
    const result = await tx
      .updateTable('identity.invitations')
      .set({ revoked_at: at })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .where('accepted_at', 'is', null)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /**
   * Gives a still-unanswered invitation a new token and expiry (the old link stops working): the
   * row only changes while neither accepted nor revoked, so a resend racing an acceptance or a
   * revocation loses cleanly (undefined).
   */
  async resend(tx: Tx, tenantId: string, id: string, next: { tokenHash: string; expiresAt: Date; at: Date }): Promise<InvitationRow | undefined> {
    return tx
      .updateTable('identity.invitations')
      .set((eb) => ({ token_hash: next.tokenHash, expires_at: next.expiresAt, last_sent_at: next.at, send_count: eb('send_count', '+', 1) }))
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .where('accepted_at', 'is', null)
      .where('revoked_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
  }

  async markAccepted(tx: Tx, tenantId: string, id: string, userId: string, at: Date): Promise<void> {
    await tx.updateTable('identity.invitations').set({ accepted_at: at, accepted_by: userId }).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
  }
}
