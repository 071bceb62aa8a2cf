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
export { systemContext } from './kernel/context.js';
export { migrateDatabase, MIGRATION_SOURCES } from './database-schema.js';

/** The composition root and what commands acting as the console operator need of identity. */
export async function platformModules() {
  const [{ createPlatform, createConsolePlatform }, { consoleOperatorContext }] = await Promise.all([import('./platform.js'), import('./modules/identity/index.js')]);
  return { createPlatform, createConsolePlatform, consoleOperatorContext };
}
