// A short-lived, in-memory cache of resolved credentials (session tokens and API keys → their
// Authentication), so that an authenticated request costs no database round trip of its own.
//
// Correctness comes from PostgreSQL, not from every code path remembering to evict: triggers on the
// identity tables (migration 202611211300) NOTIFY `identity_principals_changed` in any transaction
// that revokes a session or key, changes a membership, a role or a user. On that notification the
// whole cache is dropped (such changes are rare next to reads).
// - Other processes: one dedicated LISTEN connection per process receives it when the change
//   commits. While that connection is down, nothing is cached (every request goes to the database).
// - This process: the pool's connections LISTEN too. PostgreSQL hands a session its own
//   notifications before its COMMIT returns, so a change made here has emptied the cache before the
//   request (or CLI command, or test) that made it gets its answer: "the very next call" holds.
// A generation counter stops a lookup that raced with a change from storing the stale result.
// Entries also end at a fixed time-to-live and at the credential's own expiry.
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Clock } from '../../../kernel/clock.js';
import type { Logger } from '../../../kernel/logging.js';

/** Entries are keyed by a hash of the credential, so the cache holds no secrets. */
export const credentialKey = (kind: string, secret: string) => `${kind}:${createHash('sha256').update(secret).digest('hex')}`;

export const PRINCIPALS_CHANGED = 'identity_principals_changed';
const DEFAULT_TTL_MS = 30_000;
const MAX_ENTRIES = 50_000;
const RECONNECT_DELAY_MS = 1_000;

interface Entry<T> {
  value: T;
  /** Clock time (ms) after which the entry is no longer used. */
  validUntil: number;
}

export interface Loaded<T> {
  value: T;
  /** When the credential itself stops being valid (session or key expiry); null = no expiry. */
  expiresAt: Date | null;
  /** False for principals the triggers cannot vouch for (e.g. partner roles, whose customers change in another module). */
  cacheable: boolean;
}

export class CredentialCache<T> {
  readonly #entries = new Map<string, Entry<T>>();
  #generation = 0;
  #listener: pg.Client | undefined;
  #listening = false;
  #stopped = false;
  #reconnect: NodeJS.Timeout | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly ttlMs = DEFAULT_TTL_MS,
  ) {}

  /** True while the cross-process listener is connected; only then are results kept. */
  get active(): boolean {
    return this.#listening;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Drops every entry, and any lookup still in flight, at once. */
  clear(): void {
    this.#generation++;
    this.#entries.clear();
  }

  /** The cached value for a credential (by the hash of its secret), or `load`'s answer (kept when allowed). */
  async resolve(key: string, load: () => Promise<Loaded<T> | undefined>): Promise<T | undefined> {
    const now = this.clock.now().getTime();
    const hit = this.#entries.get(key);
    if (hit) {
      if (hit.validUntil > now) return hit.value;
      this.#entries.delete(key);
    }
    const generation = this.#generation;
    const loaded = await load();
    if (!loaded) return undefined;
    // Unknown, revoked and expired credentials are never cached: they always go to the database.
    if (loaded.cacheable && this.#listening && generation === this.#generation) {
      if (this.#entries.size >= MAX_ENTRIES) this.#entries.clear();
      const expiry = loaded.expiresAt ? loaded.expiresAt.getTime() : Number.POSITIVE_INFINITY;
      this.#entries.set(key, { value: loaded.value, validUntil: Math.min(now + this.ttlMs, expiry) });
    }
    return loaded.value;
  }

  /**
   * Listens for changes: on every connection of `pool` (changes made by this process) and on one
   * dedicated connection (changes made by others). Returns once the dedicated listener is up.
   */
  async listen(pool: pg.Pool): Promise<void> {
    // pg-pool awaits onConnect before handing a new connection to its first borrower, so LISTEN is
    // in place before that connection runs anything (and never overlaps the borrower's query).
    const previous = pool.options.onConnect;
    pool.options.onConnect = async (client) => {
      await previous?.(client);
      client.on('notification', (message) => {
        if (message.channel === PRINCIPALS_CHANGED) this.clear();
      });
      await client.query(`listen ${PRINCIPALS_CHANGED}`);
    };
    await this.#connect(pool.options);
  }

  async #connect(options: pg.PoolConfig): Promise<void> {
    if (this.#stopped) return;
    const client = new pg.Client({ ...options, application_name: 'platforma-identity-listener' });
    const lost = (error?: Error) => {
      if (this.#listener !== client) return;
      this.#listener = undefined;
      this.#listening = false;
      this.clear();
      if (this.#stopped) return;
      this.logger.warn({ err: error }, 'credential cache listener lost; caching is off until it reconnects');
      this.#reconnect = setTimeout(() => void this.#connect(options).catch(() => {}), RECONNECT_DELAY_MS);
    };
    client.on('notification', (message) => {
      if (message.channel === PRINCIPALS_CHANGED) this.clear();
    });
    client.on('error', lost);
    client.on('end', () => lost());
    this.#listener = client;
    try {
      await client.connect();
      await client.query(`listen ${PRINCIPALS_CHANGED}`);
    } catch (error) {
      lost(error as Error);
      await client.end().catch(() => {});
      return;
    }
    // Whatever changed while nobody listened is unknown: start empty.
    this.clear();
    this.#listening = !this.#stopped;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#listening = false;
    clearTimeout(this.#reconnect);
    this.clear();
    const listener = this.#listener;
    this.#listener = undefined;
    await listener?.end().catch(() => {});
  }
}
