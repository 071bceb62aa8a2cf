// A short-lived, in-memory cache of resolved credentials (session tokens and API keys → their
// Authentication), so that an authenticated request costs no database round trip of its own.
//
// Correctness comes from PostgreSQL, not from every code path remembering to evict: triggers on the
// identity tables (migration 202611211300) NOTIFY `identity_principals_changed` in any transaction
// that revokes a session or key, changes a membership, a role or a user. On that notification the
// whole cache is dropped (such changes are rare next to reads). The notification arrives through the
// kernel's change feed (kernel/db/change-feed.ts), the process's one LISTEN connection:
// - other processes' changes arrive when they commit; while the feed's connection is down nothing is
//   cached (every request goes to the database), and the cache is emptied when it reconnects;
// - this process's changes arrive on its pool's connections before their COMMIT returns, so a change
//   made here has emptied the cache before the request (or CLI command, or test) that made it gets
//   its answer: "the very next call" holds.
// A generation counter stops a lookup that raced with a change from storing the stale result.
// Entries also end at a fixed time-to-live and at the credential's own expiry.
import { createHash } from 'node:crypto';
import type { Clock } from '../../../kernel/clock.js';
import type { ChangeFeed } from '../../../kernel/db/change-feed.js';

/** Entries are keyed by a hash of the credential, so the cache holds no secrets. */
export const credentialKey = (kind: string, secret: string) => `${kind}:${createHash('sha256').update(secret).digest('hex')}`;

export const PRINCIPALS_CHANGED = 'identity_principals_changed';
const DEFAULT_TTL_MS = 30_000;
const MAX_ENTRIES = 50_000;

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

  constructor(
    private readonly feed: ChangeFeed,
    private readonly clock: Clock,
    private readonly ttlMs = DEFAULT_TTL_MS,
  ) {
    feed.onNotification(PRINCIPALS_CHANGED, () => this.clear());
  }

  /** True while the change feed hears other processes; only then are results kept. */
  get active(): boolean {
    return this.feed.active;
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
    if (loaded.cacheable && this.feed.active && generation === this.#generation) {
      if (this.#entries.size >= MAX_ENTRIES) this.#entries.clear();
      const expiry = loaded.expiresAt ? loaded.expiresAt.getTime() : Number.POSITIVE_INFINITY;
      this.#entries.set(key, { value: loaded.value, validUntil: Math.min(now + this.ttlMs, expiry) });
    }
    return loaded.value;
  }
}
