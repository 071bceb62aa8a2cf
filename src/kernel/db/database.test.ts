// The row-level-security context belongs to one transaction: a pooled connection must never carry
// it into the next piece of work, whether the transaction committed or failed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.js';
import pg from 'pg';
import { createDb, createPool, inTransaction, sql, type Db } from './database.js';
import { translateDatabaseError } from './errors.js';

let database: TestDatabase;
let db: Db;

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDb(createPool(database.appUrl, 1)); // one connection: every call reuses it
});
afterAll(async () => {
  await db.destroy();
  await database.drop();
});

async function contextOutsideTransactions() {
  const { rows } = await sql<{ tenant: string | null; platform: string | null; actor: string | null }>`
    select current_setting('app.tenant_id', true) as tenant, current_setting('app.platform_scope', true) as platform,
           current_setting('app.actor_id', true) as actor`.execute(db);
  return rows[0];
}

const cleared = (value: string | null | undefined) => value === null || value === '';

describe('inTransaction', () => {
  it('sets the tenant, scope and actor inside the transaction only', async () => {
    const inside = await inTransaction(db, { scope: { kind: 'tenant', tenantId: 'ten_01jabcdefghjkmnpqrstvwxyz0' }, actorId: "usr_o'brien" }, async (tx) => {
      const { rows } = await sql<{ tenant: string; platform: string; actor: string }>`
        select current_setting('app.tenant_id') as tenant, current_setting('app.platform_scope') as platform, current_setting('app.actor_id') as actor`.execute(tx);
      return rows[0];
    });
    expect(inside).toEqual({ tenant: 'ten_01jabcdefghjkmnpqrstvwxyz0', platform: 'off', actor: "usr_o'brien" });
    const after = await contextOutsideTransactions();
    expect(cleared(after?.tenant) && cleared(after?.platform) && cleared(after?.actor)).toBe(true);
  });

  it('rolls back everything and clears the context when the work fails', async () => {
    await expect(
      inTransaction(db, { scope: { kind: 'platform' }, actorId: 'system' }, async (tx) => {
        await sql`insert into kernel.idempotency_keys (principal, key, request_hash, method, path, locked_until) values ('p', 'k', 'h', 'POST', '/', now())`.execute(tx);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from kernel.idempotency_keys`.execute(db);
    expect(rows[0]?.n).toBe(0);
    const after = await contextOutsideTransactions();
    expect(cleared(after?.platform)).toBe(true);
  });
});

describe('column types', () => {
  it('reads bigint as an exact bigint, beyond 2^53, and writes it back unchanged', async () => {
    const beyondDoubles = 2n ** 53n + 1n; // a Number would read 9007199254740992
    const largest = 9_223_372_036_854_775_807n;
    const { rows } = await sql<{ read: bigint; back: bigint; largest: bigint; counted: bigint; amount: string }>`
      select ${'9007199254740993'}::bigint as read, ${beyondDoubles}::bigint + 0 as back, ${largest.toString()}::bigint as largest,
             count(*) as counted, 12.345::numeric as amount from generate_series(1, 3)`.execute(db);
    expect(rows[0]).toEqual({ read: beyondDoubles, back: beyondDoubles, largest, counted: 3n, amount: '12.345' });
  });
});

describe('a pool whose server goes away', () => {
  it('survives a lent-out connection losing its server: that work fails as "database unavailable" (503), and the pool serves again', async () => {
    const pool = createPool(database.appUrl, 2);
    const other = createDb(pool);
    const admin = new pg.Client({ connectionString: database.ownerUrl });
    await admin.connect();
    try {
      // Lent out with nothing running (a transaction between two statements, a LISTEN connection):
      // pg-pool stops listening to it, so its 'error' event would end the process unheard.
      const client = await pool.connect();
      const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
      const ended = new Promise((resolve) => client.once('end', resolve));
      await admin.query('select pg_terminate_backend($1)', [rows[0]!.pid]);
      await ended;
      const error: unknown = await client.query('select 1').catch((e: unknown) => e);
      expect(translateDatabaseError(error)?.code).toBe('PLAT_DATABASE_UNAVAILABLE');
      client.release();
      const { rows: again } = await sql<{ one: number }>`select 1 as one`.execute(other);
      expect(again).toEqual([{ one: 1 }]);
    } finally {
      await admin.end();
      await other.destroy();
    }
  });
});
