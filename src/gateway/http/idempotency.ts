// Idempotency-Key on POST, for every module at once: the first request with a key runs and its
// response is stored; the same key with the same body gets that stored response back without the
// work running again; the same key with another body is 422.
//
// The stored response is written by the same transaction that commits the change it describes
// (a commit hook, kernel/db/database.ts), so after any crash a retry either finds the outcome or
// finds nothing because nothing committed, and runs again. There is no claim made ahead of the
// work that a crash could leave behind: a concurrent duplicate runs until it meets the first
// request's uncommitted record (or the rows it locked), waits for it, and then answers with what
// the first request answered. See docs/adr/0010-surviving-database-outages.md.
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sql, withCommitHook, type Db, type Tx } from '../../kernel/db/database.js';
import { ConflictError } from '../../kernel/errors.js';
import type { Clock } from '../../kernel/clock.js';
import type { SecretBox } from '../../kernel/encryption.js';
import { canonicalJson } from '../../kernel/audit.js';
import { PROBLEM_CONTENT_TYPE, problem, sendProblem } from './problem.js';
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

declare module '../../kernel/db/tables.js' {
  interface Tables {
    'kernel.idempotency_keys': IdempotencyRow;
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    idempotency?: Claim;
  }
}

const REPLAYED_HEADERS = ['content-type', 'etag', 'location'];
export const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** Stored response bodies are sealed: a replayed creation can carry a secret shown once (an API key, a client secret). */
const SEALED = 'sealed:';

interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A request holding an Idempotency-Key that nothing has been recorded under yet. */
interface Claim {
  principal: string;
  key: string;
  hash: string;
  method: string;
  path: string;
  /** What the request's writing transaction recorded before its COMMIT, once it has. */
  recorded?: StoredResponse;
  /**
   * Set when the response goes out: work the request started that outlives it (a timer armed in
   * its async context) must not record anything under its key.
   */
  answered?: boolean;
}

/** Thrown inside a transaction that finds the key recorded by another request meanwhile: roll back, answer with theirs. */
class KeyRecordedMeanwhileError extends ConflictError {
  override readonly code = 'PLAT_IDEMPOTENCY_KEY_IN_USE';
}

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

  #seal(claim: Claim, body: string): string {
    return SEALED + this.secrets.seal(body, `idempotency:${claim.principal}:${claim.key}`);
  }

  /** A claim left by an older version of this code (no response yet) whose lock has not expired. */
  stillHeld(row: IdempotencyRow): boolean {
    return row.status_code === null && row.locked_until > this.clock.now();
  }

  async find(principal: string, key: string): Promise<IdempotencyRow | undefined> {
    return this.db.selectFrom('kernel.idempotency_keys').selectAll().where('principal', '=', principal).where('key', '=', key).executeTakeFirst();
  }

  /**
   * Inside the request's transaction, just before COMMIT: records the response under the key, if
   * this transaction changed anything (a read-only transaction commits nothing a retry could
   * repeat). One statement. 'taken' when another request recorded the key first (a concurrent
   * duplicate; this statement waited for its COMMIT).
   */
  async recordInTransaction(tx: Tx, claim: Claim, response: StoredResponse): Promise<'recorded' | 'read-only' | 'taken'> {
    const { rows } = await sql<{ wrote: boolean; recorded: number }>`
      with wrote as (select pg_current_xact_id_if_assigned() is not null as yes),
      recorded as (
        insert into kernel.idempotency_keys as k (principal, key, request_hash, method, path, status_code, response_headers, response_body, locked_until)
        select ${claim.principal}, ${claim.key}, ${claim.hash}, ${claim.method}, ${claim.path}, ${response.status}::int, ${JSON.stringify(response.headers)}::jsonb, ${this.#seal(claim, response.body)}, now()
        from wrote where yes
        on conflict (principal, key) do update set request_hash = excluded.request_hash, method = excluded.method, path = excluded.path, status_code = excluded.status_code,
          response_headers = excluded.response_headers, response_body = excluded.response_body, locked_until = excluded.locked_until
        -- only over a claim left by an older version of this code whose holder is gone
        where k.status_code is null and k.locked_until < now()
        returning 1
      )
      select (select yes from wrote) as wrote, (select count(*) from recorded)::int as recorded`.execute(tx);
    const row = rows[0]!;
    if (!row.wrote) return 'read-only';
    return row.recorded === 1 ? 'recorded' : 'taken';
  }

  /** After the response: records it unless someone recorded the key first; returns their record then. */
  async recordUnlessTaken(claim: Claim, response: StoredResponse): Promise<IdempotencyRow | undefined> {
    const inserted = await this.db
      .insertInto('kernel.idempotency_keys')
      .values({
        principal: claim.principal,
        key: claim.key,
        request_hash: claim.hash,
        method: claim.method,
        path: claim.path,
        status_code: response.status,
        response_headers: JSON.stringify(response.headers) as unknown as Record<string, string>,
        response_body: this.#seal(claim, response.body),
        locked_until: this.clock.now(),
        created_at: undefined,
      })
      .onConflict((oc) => oc.columns(['principal', 'key']).doNothing())
      .returning('key')
      .executeTakeFirst();
    return inserted ? undefined : this.find(claim.principal, claim.key);
  }

  /** Replaces what the transaction recorded with exactly what was sent (a route that added headers such as Location). */
  async rewrite(claim: Claim, response: StoredResponse): Promise<void> {
    await this.db
      .updateTable('kernel.idempotency_keys')
      .set({ status_code: response.status, response_headers: JSON.stringify(response.headers) as unknown as Record<string, string>, response_body: this.#seal(claim, response.body) })
      .where('principal', '=', claim.principal)
      .where('key', '=', claim.key)
      .execute();
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

/** The route's success status: its one declared 2xx response (201 for creations), else 200. */
function successStatus(request: FastifyRequest): number {
  const declared = Object.keys((request.routeOptions.schema?.response as Record<string, unknown> | undefined) ?? {})
    .map(Number)
    .filter((status) => status >= 200 && status < 300);
  return declared.length === 1 ? declared[0]! : 200;
}

/**
 * The response a route will send for its use case's result, rendered before COMMIT the way Fastify
 * will render it (the route's response schema for that status). Routes are thin: the body is the
 * result. Headers a route adds afterwards (Location, ETag) are recorded once the response is sent.
 */
function render(request: FastifyRequest, reply: FastifyReply, result: unknown): StoredResponse | undefined {
  const status = successStatus(request);
  if (status === 204) return { status, headers: {}, body: '' };
  if (result === undefined) return undefined;
  const serialize = reply.getSerializationFunction(String(status)) as ((value: unknown) => string) | undefined;
  try {
    return { status, headers: { 'content-type': 'application/json; charset=utf-8' }, body: serialize ? serialize(result) : JSON.stringify(result) };
  } catch {
    return undefined;
  }
}

function sameResponse(a: StoredResponse, b: StoredResponse): boolean {
  return a.status === b.status && a.body === b.body && canonicalJson(a.headers) === canonicalJson(b.headers);
}

function replay(store: IdempotencyStore, reply: FastifyReply, row: IdempotencyRow): string {
  const headers = typeof row.response_headers === 'string' ? (JSON.parse(row.response_headers) as Record<string, string>) : (row.response_headers ?? {});
  for (const [name, value] of Object.entries(headers)) reply.header(name, value);
  reply.header('idempotent-replayed', 'true');
  reply.status(row.status_code!);
  return store.bodyOf(row);
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
    const found = await store.find(principal, key);
    if (found && found.request_hash !== hash) {
      return sendProblem(reply, problem(request, 'PLAT_IDEMPOTENCY_KEY_REUSED', `The Idempotency-Key was first used for ${found.method} ${found.path} with another body.`));
    }
    if (found && found.status_code !== null) return reply.send(replay(store, reply, found));
    if (found && store.stillHeld(found)) {
      // A claim written by an older version of this code, its request perhaps still running.
      reply.header('retry-after', '1');
      return sendProblem(reply, problem(request, 'PLAT_IDEMPOTENCY_KEY_IN_USE', 'The first request with this key has not finished yet.'));
    }
    request.idempotency = { principal, key, hash, method: request.method, path };
  });

  // The handler runs with a commit hook: its first transaction that changes anything and commits
  // records the response in that same transaction. Transactions that write beside the outcome (a
  // failed attempt's audit entry, a lockout) run as inSideTransaction and never record: they commit
  // before the outcome is known, often just before a refusal. (A callback hook, so that everything after it runs inside
  // the async context; an async hook's continuation would not.)
  app.addHook('preHandler', (request, reply, done) => {
    const claim = request.idempotency;
    if (!claim) return done();
    withCommitHook(
      {
        beforeCommit: async (tx, result) => {
          if (claim.recorded || claim.answered) return;
          const response = render(request, reply, result);
          // Not the shape of the route's response: a transaction that only reads (say, a lookup
          // before the change), which has nothing to record.
          if (!response) return;
          const outcome = await store.recordInTransaction(tx, claim, response);
          if (outcome === 'taken') throw new KeyRecordedMeanwhileError('Another request with this Idempotency-Key finished first.');
          if (outcome !== 'recorded') return;
          claim.recorded = response;
          // Recorded only if the COMMIT succeeds: should it fail, the record went with it, and the
          // request's next writing transaction (a retry of this one) must record instead.
          return () => {
            if (claim.recorded === response) claim.recorded = undefined;
          };
        },
      },
      done,
    );
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const claim = request.idempotency;
    if (!claim) return payload;
    request.idempotency = undefined;
    claim.answered = true;
    const status = reply.statusCode;
    // A server error (the database gone, a bug) records nothing: whatever its transaction
    // committed was recorded with it, and otherwise the retry should run again.
    if (status >= 500) return payload;
    const headers: Record<string, string> = {};
    for (const name of REPLAYED_HEADERS) {
      const value = reply.getHeader(name);
      if (value !== undefined) headers[name] = String(value);
    }
    const sent = { status, headers, body: typeof payload === 'string' ? payload : payload == null ? '' : String(payload) };
    if (claim.recorded) {
      if (!sameResponse(claim.recorded, sent)) await store.rewrite(claim, sent);
      return payload;
    }
    // Nothing was committed (a refusal, or a request that writes nothing): record the answer now,
    // unless another request with this key recorded one first — then that is the answer.
    const first = await store.recordUnlessTaken(claim, sent);
    if (!first || first.status_code === null) return payload;
    if (first.request_hash !== claim.hash) {
      reply.status(422).type(PROBLEM_CONTENT_TYPE);
      return JSON.stringify(problem(request, 'PLAT_IDEMPOTENCY_KEY_REUSED', `The Idempotency-Key was first used for ${first.method} ${first.path} with another body.`));
    }
    for (const name of REPLAYED_HEADERS) reply.removeHeader(name);
    return replay(store, reply, first);
  });
}
