// The outbox's dead letters: deliveries (event, handler) whose last retry failed. The delivery
// worker records one outside the handler's (rolled back) transaction; an operator replays it, which
// queues the delivery again. All SQL of kernel.event_dead_letters is here.
import { sql } from 'kysely';
import type { Db, Tx } from './db/database.js';
import { newId } from './ids.js';

export interface DeadLetterRow {
  id: string;
  event_id: string;
  handler: string;
  event_type: string;
  tenant_id: string | null;
  attempts: number;
  last_error: string;
  failed_at: Date;
  replayed_at: Date | null;
  replayed_by: string | null;
}

declare module './db/tables.js' {
  interface Tables {
    'kernel.event_dead_letters': DeadLetterRow;
  }
}

export interface DeadLetter {
  id: string;
  eventId: string;
  handler: string;
  eventType: string;
  tenantId: string | null;
  attempts: number;
  lastError: string;
  failedAt: Date;
  replayedAt: Date | null;
  replayedBy: string | null;
}

export interface DeadLetterFilter {
  id?: string;
  handler?: string;
  eventId?: string;
}

export function toDeadLetter(row: DeadLetterRow): DeadLetter {
  return {
    id: row.id,
    eventId: row.event_id,
    handler: row.handler,
    eventType: row.event_type,
    tenantId: row.tenant_id,
    attempts: row.attempts,
    lastError: row.last_error,
    failedAt: new Date(row.failed_at),
    replayedAt: row.replayed_at ? new Date(row.replayed_at) : null,
    replayedBy: row.replayed_by,
  };
}

export class DeadLetterRepository {
  /** Records (event, handler) as dead; a replayed one that died again is dead again, its attempts added up. */
  async record(db: Db | Tx, input: { eventId: string; handler: string; eventType: string; tenantId: string | null; attempts: number; lastError: string; failedAt: Date }): Promise<DeadLetter> {
    const row = await db
      .insertInto('kernel.event_dead_letters')
      .values({
        id: newId('deadLetter'),
        event_id: input.eventId,
        handler: input.handler,
        event_type: input.eventType,
        tenant_id: input.tenantId,
        attempts: input.attempts,
        last_error: input.lastError,
        failed_at: input.failedAt,
        replayed_at: null,
        replayed_by: null,
      })
      .onConflict((oc) =>
        oc.columns(['event_id', 'handler']).doUpdateSet({
          attempts: sql`kernel.event_dead_letters.attempts + excluded.attempts`,
          last_error: sql`excluded.last_error`,
          failed_at: sql`excluded.failed_at`,
          replayed_at: null,
          replayed_by: null,
        }),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
    return toDeadLetter(row);
  }

  async list(db: Db | Tx, filter: DeadLetterFilter & { state: 'dead' | 'replayed' | 'all'; beforeId?: string; limit: number }): Promise<DeadLetter[]> {
    let query = db.selectFrom('kernel.event_dead_letters').selectAll();
    if (filter.id) query = query.where('id', '=', filter.id);
    if (filter.handler) query = query.where('handler', '=', filter.handler);
    if (filter.eventId) query = query.where('event_id', '=', filter.eventId);
    if (filter.state === 'dead') query = query.where('replayed_at', 'is', null);
    if (filter.state === 'replayed') query = query.where('replayed_at', 'is not', null);
    if (filter.beforeId) query = query.where('id', '<', filter.beforeId);
    return (await query.orderBy('id', 'desc').limit(filter.limit).execute()).map(toDeadLetter);
  }

  async find(db: Db | Tx, id: string): Promise<DeadLetter | undefined> {
    const row = await db.selectFrom('kernel.event_dead_letters').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toDeadLetter(row) : undefined;
  }

  /** Takes the dead ones matching the filter for replay: locked, and skipped when another replay holds them. */
  async lockDead(tx: Tx, filter: DeadLetterFilter): Promise<DeadLetter[]> {
    let query = tx.selectFrom('kernel.event_dead_letters').selectAll().where('replayed_at', 'is', null);
    if (filter.id) query = query.where('id', '=', filter.id);
    if (filter.handler) query = query.where('handler', '=', filter.handler);
    if (filter.eventId) query = query.where('event_id', '=', filter.eventId);
    return (await query.orderBy('id').forUpdate().skipLocked().execute()).map(toDeadLetter);
  }

  async markReplayed(tx: Tx, ids: string[], at: Date, by: string): Promise<void> {
    if (ids.length === 0) return;
    await tx.updateTable('kernel.event_dead_letters').set({ replayed_at: at, replayed_by: by }).where('id', 'in', ids).execute();
  }

  async countDead(db: Db | Tx): Promise<number> {
    const row = await db.selectFrom('kernel.event_dead_letters').select(sql<number>`count(*)::int`.as('n')).where('replayed_at', 'is', null).executeTakeFirstOrThrow();
    return row.n;
  }
}
