// Migrations: two processes starting together apply each migration exactly once; a database
// migrated by a newer version (or with an edited migration) is refused, and /readyz says so.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createEmptyDatabase, type TestDatabase } from '../../../test/support/database.js';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.js';
import { MIGRATION_SOURCES, QUEUES, migrateDatabase } from '../../platform.js';
import { SchemaNewerThanCodeError, loadMigrations, migrate } from './migrations.js';
import { CRON_RELAY_QUEUE } from '../jobs.js';

const databases: TestDatabase[] = [];
afterAll(async () => {
  for (const database of databases) await database.drop();
});

async function query<T>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, values)).rows as T[];
  } finally {
    await client.end();
  }
}

const expected = loadMigrations(MIGRATION_SOURCES).map((m) => `${m.module}/${m.name}`).sort();

describe('on an empty database', () => {
  it('two migrations started at once both succeed and apply every migration exactly once', async () => {
    const database = await createEmptyDatabase();
    databases.push(database);
    expect(await query(database.ownerUrl, "select to_regclass('platforma_meta.schema_migrations') as t")).toEqual([{ t: null }]);

    const results = await Promise.all([migrateDatabase(database.ownerUrl, database.appUrl), migrateDatabase(database.ownerUrl, database.appUrl)]);
    // One of them did the work, the other waited on the lock and found nothing left to do.
    const sorted = [...results].sort((x, y) => x.length - y.length);
    expect(sorted[0]).toEqual([]);
    expect([...(sorted[1] ?? [])].sort()).toEqual(expected);

    const rows = await query<{ key: string }>(database.ownerUrl, "select module || '/' || name as key from platforma_meta.schema_migrations order by 1");
    expect(expected.length).toBeGreaterThan(0);
    expect(rows.map((r) => r.key)).toEqual(expected);

    // The job queue's schema is installed once, with each queue once.
    const versions = await query<{ n: number }>(database.ownerUrl, 'select count(*)::int as n from pgboss.version');
    expect(versions).toEqual([{ n: 1 }]);
    const queues = await query<{ name: string }>(database.ownerUrl, 'select name from pgboss.queue order by name');
    // …including pg-boss's cron relay queue, which the application role could not create itself.
    expect(queues.map((q) => q.name)).toEqual([...QUEUES.map((q) => q.name), CRON_RELAY_QUEUE].sort());

    // Running it again applies nothing and changes nothing.
    expect(await migrateDatabase(database.ownerUrl, database.appUrl)).toEqual([]);
    expect(await query(database.ownerUrl, 'select count(*)::int as n from platforma_meta.schema_migrations')).toEqual([{ n: expected.length }]);
  });

  it('a failing migration is rolled back whole, is not recorded, and releases the lock', async () => {
    const database = await createEmptyDatabase();
    databases.push(database);
    const directory = mkdtempSync(join(tmpdir(), 'platforma-migrations-'));
    try {
      writeFileSync(join(directory, '209901010000_first.sql'), 'create table public.first_table (id int);');
      writeFileSync(join(directory, '209901010100_second.sql'), 'create table public.second_table (id int); select 1/0;');
      const sources = [{ module: 'scratch', directory }];
      await expect(migrate(database.ownerUrl, loadMigrations(sources))).rejects.toThrow(/scratch\/209901010100_second\.sql failed: division by zero/);
      const applied = await query<{ name: string }>(database.ownerUrl, 'select name from platforma_meta.schema_migrations');
      expect(applied.map((r) => r.name)).toEqual(['209901010000_first.sql']);
      expect(await query(database.ownerUrl, "select to_regclass('public.second_table') as t")).toEqual([{ t: null }]);

      // Fixed, the next run (which would hang if the lock were still held) applies only the rest.
      writeFileSync(join(directory, '209901010100_second.sql'), 'create table public.second_table (id int);');
      expect(await migrate(database.ownerUrl, loadMigrations(sources))).toEqual(['scratch/209901010100_second.sql']);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

describe('on a database this code did not fully write', () => {
  // One platform for these cases; each puts the ledger back as it found it.
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform();
  });
  afterAll(async () => {
    await t?.close();
  });
  const ledger = () => query<{ module: string; name: string; checksum: string }>(t.database.ownerUrl, 'select module, name, checksum from platforma_meta.schema_migrations order by 1, 2');
  let saved: Awaited<ReturnType<typeof ledger>>;
  beforeEach(async () => {
    saved = await ledger();
  });
  afterEach(async () => {
    const client = new pg.Client({ connectionString: t.database.ownerUrl });
    await client.connect();
    try {
      await client.query('begin');
      await client.query('delete from platforma_meta.schema_migrations');
      for (const row of saved) await client.query('insert into platforma_meta.schema_migrations (module, name, checksum) values ($1, $2, $3)', [row.module, row.name, row.checksum]);
      await client.query('commit');
    } finally {
      await client.end();
    }
    expect((await t.platform.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
  });

  it('refuses a database with a migration it does not know, telling the operator to upgrade, and /readyz answers 503', async () => {
    const ready = await t.platform.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);

    await query(t.database.ownerUrl, "insert into platforma_meta.schema_migrations (module, name, checksum) values ('tenants', '209912312359_from_the_future.sql', 'x')");
    const error = await migrateDatabase(t.database.ownerUrl, t.database.appUrl).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SchemaNewerThanCodeError);
    expect((error as Error).message).toMatch(/newer version/);
    expect((error as Error).message).toMatch(/Upgrade Platforma/);
    expect((error as Error).message).toContain('tenants/209912312359_from_the_future.sql');

    const notReady = await t.platform.app.inject({ method: 'GET', url: '/readyz' });
    expect(notReady.statusCode).toBe(503);
    expect(notReady.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(notReady.json().detail).toMatch(/newer version/);
  });

  it('refuses a database where an applied migration’s file has changed since', async () => {
    const [first] = loadMigrations(MIGRATION_SOURCES);
    if (!first) throw new Error('no migrations');
    await query(t.database.ownerUrl, "update platforma_meta.schema_migrations set checksum = 'edited' where module = $1 and name = $2", [first.module, first.name]);
    await expect(migrateDatabase(t.database.ownerUrl, t.database.appUrl)).rejects.toThrow(new RegExp(`edited after being applied: ${first.module}/${first.name}`));
    // Nothing was applied or recorded on the way to the refusal.
    expect(await query(t.database.ownerUrl, 'select count(*)::int as n from platforma_meta.schema_migrations')).toEqual([{ n: expected.length }]);
  });

  it('reports a database with pending migrations as not ready', async () => {
    const [, second] = loadMigrations(MIGRATION_SOURCES);
    if (!second) throw new Error('need two migrations');
    await query(t.database.ownerUrl, 'delete from platforma_meta.schema_migrations where module = $1 and name = $2', [second.module, second.name]);
    const response = await t.platform.app.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(503);
    expect(response.json().detail).toMatch(/not applied yet/);
  });
});
