// Each module owns its migrations: reviewed SQL files named `YYYYMMDDHHMM_description.sql` in its
// `migrations/` folder, each in the module's own PostgreSQL schema. They run in timestamp order
// across modules, each once, in its own transaction, under one advisory lock so two processes
// starting together do not race. A database that has migrations this code does not know was
// migrated by a newer version and is refused.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';

export interface MigrationSource {
  /** The module that owns the migrations. */
  module: string;
  /** Absolute path of its `migrations/` folder. */
  directory: string;
}

export interface Migration {
  module: string;
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationState {
  applied: string[];
  pending: string[];
  /** Applied in the database but unknown to this code: the database is newer. */
  unknown: string[];
  /** Applied, but the file changed since. */
  changed: string[];
}

export class SchemaNewerThanCodeError extends Error {
  constructor(readonly unknown: string[]) {
    super(
      `The database was migrated by a newer version of Platforma (it has ${unknown.length} migration(s) this version does not know, first: ${unknown[0]}). ` +
        'Upgrade Platforma, or point it at another database.',
    );
    this.name = 'SchemaNewerThanCodeError';
  }
}

const LOCK_KEY = 'platforma.migrations';
const FILE_NAME = /^\d{12}_[a-z0-9_]+\.sql$/;

export function loadMigrations(sources: MigrationSource[]): Migration[] {
  const all: Migration[] = [];
  for (const source of sources) {
    if (!existsSync(source.directory)) continue;
    for (const file of readdirSync(source.directory).sort()) {
      if (!file.endsWith('.sql')) continue;
      if (!FILE_NAME.test(file)) throw new Error(`migration ${source.module}/${file}: name must look like 202611210900_create_tenants.sql`);
      const sql = readFileSync(join(source.directory, file), 'utf8');
      all.push({ module: source.module, name: file, sql, checksum: createHash('sha256').update(sql).digest('hex') });
    }
  }
  return all.sort((a, b) => a.name.localeCompare(b.name) || a.module.localeCompare(b.module));
}

const key = (m: { module: string; name: string }) => `${m.module}/${m.name}`;

async function ensureLedger(client: pg.ClientBase): Promise<void> {
  await client.query(`
    create schema if not exists platforma_meta;
    create table if not exists platforma_meta.schema_migrations (
      module text not null,
      name text not null,
      checksum text not null,
      applied_at timestamptz not null default now(),
      primary key (module, name)
    );
    grant usage on schema platforma_meta to platforma_app;
    grant select on platforma_meta.schema_migrations to platforma_app;`);
}

export async function readMigrationState(client: pg.ClientBase, migrations: Migration[]): Promise<MigrationState> {
  const exists = await client.query("select to_regclass('platforma_meta.schema_migrations') is not null as present");
  const rows: { module: string; name: string; checksum: string }[] = (exists.rows[0] as { present: boolean }).present
    ? (await client.query('select module, name, checksum from platforma_meta.schema_migrations')).rows
    : [];
  const appliedByKey = new Map(rows.map((row) => [key(row), row.checksum]));
  const known = new Set(migrations.map(key));
  return {
    applied: migrations.filter((m) => appliedByKey.has(key(m))).map(key),
    pending: migrations.filter((m) => !appliedByKey.has(key(m))).map(key),
    unknown: [...appliedByKey.keys()].filter((k) => !known.has(k)).sort(),
    changed: migrations.filter((m) => appliedByKey.has(key(m)) && appliedByKey.get(key(m)) !== m.checksum).map(key),
  };
}

/** Applies pending migrations; returns the ones this call applied. */
export async function migrate(connectionString: string, migrations: Migration[], afterEach?: (client: pg.ClientBase) => Promise<void>): Promise<string[]> {
  const client = new pg.Client({ connectionString, application_name: 'platforma-migrate' });
  await client.connect();
  const applied: string[] = [];
  try {
    // Session-level lock: held across the per-migration transactions below, released at the end.
    await client.query('select pg_advisory_lock(hashtext($1))', [LOCK_KEY]);
    await ensureLedger(client);
    const state = await readMigrationState(client, migrations);
    if (state.unknown.length > 0) throw new SchemaNewerThanCodeError(state.unknown);
    if (state.changed.length > 0) {
      throw new Error(`Applied migration(s) were edited after being applied: ${state.changed.join(', ')}. Add a new migration instead.`);
    }
    const pending = new Set(state.pending);
    for (const migration of migrations) {
      if (!pending.has(key(migration))) continue;
      await client.query('begin');
      try {
        await client.query(migration.sql);
        await client.query('insert into platforma_meta.schema_migrations (module, name, checksum) values ($1, $2, $3)', [
          migration.module,
          migration.name,
          migration.checksum,
        ]);
        await client.query('commit');
      } catch (error) {
        await client.query('rollback');
        throw new Error(`migration ${key(migration)} failed: ${(error as Error).message}`, { cause: error });
      }
      applied.push(key(migration));
    }
    if (afterEach) await afterEach(client);
  } finally {
    await client.query('select pg_advisory_unlock(hashtext($1))', [LOCK_KEY]).catch(() => {});
    await client.end();
  }
  return applied;
}

/** Throws unless every known migration is applied and none is unknown (what /readyz and start check). */
export async function assertMigrated(client: pg.ClientBase, migrations: Migration[]): Promise<void> {
  const state = await readMigrationState(client, migrations);
  if (state.unknown.length > 0) throw new SchemaNewerThanCodeError(state.unknown);
  if (state.pending.length > 0) throw new Error(`${state.pending.length} migration(s) not applied yet; run \`platforma migrate\``);
}
