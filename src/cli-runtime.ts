// Everything the command line's commands run on, in one module that main.ts loads only when a
// command is about to run: `platforma --help` and `--version` need none of it, and loading it (the
// platform, its modules, their dependencies) is most of a command's start-up time.
export { default as pg } from 'pg';
export { createLogger } from './kernel/logging.js';
export { locateDatabase } from './kernel/db/location.js';
export { loadMigrations, readMigrationState } from './kernel/db/migrations.js';
export { createDb, createPool } from './kernel/db/database.js';
export { verifyAuditChains } from './kernel/audit.js';
export { createAuditCheckpoint, loadAuditSigner } from './kernel/audit-checkpoints.js';
export { systemClock } from './kernel/clock.js';
export { systemContext } from './kernel/context.js';
export { consoleOperatorContext } from './modules/identity/index.js';
export { createPlatform, migrateDatabase, MIGRATION_SOURCES } from './platform.js';
