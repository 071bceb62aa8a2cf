// All SQL of impersonation (run in platform scope: staff work across tenants).
import type { Tx } from '../../../kernel/db/database.js';

export interface ImpersonationRow {
  tenant_id: string;
  id: string;
  staff_user_id: string;
  user_id: string;
  session_id: string;
  reason: string;
  started_at: Date;
  expires_at: Date;
  ended_at: Date | null;
}

declare module '../../../kernel/db/tables.js' {
  interface Tables {
    'identity.impersonations': ImpersonationRow;
  }
}

/** A live impersonation with the people on both sides. */
export type LiveImpersonation = ImpersonationRow & { user_email: string; user_platform_role: string | null; staff_email: string };

export class ImpersonationRepository {
  async insert(tx: Tx, row: ImpersonationRow): Promise<void> {
    await tx.insertInto('identity.impersonations').values(row).execute();
  }

  async findLive(tx: Tx, id: string, now: Date): Promise<LiveImpersonation | undefined> {
    return tx
      .selectFrom('identity.impersonations as i')
      .innerJoin('identity.users as u', 'u.id', 'i.user_id')
      .innerJoin('identity.users as s', 's.id', 'i.staff_user_id')
      .selectAll('i')
      .select(['u.email as user_email', 'u.platform_role as user_platform_role', 's.email as staff_email'])
      .where('i.id', '=', id)
      .where('i.ended_at', 'is', null)
      .where('i.expires_at', '>', now)
      .executeTakeFirst();
  }

  async end(tx: Tx, id: string, at: Date): Promise<void> {
    await tx.updateTable('identity.impersonations').set({ ended_at: at }).where('id', '=', id).where('ended_at', 'is', null).execute();
  }

  /** Points a session at an impersonation (or back at its own user with null). */
  async setSessionImpersonation(tx: Tx, sessionId: string, impersonationId: string | null): Promise<void> {
    await tx.updateTable('identity.sessions').set({ impersonation_id: impersonationId }).where('id', '=', sessionId).execute();
  }
}
