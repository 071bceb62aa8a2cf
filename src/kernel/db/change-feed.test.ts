// Row caches stay right across processes: a change committed by anyone empties the caches that read
// the changed table, a change made through this process's pool has emptied them before its COMMIT
// returns, and nothing is kept while the feed cannot hear changes.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.js';
import { systemClock } from '../clock.js';
import { createLogger } from '../logging.js';
import { CHANGE_FEED_APPLICATION, ChangeFeed, RowCache } from './change-feed.js';
import { createPool } from './database.js';

let database: TestDatabase;
let pool: pg.Pool;
let feed: ChangeFeed;
let elsewhere: pg.Client;
/** How often a subscriber of a module's own channel was told something may have changed. */
let channelCalls = 0;

beforeAll(async () => {
  database = await createTestDatabase();
  pool = createPool(database.ownerUrl, 2);
  feed = new ChangeFeed(createLogger('silent'));
  feed.onNotification('feed_test_changed', () => channelCalls++);
  await feed.listen(pool);
  elsewhere = new pg.Client({ connectionString: database.ownerUrl }); // stands for another process
  await elsewhere.connect();
});
afterAll(async () => {
  await elsewhere?.end();
  await feed?.stop();
  await pool?.end();
  await database?.drop();
});

/** A cache whose loads are counted. */
function counted(tables: string[]) {
  const cache = new RowCache<number>(feed, tables, systemClock);
  let loads = 0;
  return { read: async () => (await cache.get('key', async () => ++loads)) ?? 0, loads: () => loads };
}

async function eventually(condition: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met within 5 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('row caches', () => {
  it('keep what they read until a table they read from changes in another process', async () => {
    const rules = counted(['orders.approval_rules']);
    expect(await rules.read()).toBe(1);
    expect(await rules.read()).toBe(1);
    // A table the cache does not read from changes: it keeps its value.
    await elsewhere.query(`update tenancy.tenants set updated_at = updated_at`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await rules.read()).toBe(1);
    await elsewhere.query(`insert into orders.approval_rules (rule_id, name, condition, created_at) values ('apr_01jaaaaaaaaaaaaaaaaaaaaaaa', 'Big', '{"type":"quantity_above","quantity":5}', now())`);
    await eventually(async () => (await rules.read()) === 2);
  });

  it('are empty before the COMMIT of a change made through this process returns', async () => {
    const tenants = counted(['tenancy.tenants']);
    expect(await tenants.read()).toBe(1);
    const client = await pool.connect();
    try {
      await client.query('begin');
      await client.query(`update tenancy.tenants set updated_at = updated_at`);
      await client.query('commit');
    } finally {
      client.release();
    }
    expect(await tenants.read()).toBe(2);
  });

  it('ignore stock being taken or returned, but not a product being edited', async () => {
    const products = counted(['catalog.products']);
    expect(await products.read()).toBe(1);
    await elsewhere.query(`insert into catalog.products (product_id, code, kind, name, description, category, images, visibility, capacity, created_at, updated_at)
      values ('prd_01jaaaaaaaaaaaaaaaaaaaaaaa', 'feed-test', 'compute', 'Feed test', '', 'c', '[]', '{"mode":"public"}', 10, now(), now())`);
    await eventually(async () => (await products.read()) === 2);
    // Every listening connection (the dedicated one and idle pooled ones) hands over the insert's
    // notification, each emptying the cache: let them all arrive before taking the baseline.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const settled = await products.read();
    await elsewhere.query(`update catalog.products set capacity_used = capacity_used + 1 where product_id = 'prd_01jaaaaaaaaaaaaaaaaaaaaaaa'`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await products.read()).toBe(settled);
    await elsewhere.query(`update catalog.products set name = 'Renamed' where product_id = 'prd_01jaaaaaaaaaaaaaaaaaaaaaaa'`);
    await eventually(async () => (await products.read()) > settled);
  });

  it('keep nothing while the feed cannot hear changes', async () => {
    const deaf = new ChangeFeed(createLogger('silent')); // never listens
    const cache = new RowCache<number>(deaf, ['tenancy.tenants'], systemClock);
    let loads = 0;
    await cache.get('key', async () => ++loads);
    await cache.get('key', async () => ++loads);
    expect(loads).toBe(2);
  });
});

describe('a module\'s own channel', () => {
  it('reaches its subscribers from another process and from this one, on the one listener', async () => {
    const before = channelCalls;
    await elsewhere.query(`notify feed_test_changed, 'anything'`);
    await eventually(async () => channelCalls > before);
    const client = await pool.connect();
    try {
      const seen = channelCalls;
      await client.query(`begin; select pg_notify('feed_test_changed', ''); commit`);
      expect(channelCalls).toBeGreaterThan(seen); // heard before the COMMIT returned
    } finally {
      client.release();
    }
    const { rows } = await elsewhere.query<{ n: number }>(`select count(*)::int as n from pg_stat_activity where datname = current_database() and application_name = $1`, [CHANGE_FEED_APPLICATION]);
    expect(rows[0]!.n).toBe(1);
  });

  it('cannot be added once the feed listens (a pooled connection opened before would not hear it)', () => {
    expect(() => feed.onNotification('too_late_changed', () => {})).toThrow(/before it starts/);
  });

  it('is told everything may have changed when the listener is lost, and is heard again once it reconnects', async () => {
    const rules = counted(['orders.approval_rules']);
    expect(await rules.read()).toBeGreaterThan(0);
    const cached = await rules.read();
    const before = channelCalls;
    await elsewhere.query(`select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and application_name = $1`, [CHANGE_FEED_APPLICATION]);
    await eventually(async () => !feed.active && channelCalls > before);
    expect(await rules.read()).toBeGreaterThan(cached); // emptied, and nothing kept while deaf
    await eventually(async () => feed.active);
    const reconnected = channelCalls;
    await elsewhere.query(`notify feed_test_changed`);
    await eventually(async () => channelCalls > reconnected);
  });
});
