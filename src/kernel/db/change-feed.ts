// Caches of rows that are read on every order or preview but rarely change (a tenant's ordering
// profile, products with their versions, approval rules), kept right across processes by
// PostgreSQL rather than by every writer remembering to evict.
//
// Statement-level triggers on those tables NOTIFY `platforma_rows_changed` with the table's name
// (migration 202611240200 of the kernel); a RowCache drops everything it holds when one of its
// tables changes. As with the credential cache (src/modules/identity/credentials/credential-cache.ts):
// - other processes hear it on one dedicated LISTEN connection when the change commits; while that
//   connection is down nothing is cached, every read goes to the database;
// - this process hears it on its pool's connections too, and PostgreSQL hands a session its own
//   notifications before its COMMIT returns, so a change made here has emptied the caches before
//   the request that made it gets its answer;
// - a generation counter stops a read that raced with a change from storing what it read.
import pg from 'pg';
import type { Clock } from '../clock.js';
import type { Logger } from '../logging.js';

export const ROWS_CHANGED = 'platforma_rows_changed';
const RECONNECT_DELAY_MS = 1_000;

export class ChangeFeed {
  readonly #handlers = new Map<string, Set<() => void>>();
  #listener: pg.Client | undefined;
  #listening = false;
  #stopped = false;
  #reconnect: NodeJS.Timeout | undefined;

  constructor(private readonly logger: Logger) {}

  /** True while the cross-process listener is connected; only then may caches keep what they read. */
  get active(): boolean {
    return this.#listening;
  }

  /** Calls `handler` whenever a row of `table` (schema.name) may have changed, and when changes may have been missed. */
  onChange(table: string, handler: () => void): void {
    let handlers = this.#handlers.get(table);
    if (!handlers) this.#handlers.set(table, (handlers = new Set()));
    handlers.add(handler);
  }

  #changed(table: string): void {
    for (const handler of this.#handlers.get(table) ?? []) handler();
  }

  #everythingChanged(): void {
    for (const handlers of this.#handlers.values()) for (const handler of handlers) handler();
  }

  /**
   * Listens on every connection of `pool` (changes made by this process) and on one dedicated
   * connection (changes made by others). Returns once the dedicated listener is up.
   */
  async listen(pool: pg.Pool): Promise<void> {
    // pg-pool awaits onConnect before handing a new connection to its first borrower, so LISTEN is
    // in place before that connection runs anything.
    const previous = pool.options.onConnect;
    pool.options.onConnect = async (client) => {
      await previous?.(client);
      client.on('notification', (message) => {
        if (message.channel === ROWS_CHANGED) this.#changed(message.payload ?? '');
      });
      await client.query(`listen ${ROWS_CHANGED}`);
    };
    await this.#connect(pool.options);
  }

  async #connect(options: pg.PoolConfig): Promise<void> {
    if (this.#stopped) return;
    const client = new pg.Client({ ...options, application_name: 'platforma-change-feed' });
    const lost = (error?: Error) => {
      if (this.#listener !== client) return;
      this.#listener = undefined;
      this.#listening = false;
      this.#everythingChanged();
      if (this.#stopped) return;
      this.logger.warn({ err: error }, 'change feed listener lost; row caches are off until it reconnects');
      this.#reconnect = setTimeout(() => void this.#connect(options).catch(() => {}), RECONNECT_DELAY_MS);
    };
    client.on('notification', (message) => {
      if (message.channel === ROWS_CHANGED) this.#changed(message.payload ?? '');
    });
    client.on('error', lost);
    client.on('end', () => lost());
    this.#listener = client;
    try {
      await client.connect();
      await client.query(`listen ${ROWS_CHANGED}`);
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
