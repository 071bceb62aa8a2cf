// All SQL of the notifications module. Queries run inside a transaction whose row-level-security
// context the caller chose (the enqueuing service's, or platform scope for staff and the worker).
import type { Tx } from '../../kernel/db/database.js';
import type { MailStatus } from './schemas.js';

interface OutgoingMailRow {
  id: string;
  tenant_id: string | null;
  to: string;
  subject: string;
  text: string;
  html: string | null;
  purpose: string;
  status: MailStatus;
  attempts: number;
  last_error: string | null;
  created_at: Date;
  sent_at: Date | null;
  /** Set on mail written in answer to an event: the event's id and the recipient; unique. */
  dedup_key: string | null;
}

declare module '../../kernel/db/tables.js' {
  interface Tables {
    'notifications.outgoing_mail': OutgoingMailRow;
  }
}

export type StoredMail = OutgoingMailRow;

export interface MailFilter {
  status?: MailStatus;
  to?: string;
  /** Only messages with ids strictly below this one (ids sort by creation time). */
  beforeId?: string;
  limit: number;
}

/** The list columns: never the bodies. */
const SUMMARY_COLUMNS = ['id', 'tenant_id', 'to', 'subject', 'purpose', 'status', 'attempts', 'last_error', 'created_at', 'sent_at'] as const;
export type MailSummaryRow = Pick<OutgoingMailRow, (typeof SUMMARY_COLUMNS)[number]>;

export class MailRepository {
  /**
   * Writes a message; false (and nothing written) when its dedup key is already taken. The
   * conflict is decided by the unique constraint, so two deliveries racing each other cannot both
   * write.
   */
  async insert(tx: Tx, row: Omit<OutgoingMailRow, 'attempts' | 'last_error' | 'sent_at'>): Promise<boolean> {
    const inserted = await tx
      .insertInto('notifications.outgoing_mail')
      .values({ ...row, attempts: 0, last_error: null, sent_at: null })
      .onConflict((oc) => oc.column('dedup_key').doNothing())
      .returning('id')
      .executeTakeFirst();
    return inserted !== undefined;
  }

  async findByDedupKey(tx: Tx, dedupKey: string): Promise<{ id: string } | undefined> {
    return tx.selectFrom('notifications.outgoing_mail').select('id').where('dedup_key', '=', dedupKey).executeTakeFirst();
  }

  async find(tx: Tx, id: string): Promise<StoredMail | undefined> {
    return tx.selectFrom('notifications.outgoing_mail').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async list(tx: Tx, filter: MailFilter): Promise<MailSummaryRow[]> {
    let query = tx.selectFrom('notifications.outgoing_mail').select(SUMMARY_COLUMNS).orderBy('id', 'desc').limit(filter.limit);
    if (filter.status) query = query.where('status', '=', filter.status);
    const to = filter.to?.toLowerCase();
    if (to) query = query.where((eb) => eb(eb.fn('lower', ['to']), '=', to));
    if (filter.beforeId) query = query.where('id', '<', filter.beforeId);
    return query.execute();
  }

  /**
   * Records one delivery attempt's outcome. Only a queued message changes: a message already sent,
   * failed or stored stays as it is if a job for it runs again.
   */
  async recordAttempt(tx: Tx, id: string, outcome: { status: MailStatus; error: string | null; sentAt: Date | null }): Promise<boolean> {
    const result = await tx
      .updateTable('notifications.outgoing_mail')
      .set((eb) => ({ status: outcome.status, attempts: eb('attempts', '+', 1), last_error: outcome.error, sent_at: outcome.sentAt }))
      .where('id', '=', id)
      .where('status', '=', 'queued')
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Marks a queued message stored (a worker without an SMTP server found it). */
  async markStored(tx: Tx, id: string): Promise<void> {
    await tx.updateTable('notifications.outgoing_mail').set({ status: 'stored' }).where('id', '=', id).where('status', '=', 'queued').execute();
  }
}
