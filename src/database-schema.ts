// What the database must hold for this version of the code: every module's migrations and every
// job queue. Apart from the composition root (platform.ts) so that `platforma migrate`, `doctor`
// and `audit` load the database machinery without the HTTP server and the modules' dependencies.
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { loadMigrations, migrate, type MigrationSource } from './kernel/db/migrations.js';
import { ensureAppRole, type AppPasswordAuthority } from './kernel/db/roles.js';
import { installJobQueue, type QueueDefinition } from './kernel/jobs.js';
import { KERNEL_QUEUES } from './kernel/queues.js';
import { MODULES } from './registry.js';

/**
 * Every migration folder: the kernel's, then each registered module's. Migrations apply in the
 * order of their timestamps across folders, so the list's order does not matter.
 */
export const MIGRATION_SOURCES: MigrationSource[] = [
  { module: 'kernel', directory: fileURLToPath(new URL('./kernel/migrations', import.meta.url)) },
  ...MODULES.flatMap((module) => (module.migrations ? [{ module: module.name, directory: module.migrations }] : [])),
];

/** Every job queue; created by the owner during migration (the application role cannot create them). */
export const QUEUES: QueueDefinition[] = [...KERNEL_QUEUES, ...MODULES.flatMap((module) => module.queues ?? [])];

/**
 * Brings the database to the code's schema: roles, module migrations, the job queue's schema.
 * `appUrl` is where the server will connect as the application role. Its password becomes the
 * role's when `appPassword` is 'authoritative' (DATABASE_APP_URL, the embedded server); a 'local'
 * one (generated under PLATFORMA_HOME for an external database) only creates the role, and an
 * existing role with another password fails here naming DATABASE_APP_URL (docs/adr/0012).
 */
export async function migrateDatabase(ownerUrl: string, appUrl: string, appPassword: AppPasswordAuthority = 'authoritative'): Promise<string[]> {
  const admin = new pg.Client({ connectionString: ownerUrl });
  await admin.connect();
  try {
    await ensureAppRole(admin, appUrl, appPassword);
  } finally {
    await admin.end();
  }
  return migrate(ownerUrl, loadMigrations(MIGRATION_SOURCES), (client) => installJobQueue(ownerUrl, QUEUES, client));
}
