// Idempotency-Key on POST, for every module at once: the first request with a key runs and its
// response is stored; the same key with the same body gets that stored response back without the
// work running again; the same key with another body is 422. A request still in flight holds the
// key (409 to a concurrent duplicate) until it finishes or its lock expires after a crash.
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../db/database.js';
import type { Clock } from '../clock.js';
import type { SecretBox } from '../encryption.js';
import { canonicalJson } from '../audit.js';
import { problem, sendProblem } from './problem.js';
import type { HttpApp } from './server.js';

interface IdempotencyRow {
  principal: string;
  key: string;
  request_hash: string;
  method: string;
  path: string;
  status_code: number | null;
  response_headers: Record<string, string> | null;
  response_body: string | null;
  locked_until: Date;
  created_at: Date | undefined;
}

declare module '../db/tables.js' {
  interface Tables {
    'kernel.idempotency_keys': IdempotencyRow;
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    idempotency?: { principal: string; key: string };
  }
}

const LOCK_SECONDS = 60;
const REPLAYED_HEADERS = ['content-type', 'etag', 'location'];
export const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** Stored response bodies are sealed: a replayed creation can carry a secret shown once (an API key, a client secret). */
const SEALED = 'sealed:';

export class IdempotencyStore {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly secrets: SecretBox,
  ) {}

  /** The response body recorded under the key, as it was sent. */
  bodyOf(row: IdempotencyRow): string {
    const body = row.response_body ?? '';
    return body.startsWith(SEALED) ? this.secrets.open(body.slice(SEALED.length), `idempotency:${row.principal}:${row.key}`) : body;
  }

  /** Claims the key, or returns what is already recorded under it. */
  async claim(principal: string, key: string, method: string, path: string, requestHash: string): Promise<IdempotencyRow | 'claimed'> {
    const now = this.clock.now();
    const lockedUntil = new Date(now.getTime() + LOCK_SECONDS * 1000);
    const inserted = await this.db
      .insertInto('kernel.idempotency_keys')
      .values({ principal, key, request_hash: requestHash, method, path, status_code: null, response_headers: null, response_body: null, locked_until: lockedUntil, created_at: undefined })
      .onConflict((oc) => oc.columns(['principal', 'key']).doNothing())
      .returning('key')
      .executeTakeFirst();
    if (inserted) return 'claimed';
    // A holder that crashed mid-request leaves an expired lock: take the key over.
    const takenOver = await this.db
      .updateTable('kernel.idempotency_keys')
      .set({ locked_until: lockedUntil })
      .where('principal', '=', principal)
      .where('key', '=', key)
      .where('request_hash', '=', requestHash)
      .where('status_code', 'is', null)
      .where('locked_until', '<', now)
      .returning('key')
      .executeTakeFirst();
    if (takenOver) return 'claimed';
    return this.db.selectFrom('kernel.idempotency_keys').selectAll().where('principal', '=', principal).where('key', '=', key).executeTakeFirstOrThrow();
  }

  async complete(principal: string, key: string, statusCode: number, headers: Record<string, string>, body: string): Promise<void> {
    await this.db
      .updateTable('kernel.idempotency_keys')
      .set({ status_code: statusCode, response_headers: JSON.stringify(headers) as unknown as Record<string, string>, response_body: SEALED + this.secrets.seal(body, `idempotency:${principal}:${key}`) })
      .where('principal', '=', principal)
      .where('key', '=', key)
      .execute();
  }

  /** Frees the key after a server error so the client can retry with it. */
  async release(principal: string, key: string): Promise<void> {
    await this.db.deleteFrom('kernel.idempotency_keys').where('principal', '=', principal).where('key', '=', key).where('status_code', 'is', null).execute();
  }

  async pruneOlderThan(cutoff: Date): Promise<number> {
    const result = await this.db.deleteFrom('kernel.idempotency_keys').where('created_at', '<', cutoff).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

function requestHash(request: FastifyRequest): string {
  const path = request.url.split('?')[0];
  return createHash('sha256').update(`${request.method} ${path}\n${canonicalJson(request.body ?? null)}`).digest('hex');
}

/**
 * Installs the hooks. `principalOf` names who owns a key (keys of different callers never collide);
 * unauthenticated requests are not idempotency-tracked.
 */
export function registerIdempotency(app: HttpApp, store: IdempotencyStore, principalOf: (request: FastifyRequest) => string | undefined): void {
  app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.method !== 'POST') return;
    const key = request.headers['idempotency-key'];
    if (key === undefined) return;
    const principal = principalOf(request);
    if (!principal) return;
    if (typeof key !== 'string' || !KEY_PATTERN.test(key)) {
      return sendProblem(reply, problem(request, 'PLAT_VALIDATION_FAILED', 'Idempotency-Key must be 1 to 255 printable ASCII characters.', { errors: [{ pointer: '/headers/idempotency-key', message: 'invalid', in: 'headers' }] }));
    }
    const hash = requestHash(request);
    const path = request.url.split('?')[0] ?? request.url;
    const outcome = await store.claim(principal, key, request.method, path, hash);
    if (outcome === 'claimed') {
      request.idempotency = { principal, key };
      return;
    }
    if (outcome.request_hash !== hash) {
      return sendProblem(reply, problem(request, 'PLAT_IDEMPOTENCY_KEY_REUSED', `The Idempotency-Key was first used for ${outcome.method} ${outcome.path} with another body.`));
    }
    if (outcome.status_code === null) {
      reply.header('retry-after', '1');
      return sendProblem(reply, problem(request, 'PLAT_IDEMPOTENCY_KEY_IN_USE', 'The first request with this key has not finished yet.'));
    }
    const headers = typeof outcome.response_headers === 'string' ? (JSON.parse(outcome.response_headers) as Record<string, string>) : (outcome.response_headers ?? {});
    for (const [name, value] of Object.entries(headers)) reply.header(name, value);
    reply.header('idempotent-replayed', 'true');
    return reply.status(outcome.status_code).send(store.bodyOf(outcome));
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const claim = request.idempotency;
    if (!claim) return payload;
    request.idempotency = undefined;
    if (reply.statusCode >= 500) {
      await store.release(claim.principal, claim.key);
      return payload;
    }
    const headers: Record<string, string> = {};
    for (const name of REPLAYED_HEADERS) {
      const value = reply.getHeader(name);
      if (value !== undefined) headers[name] = String(value);
    }
    await store.complete(claim.principal, claim.key, reply.statusCode, headers, typeof payload === 'string' ? payload : payload == null ? '' : String(payload));
    return payload;
  });
}
