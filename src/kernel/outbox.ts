// The transactional outbox. A service publishes a domain event inside the same transaction as the
// change, so an event exists exactly when its change committed. The relay moves undispatched events
// into the job queue (one delivery job per subscribed handler, in one transaction with marking the
// event dispatched); the job queue gives each delivery retries with backoff. A handler runs in a
// transaction that also records (event, handler), so a redelivered event is skipped: delivery is
// at least once, effects are once. A delivery whose last retry fails is recorded as a dead letter
// (kernel/dead-letters.ts) until an operator replays it.
import { CompiledQuery, sql, type Insertable } from 'kysely';
import type PgBoss from 'pg-boss';
import type { Db, Tx } from './db/database.js';
import { inTransaction } from './db/database.js';
import { newId } from './ids.js';
import { DELIVERY_QUEUE } from './queues.js';
import type { Clock } from './clock.js';
import type { Logger } from './logging.js';
import { DeadLetterRepository, type DeadLetter, type DeadLetterFilter } from './dead-letters.js';

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
  /** How often a failing delivery is retried before it is dead-lettered (default 10 retries, 1 s doubling with jitter). */
  retry?: DeliveryRetry;
}

export interface DeliveryRetry {
  /** Retries after the first attempt. */
  limit: number;
  delaySeconds: number;
  backoff: boolean;
}

const DEFAULT_RETRY: DeliveryRetry = { limit: 10, delaySeconds: 1, backoff: true };

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

/** Why a job failed, as pg-boss keeps it and as the dead letter records it. */
function failureMessage(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 2000) || 'failed without a message';
}

export class EventDispatcher {
  readonly #subscriptions = new Map<string, Subscription>();
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<unknown> = Promise.resolve();
  #stopped = true;
  readonly #deadLetters = new DeadLetterRepository();

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

  /** A subscribed handler, by name (tests drive one directly). */
  subscription(name: string): Subscription | undefined {
    return this.#subscriptions.get(name);
  }

  /** Starts relaying and delivering; `pollMs` bounds the latency between commit and delivery. */
  async start(pollMs = 250): Promise<void> {
    this.#stopped = false;
    // Each job of a batch succeeds or fails on its own: a failing one is failed by id here (so it
    // alone is retried), and pg-boss completes the rest when the batch returns.
    await this.boss.work<DeliveryJob>(DELIVERY_QUEUE, { pollingIntervalSeconds: 0.5, batchSize: 10, includeMetadata: true }, async (jobs) => {
      for (const job of jobs) {
        try {
          await this.deliver(job.data);
        } catch (error) {
          await this.#failed(job, error);
        }
      }
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
          await this.#queueDelivery(db, { eventId: row.id, handler: subscription.name });
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

  async #queueDelivery(db: PgBoss.Db, job: DeliveryJob): Promise<void> {
    const retry = this.#subscriptions.get(job.handler)?.retry ?? DEFAULT_RETRY;
    const id = await this.boss.send(DELIVERY_QUEUE, job satisfies DeliveryJob, { db, retryLimit: retry.limit, retryDelay: retry.delaySeconds, retryBackoff: retry.backoff });
    if (!id) throw new Error(`the job queue ${DELIVERY_QUEUE} does not exist; run platforma migrate`);
  }

  /**
   * A delivery attempt failed: pg-boss retries it unless this was its last attempt, which makes
   * the delivery a dead letter. The dead letter is written here, in a transaction of its own: the
   * handler's transaction (and any record of the attempt in it) rolled back with the failure.
   */
  async #failed(job: PgBoss.JobWithMetadata<DeliveryJob>, error: unknown): Promise<void> {
    const message = failureMessage(error);
    if (job.retryCount >= job.retryLimit) {
      try {
        await inTransaction(this.db, { scope: { kind: 'platform' }, actorId: 'system' }, async (tx) => {
          const event = await tx.selectFrom('kernel.outbox').select(['type', 'tenant_id']).where('id', '=', job.data.eventId).executeTakeFirst();
          const dead = await this.#deadLetters.record(tx, {
            eventId: job.data.eventId,
            handler: job.data.handler,
            eventType: event?.type ?? 'unknown',
            tenantId: event?.tenant_id ?? null,
            attempts: job.retryCount + 1,
            lastError: message,
            failedAt: this.clock.now(),
          });
          this.logger.error({ deadLetter: dead.id, eventId: dead.eventId, handler: dead.handler, attempts: job.retryCount + 1, err: error }, 'event delivery dead-lettered after its last retry');
        });
      } catch (recordError) {
        // Not recorded: the job is left to fail and expire below; the log says what was lost.
        this.logger.error({ err: recordError, eventId: job.data.eventId, handler: job.data.handler }, 'could not record a dead letter');
      }
    } else {
      this.logger.warn({ eventId: job.data.eventId, handler: job.data.handler, attempt: job.retryCount + 1, err: error }, 'event delivery failed; it will be retried');
    }
    await this.boss.fail(DELIVERY_QUEUE, job.id, { message });
  }

  /** Dead letters, newest first. */
  async deadLetters(filter: DeadLetterFilter & { state?: 'dead' | 'replayed' | 'all'; beforeId?: string; limit?: number } = {}, tx?: Tx): Promise<DeadLetter[]> {
    const read = (db: Tx) => this.#deadLetters.list(db, { ...filter, state: filter.state ?? 'dead', limit: filter.limit ?? 100 });
    return tx ? read(tx) : inTransaction(this.db, { scope: { kind: 'platform' }, actorId: 'system' }, read);
  }

  async deadLetter(id: string, tx?: Tx): Promise<DeadLetter | undefined> {
    return tx ? this.#deadLetters.find(tx, id) : inTransaction(this.db, { scope: { kind: 'platform' }, actorId: 'system' }, (db) => this.#deadLetters.find(db, id));
  }

  /** How many deliveries are dead now (not replayed). */
  async countDeadLetters(): Promise<number> {
    return inTransaction(this.db, { scope: { kind: 'platform' }, actorId: 'system' }, (tx) => this.#deadLetters.countDead(tx));
  }

  /**
   * Queues the dead deliveries that match the filter again (all of them when it is empty) and marks
   * them replayed, in one transaction (the caller's, when given, so an audit entry can go with it).
   * A dead letter is replayed once: a second replay finds it replayed and queues nothing, and a
   * delivery that did succeed meanwhile is recognised by the delivery itself and not run again.
   */
  async replayDeadLetters(filter: DeadLetterFilter = {}, options: { tx?: Tx; replayedBy?: string } = {}): Promise<DeadLetter[]> {
    const replay = async (tx: Tx) => {
      const dead = await this.#deadLetters.lockDead(tx, filter);
      const db = bossExecutor(tx);
      for (const letter of dead) await this.#queueDelivery(db, { eventId: letter.eventId, handler: letter.handler });
      const at = this.clock.now();
      const by = options.replayedBy ?? 'system';
      await this.#deadLetters.markReplayed(
        tx,
        dead.map((letter) => letter.id),
        at,
        by,
      );
      return dead.map((letter) => ({ ...letter, replayedAt: at, replayedBy: by }));
    };
    return options.tx ? replay(options.tx) : inTransaction(this.db, { scope: { kind: 'platform' }, actorId: options.replayedBy ?? 'system' }, replay);
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
