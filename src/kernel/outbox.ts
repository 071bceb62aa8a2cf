// The transactional outbox. A service publishes a domain event inside the same transaction as the
// change, so an event exists exactly when its change committed. The relay moves undispatched events
// into the job queue (one delivery job per subscribed handler, in one transaction with marking the
// event dispatched); the job queue gives each delivery retries with backoff. A handler runs in a
// transaction that also records (event, handler), so a redelivered event is skipped: delivery is
// at least once, effects are once.
import { CompiledQuery, sql, type Insertable } from 'kysely';
import type PgBoss from 'pg-boss';
import type { Db, Tx } from './db/database.js';
import { inTransaction } from './db/database.js';
import { newId } from './ids.js';
import { DELIVERY_QUEUE } from './queues.js';
import type { Clock } from './clock.js';
import type { Logger } from './logging.js';

export interface DomainEvent<T = Record<string, unknown>> {
  id: string;
  type: string;
  /** The version of the event's contract (kernel/events.ts) its payload follows. */
  version: number;
  tenantId: string | null;
  payload: T;
  actorId: string | null;
  requestId: string | null;
  occurredAt: Date;
}

export interface PublishInput {
  type: string;
  /** The contract's version; 1 when not given. */
  version?: number;
  tenantId?: string;
  payload: Record<string, unknown>;
  actorId?: string;
  requestId?: string;
}

export interface OutboxRow {
  id: string;
  tenant_id: string | null;
  type: string;
  version: number;
  payload: unknown;
  actor_id: string | null;
  request_id: string | null;
  occurred_at: Date;
  dispatched_at: Date | null;
}

declare module './db/tables.js' {
  interface Tables {
    'kernel.outbox': OutboxRow;
    'kernel.event_deliveries': { event_id: string; handler: string; delivered_at: Date | undefined };
  }
}

export type EventHandler = (event: DomainEvent, tx: Tx) => Promise<void>;

/** Kernel-side shape of a subscription; modules declare theirs typed, with `on` (kernel/events.ts). */
export interface Subscription {
  /** Stable name: it is the idempotency key of deliveries, so never rename a live one. */
  name: string;
  /** Event types, or '*' for all. */
  types: string[] | '*';
  handle: EventHandler;
}

export { DELIVERY_QUEUE };

export async function publish(tx: Tx, clock: Clock, input: PublishInput): Promise<DomainEvent> {
  const [event] = await publishAll(tx, clock, [input]);
  return event!;
}

/** Publishes several events of one change with a single insert, in the order given. */
export async function publishAll(tx: Tx, clock: Clock, inputs: PublishInput[]): Promise<DomainEvent[]> {
  const { events, rows } = outboxRows(clock, inputs);
  if (rows.length > 0) await tx.insertInto('kernel.outbox').values(rows).execute();
  return events;
}

/**
 * The events and the outbox rows that publish them, for a writer that inserts them itself as part
 * of a larger statement (the audit log writes a change's entries and events in one).
 */
export function outboxRows(clock: Clock, inputs: PublishInput[]): { events: DomainEvent[]; rows: Insertable<OutboxRow>[] } {
  const events: DomainEvent[] = inputs.map((input) => ({
    // Ids are time-ordered and the relay dispatches in id order, so the events keep this order.
    id: newId('event'),
    type: input.type,
    version: input.version ?? 1,
    tenantId: input.tenantId ?? null,
    payload: input.payload,
    actorId: input.actorId ?? null,
    requestId: input.requestId ?? null,
    occurredAt: clock.now(),
  }));
  const rows = events.map((event) => ({
    id: event.id,
    tenant_id: event.tenantId,
    type: event.type,
    version: event.version,
    payload: sql`${JSON.stringify(event.payload)}::jsonb`,
    actor_id: event.actorId,
    request_id: event.requestId,
    occurred_at: event.occurredAt,
    dispatched_at: null,
  }));
  return { events, rows };
}

function toEvent(row: OutboxRow): DomainEvent {
  return {
    id: row.id,
    type: row.type,
    version: row.version,
    tenantId: row.tenant_id,
    payload: row.payload as Record<string, unknown>,
    actorId: row.actor_id,
    requestId: row.request_id,
    occurredAt: new Date(row.occurred_at),
  };
}

/** pg-boss's executor interface over a Kysely transaction, so jobs are created in that transaction. */
export function bossExecutor(tx: Tx): PgBoss.Db {
  return { executeSql: async (text, values) => ({ rows: (await tx.executeQuery(CompiledQuery.raw(text, values))).rows as unknown[] }) };
}

interface DeliveryJob {
  eventId: string;
  handler: string;
}

export class EventDispatcher {
  readonly #subscriptions = new Map<string, Subscription>();
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<unknown> = Promise.resolve();
  #stopped = true;

  constructor(
    private readonly db: Db,
    private readonly boss: PgBoss,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  subscribe(subscription: Subscription): void {
    if (this.#subscriptions.has(subscription.name)) throw new Error(`event handler ${subscription.name} is subscribed twice`);
    this.#subscriptions.set(subscription.name, subscription);
  }

  /** Starts relaying and delivering; `pollMs` bounds the latency between commit and delivery. */
  async start(pollMs = 250): Promise<void> {
    this.#stopped = false;
    await this.boss.work<DeliveryJob>(DELIVERY_QUEUE, { pollingIntervalSeconds: 0.5, batchSize: 10 }, async (jobs) => {
      for (const job of jobs) await this.deliver(job.data);
    });
    const tick = () => {
      if (this.#stopped) return;
      this.#running = this.relayOnce()
        .catch((error: unknown) => this.logger.error({ err: error }, 'outbox relay failed'))
        .finally(() => {
          if (!this.#stopped) this.#timer = setTimeout(tick, pollMs);
        });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#running;
    await this.boss.offWork(DELIVERY_QUEUE);
  }

  /** Moves one batch of committed events into delivery jobs. Returns how many events it moved. */
  async relayOnce(batch = 100): Promise<number> {
    return inTransaction(this.db, { scope: { kind: 'platform' }, actorId: 'system' }, async (tx) => {
      const rows = await tx
        .selectFrom('kernel.outbox')
        .selectAll()
        .where('dispatched_at', 'is', null)
        .orderBy('id')
        .limit(batch)
        .forUpdate()
        .skipLocked()
        .execute();
      if (rows.length === 0) return 0;
      const db = bossExecutor(tx);
      for (const row of rows) {
        for (const subscription of this.#subscriptions.values()) {
          if (subscription.types !== '*' && !subscription.types.includes(row.type)) continue;
          await this.boss.send(DELIVERY_QUEUE, { eventId: row.id, handler: subscription.name } satisfies DeliveryJob, {
            db,
            retryLimit: 10,
            retryDelay: 1,
            retryBackoff: true,
          });
        }
      }
      await tx
        .updateTable('kernel.outbox')
        .set({ dispatched_at: this.clock.now() })
        .where(
          'id',
          'in',
          rows.map((r) => r.id),
        )
        .execute();
      return rows.length;
    });
  }

  /** Runs one handler for one event, once: a second delivery of the same pair does nothing. */
  async deliver(job: DeliveryJob): Promise<'delivered' | 'duplicate' | 'unsubscribed'> {
    const subscription = this.#subscriptions.get(job.handler);
    if (!subscription) return 'unsubscribed';
    return inTransaction(this.db, { scope: { kind: 'platform' }, actorId: 'system' }, async (tx) => {
      const claimed = await tx
        .insertInto('kernel.event_deliveries')
        .values({ event_id: job.eventId, handler: job.handler, delivered_at: undefined })
        .onConflict((oc) => oc.columns(['event_id', 'handler']).doNothing())
        .returning('event_id')
        .executeTakeFirst();
      if (!claimed) return 'duplicate';
      const row = await tx.selectFrom('kernel.outbox').selectAll().where('id', '=', job.eventId).executeTakeFirstOrThrow();
      await subscription.handle(toEvent(row), tx);
      return 'delivered';
    });
  }
}
