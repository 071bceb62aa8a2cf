// Connection pools and the one way to run work against tenant data: a transaction that first sets
// the row-level-security context (`app.tenant_id`, or platform scope for staff) and the actor.
import { AsyncLocalStorage } from 'node:async_hooks';
import pg from 'pg';
import { Kysely, PostgresDialect, sql, type PostgresPool, type PostgresPoolClient } from 'kysely';
import type { Tables } from './tables.js';

export type Db = Kysely<Tables>;
/**
 * A query builder bound to one connection inside an open transaction (see inTransaction). Typed as
 * Kysely rather than Kysely's Transaction because we open the transaction ourselves.
 */
export type Tx = Kysely<Tables>;

const INT8 = 20;

/**
 * How our pools read column types. bigint (int8) becomes a JS bigint: amounts are bigint minor
 * units (ARCHITECTURE.md §10) and a Number would silently round anything above 2^53. So COUNT(*)
 * and SUM(...) (int8 and numeric in PostgreSQL) are cast to int in SQL where the value is a small
 * count, and int8 columns are declared `bigint` in the repositories' row types. numeric stays a
 * string (decimals travel as strings). Set per pool, not on pg's global registry, so libraries
 * with connections of their own (pg-boss) keep the types they were written for.
 */
export const columnTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === INT8 && format !== 'binary' ? (value: string) => BigInt(value) : pg.types.getTypeParser(oid, format))) as pg.CustomTypesConfig['getTypeParser'],
};

export function createPool(connectionString: string, max = 10): pg.Pool {
  // A bounded wait to connect: while the database is gone, a request fails fast with 503 instead of
  // hanging (it also bounds the wait for a free connection, which is milliseconds in normal use).
  const pool = new pg.Pool({ connectionString, max, application_name: 'platforma', connectionTimeoutMillis: 5_000, types: columnTypes });
  // A client losing its server (crash, restart, network) emits 'error'; unheard, that event ends
  // the process. pg-pool listens only while a client is idle, and drops its listener while the
  // client is lent out (a transaction between two statements, a LISTEN connection), so every
  // client gets a listener of its own for its whole life. The query in flight fails on its own
  // (answered 503), and pg-pool discards the broken client when it comes back.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
}

/** How many distinct statements a process prepares; beyond that they run unnamed (parsed each time). */
const MAX_PREPARED_STATEMENTS = 2_000;

/**
 * Names each parameterised statement after its text, so every pooled connection parses and plans
 * it once and afterwards only binds and executes it. Kysely builds the same text for the same
 * query shape (values travel as parameters), so the hot paths are a few hundred statements; the
 * cap bounds what shapes with a varying number of placeholders can add. Statements without
 * parameters (BEGIN, COMMIT, the transaction context) stay on the simple protocol.
 */
class StatementNames {
  readonly #names = new Map<string, string>();

  nameOf(text: string): string | undefined {
    let name = this.#names.get(text);
    if (name === undefined && this.#names.size < MAX_PREPARED_STATEMENTS) {
      name = `k${this.#names.size.toString(36)}`;
      this.#names.set(text, name);
    }
    return name;
  }
}

/** A pg pool as Kysely sees it, whose clients run parameterised statements as named prepared statements. */
function preparingPool(pool: pg.Pool, names: StatementNames): PostgresPool {
  return {
    async connect() {
      const client = await pool.connect();
      return {
        query: (text: string, values: unknown[]) => {
          const name = values.length > 0 ? names.nameOf(text) : undefined;
          return client.query(name === undefined ? { text, values } : { name, text, values });
        },
        release: (destroy?: boolean | Error) => client.release(destroy),
      } as unknown as PostgresPoolClient;
    },
    end: () => pool.end(),
  };
}

/** One naming for the whole process: a connection shared by two Db instances must never see one name for two texts. */
const statementNames = new StatementNames();

export function createDb(pool: pg.Pool): Db {
  return new Kysely<Tables>({ dialect: new PostgresDialect({ pool: preparingPool(pool, statementNames) }) });
}

/**
 * Who a transaction runs for. `tenantId` scopes row-level security to one tenant; `platform`
 * lifts it for platform staff (the service layer decides who may ask for that).
 */
export type DataScope = { kind: 'tenant'; tenantId: string } | { kind: 'platform' } | { kind: 'none' };

export interface TxContext {
  scope: DataScope;
  /** The actor id recorded by triggers and audit (`usr_…`, `system`). */
  actorId: string;
}

/** A SQL string literal; used only for the context values, which are ids and flags we produced. */
function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * What the request being served asks of its transactions before they commit. The idempotency layer
 * (gateway/http/idempotency.ts) uses it to write the response a retry will get in the same
 * transaction as the change it describes, so a crash can never leave one without the other. The
 * hook is passed by async context rather than through every service's TxContext: it belongs to
 * the HTTP request, not to the use case, and no service has to remember it.
 */
export interface CommitHook {
  /**
   * Runs inside the transaction after its work succeeded, before COMMIT; throwing rolls it back.
   * May return what to undo should the COMMIT itself fail (then nothing it wrote exists).
   */
  beforeCommit(tx: Tx, result: unknown): Promise<(() => void) | void>;
}

const commitHooks = new AsyncLocalStorage<CommitHook>();

/** Runs `work` (and everything it starts) with `hook` applied to each transaction it commits. */
export function withCommitHook<T>(hook: CommitHook, work: () => T): T {
  return commitHooks.run(hook, work);
}

export async function inTransaction<T>(db: Db, context: TxContext, work: (tx: Tx) => Promise<T>): Promise<T> {
  const tenantId = context.scope.kind === 'tenant' ? context.scope.tenantId : '';
  const platform = context.scope.kind === 'platform' ? 'on' : 'off';
  // BEGIN and the context travel in one simple-protocol round trip (parameters would need the
  // extended protocol, which allows one statement per message). set_config(..., true) is SET LOCAL:
  // it ends with the transaction, so a pooled connection never carries one request's tenant into
  // the next.
  const open = sql.raw(
    `begin; select set_config('app.tenant_id', ${literal(tenantId)}, true), set_config('app.platform_scope', '${platform}', true), set_config('app.actor_id', ${literal(context.actorId)}, true)`,
  );
  return db.connection().execute(async (connection) => {
    await open.execute(connection);
    let result: T;
    let undo: (() => void) | void;
    try {
      result = await work(connection);
      undo = await commitHooks.getStore()?.beforeCommit(connection, result);
    } catch (error) {
      await sql.raw('rollback').execute(connection).catch(() => {});
      throw error;
    }
    try {
      await sql.raw('commit').execute(connection);
    } catch (error) {
      // A deferred constraint, a serialization failure, the connection lost: what the hook wrote
      // was rolled back with the rest (or its fate is unknown), so it must not count as written.
      undo?.();
      throw error;
    }
    return result;
  });
}

/**
 * A transaction that records something beside the outcome of the request being served: the audit
 * entry of a failed attempt, a lockout. It never carries the request's idempotency record (the
 * commit hook does not apply to it): it commits before the request knows its outcome, often right
 * before a refusal, and a record written with it would let a retry after a crash replay an answer
 * the request never gave (a 204 for a password that was never changed). The refusal itself is
 * recorded once it is sent (gateway/http/idempotency.ts; docs/adr/0010).
 */
export function inSideTransaction<T>(db: Db, context: TxContext, work: (tx: Tx) => Promise<T>): Promise<T> {
  return commitHooks.exit(() => inTransaction(db, context, work));
}

export { sql };
