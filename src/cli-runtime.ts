// Everything the command line's commands run on, in one module that main.ts loads only when a
// command is about to run: `platforma --help` and `--version` need none of it. The platform itself
// (the HTTP server, the modules and their dependencies: most of a command's start-up time) is
// loaded further down, only by the commands that create one (platformModules).
export { default as pg } from 'pg';
export { createLogger } from './kernel/logging.js';
export { locateDatabase } from './kernel/db/location.js';
export { loadMigrations, readMigrationState } from './kernel/db/migrations.js';
export { createDb, createPool } from './kernel/db/database.js';
export { verifyAuditChains } from './kernel/audit.js';
export { createAuditCheckpoint, loadAuditSigner } from './kernel/audit-checkpoints.js';
export { systemClock } from './kernel/clock.js';
export { migrateDatabase, MIGRATION_SOURCES } from './database-schema.js';

/** The composition root: loaded only by the commands that build a platform. */
export async function platformModules() {
  const { createPlatform, createConsolePlatform } = await import('./platform.js');
  return { createPlatform, createConsolePlatform };
}
