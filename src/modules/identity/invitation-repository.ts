// SQL of invitations (RLS: the inviting tenant's scope, or platform scope to redeem a token, whose
// tenant is not known before the lookup).
import type { Tx } from '../../kernel/db/database.js';

export interface InvitationRow {
  tenant_id: string;
  id: string;
  email: string;
  role: string;
  token_hash: string;
  invited_by: string;
  created_at: Date;
  expires_at: Date;
  accepted_at: Date | null;
  accepted_by: string | null;
  revoked_at: Date | null;
}

declare module '../../kernel/db/tables.js' {
  interface Tables {
    'identity.invitations': InvitationRow;
  }
}

export class InvitationRepository {
  async insert(tx: Tx, row: InvitationRow): Promise<void> {
    await tx.insertInto('identity.invitations').values(row).execute();
  }

  async list(tx: Tx, tenantId: string): Promise<InvitationRow[]> {
    return tx.selectFrom('identity.invitations').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at', 'desc').limit(200).execute();
  }

  async find(tx: Tx, tenantId: string, id: string): Promise<InvitationRow | undefined> {
    return tx.selectFrom('identity.invitations').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
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

  async markAccepted(tx: Tx, tenantId: string, id: string, userId: string, at: Date): Promise<void> {
    await tx.updateTable('identity.invitations').set({ accepted_at: at, accepted_by: userId }).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
  }
}
