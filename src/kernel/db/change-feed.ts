// The process's one PostgreSQL change feed: caches of rows that are read on every request but
// rarely change (a tenant's ordering profile, products with their versions, approval rules; the
// credential cache of identity) stay right across processes by PostgreSQL rather than by every
// writer remembering to evict.
//
// Triggers NOTIFY a channel: statement-level triggers on cached tables send `platforma_rows_changed`
// with the table's name (migration 202611240200 of the kernel); a module may listen to a channel of
// its own (identity's `identity_principals_changed`, migration 202611211300). One feed serves them
// all, so a process holds exactly one LISTEN connection whatever it caches:
// - other processes' changes arrive on that dedicated connection when they commit; while it is
//   down nothing is cached, every read goes to the database, and when it (re)connects every
//   handler runs, since whatever changed while nobody listened is unknown;
// - this process's changes arrive on its pool's connections too (each LISTENs to every channel),
//   and PostgreSQL hands a session its own notifications before its COMMIT returns, so a change
//   made here has emptied the caches before the request that made it gets its answer;
// - a generation counter (RowCache, CredentialCache) stops a read that raced with a change from
//   storing what it read.
import pg from 'pg';
import type { Clock } from '../clock.js';
import type { Logger } from '../logging.js';

export const ROWS_CHANGED = 'platforma_rows_changed';
/** The application_name of the feed's dedicated LISTEN connection (one per process). */
export const CHANGE_FEED_APPLICATION = 'platforma-change-feed';
const RECONNECT_DELAY_MS = 1_000;

export class ChangeFeed {
  /** Handlers by channel; for ROWS_CHANGED, by table under it. */
  readonly #tables = new Map<string, Set<() => void>>();
  readonly #channels = new Map<string, Set<() => void>>([[ROWS_CHANGED, new Set()]]);
  #listener: pg.Client | undefined;
  #listening = false;
  #started = false;
  #stopped = false;
  #reconnect: NodeJS.Timeout | undefined;

  constructor(private readonly logger: Logger) {}

  /** True while the cross-process listener is connected; only then may caches keep what they read. */
  get active(): boolean {
    return this.#listening;
  }

  /** Calls `handler` whenever a row of `table` (schema.name) may have changed, and when changes may have been missed. */
  onChange(table: string, handler: () => void): void {
    let handlers = this.#tables.get(table);
    if (!handlers) this.#tables.set(table, (handlers = new Set()));
    handlers.add(handler);
  }

  /**
   * Calls `handler` on every notification of `channel` (whatever its payload), and when
   * notifications may have been missed. Channels are subscribed before the feed listens: a pool
   * connection opened earlier would not hear a later one, so asking afterwards fails at boot.
   */
  onNotification(channel: string, handler: () => void): void {
    if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new RangeError(`Not a channel name: ${channel}`);
    let handlers = this.#channels.get(channel);
    if (!handlers) {
      if (this.#started) throw new Error(`The change feed already listens; subscribe to ${channel} before it starts`);
      this.#channels.set(channel, (handlers = new Set()));
    }
    handlers.add(handler);
  }

  #notified(message: pg.Notification): void {
    if (message.channel === ROWS_CHANGED) for (const handler of this.#tables.get(message.payload ?? '') ?? []) handler();
    else for (const handler of this.#channels.get(message.channel) ?? []) handler();
  }

  #everythingChanged(): void {
    for (const handlers of [...this.#tables.values(), ...this.#channels.values()]) for (const handler of handlers) handler();
  }

  /** One round trip that LISTENs to every channel subscribed to. */
  #listenStatement(): string {
    return [...this.#channels.keys()].map((channel) => `listen ${channel}`).join('; ');
  }

  /**
   * Listens on every connection of `pool` (changes made by this process) and on one dedicated
   * connection (changes made by others). Returns once the dedicated listener is up.
   */
  async listen(pool: pg.Pool): Promise<void> {
    if (this.#started) throw new Error('The change feed listens already');
    this.#started = true;
    // pg-pool awaits onConnect before handing a new connection to its first borrower, so LISTEN is
    // in place before that connection runs anything (and never overlaps the borrower's query).
    const previous = pool.options.onConnect;
    pool.options.onConnect = async (client) => {
      await previous?.(client);
      client.on('notification', (message) => this.#notified(message));
      await client.query(this.#listenStatement());
    };
    await this.#connect(pool.options);
  }

  async #connect(options: pg.PoolConfig): Promise<void> {
    if (this.#stopped) return;
    const client = new pg.Client({ ...options, application_name: CHANGE_FEED_APPLICATION });
    const lost = (error?: Error) => {
      if (this.#listener !== client) return;
      this.#listener = undefined;
      this.#listening = false;
      this.#everythingChanged();
      if (this.#stopped) return;
      this.logger.warn({ err: error }, 'change feed listener lost; caches are off until it reconnects');
      this.#reconnect = setTimeout(() => void this.#connect(options).catch(() => {}), RECONNECT_DELAY_MS);
    };
    client.on('notification', (message) => this.#notified(message));
    client.on('error', lost);
    client.on('end', () => lost());
    this.#listener = client;
    try {
      await client.connect();
      await client.query(this.#listenStatement());
    } catch (error) {
      lost(error as Error);
      await client.end().catch(() => {});
      return;
    }
    // Whatever changed while nobody listened is unknown: start empty.
    this.#everythingChanged();
    this.#listening = !this.#stopped;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#listening = false;
    clearTimeout(this.#reconnect);
    this.#everythingChanged();
    const listener = this.#listener;
    this.#listener = undefined;
    await listener?.end().catch(() => {});
  }
}

/**
 * Values read from some tables, by key, emptied when any of those tables changes. Values are
 * shared between requests: treat them as read-only. `undefined` (nothing found) is never kept.
 */
export class RowCache<T> {
  readonly #entries = new Map<string, { value: T; validUntil: number }>();
  #generation = 0;

  constructor(
    private readonly feed: ChangeFeed,
    tables: readonly string[],
    private readonly clock: Clock,
    private readonly options: { ttlMs: number; maxEntries: number } = { ttlMs: 60_000, maxEntries: 10_000 },
  ) {
    for (const table of tables) feed.onChange(table, () => this.clear());
  }

  clear(): void {
    this.#generation++;
    this.#entries.clear();
  }

  async get(key: string, load: () => Promise<T | undefined>): Promise<T | undefined> {
    const now = this.clock.now().getTime();
    const hit = this.#entries.get(key);
    if (hit) {
      if (hit.validUntil > now) return hit.value;
      this.#entries.delete(key);
    }
    const generation = this.#generation;
    const value = await load();
    if (value !== undefined && this.feed.active && generation === this.#generation) {
      if (this.#entries.size >= this.options.maxEntries) this.#entries.clear();
      this.#entries.set(key, { value, validUntil: now + this.options.ttlMs });
    }
    return value;
  }
}
