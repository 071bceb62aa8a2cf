// The shared services of a process: configuration, time, logging, metrics, the database, audit,
// events, jobs and workflows. Built once per process by the composition root (src/platform.ts); a
// module receives only the ones its manifest declares as its `ports` (kernel/module.ts).
import type pg from 'pg';
import type PgBoss from 'pg-boss';
import type { Config } from './config.js';
import type { Clock } from './clock.js';
import type { Logger } from './logging.js';
import type { Metrics } from './metrics.js';
import type { Db } from './db/database.js';
import type { AuditLog } from './audit.js';
import type { EventDispatcher } from './outbox.js';
import type { ChangeFeed } from './db/change-feed.js';
import type { UseCases } from './use-case.js';
import type { SecretBox } from './encryption.js';
import type { WorkflowEngine } from './workflow.js';

export interface Kernel {
  config: Config;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  /** Application-role pool: row-level security applies to everything done through it. */
  pool: pg.Pool;
  db: Db;
  /** Tells row caches when the tables they read from change (in any process). */
  changes: ChangeFeed;
  audit: AuditLog;
  events: EventDispatcher;
  jobs: PgBoss;
  /** Runs use cases: authorize → transaction → run → audit and events together (kernel/use-case.ts). */
  useCases: UseCases;
  /** Seals secrets stored in the database (TOTP seeds, keys of identity providers and payment gateways). */
  secrets: SecretBox;
  /** Multi-step processes with compensation, carried by the job queue (kernel/workflow.ts). */
  workflows: WorkflowEngine;
}

/** The name of one kernel service: what a module's manifest lists in its `ports`. */
export type KernelService = keyof Kernel;

// Every service's name at run time, for the registry's check of the ports manifests declare. A record
// over `keyof Kernel`, so a service added to the interface and not named here fails to compile.
const SERVICE_NAMES: Record<KernelService, true> = {
  config: true,
  clock: true,
  logger: true,
  metrics: true,
  pool: true,
  db: true,
  changes: true,
  audit: true,
  events: true,
  jobs: true,
  useCases: true,
  secrets: true,
  workflows: true,
};
export const KERNEL_SERVICES: readonly KernelService[] = Object.freeze(Object.keys(SERVICE_NAMES) as KernelService[]);
