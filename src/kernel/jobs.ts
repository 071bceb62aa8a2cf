// Background jobs run on pg-boss (a PostgreSQL job queue: retries, backoff, cron, singletons) in
// its own `pgboss` schema. The owner installs that schema and creates every queue during
// migration; the application role only reads and writes jobs, like any other table.
import { createRequire } from 'node:module';
import PgBoss from 'pg-boss';
import type pg from 'pg';
import { APP_ROLE } from './db/roles.js';

export const JOB_SCHEMA = 'pgboss';
/** pg-boss's internal queue that turns cron schedules into jobs (timekeeper QUEUES.SEND_IT). */
export const CRON_RELAY_QUEUE = '__pgboss__send-it';

export interface QueueDefinition {
  name: string;
  retryLimit?: number;
  retryDelay?: number;
  retryBackoff?: boolean;
}

export interface CronDefinition {
  queue: string;
  /** Five-field cron expression, UTC. */
  cron: string;
}

export async function installJobQueue(ownerUrl: string, queues: QueueDefinition[], ownerClient: pg.ClientBase): Promise<void> {
  const boss = new PgBoss({ connectionString: ownerUrl, schema: JOB_SCHEMA, migrate: true, supervise: false, schedule: false, max: 2 });
  boss.on('error', () => {});
  await boss.start();
  try {
    // pg-boss's cron relay queue: its start() creates it on demand, which the application role
    // (no CREATE on the schema) cannot do, so the owner creates it here.
    if (!(await boss.getQueue(CRON_RELAY_QUEUE))) await boss.createQueue(CRON_RELAY_QUEUE);
    for (const queue of queues) {
      if (!(await boss.getQueue(queue.name))) {
        await boss.createQueue(queue.name, {
          name: queue.name,
          retryLimit: queue.retryLimit ?? 5,
          retryDelay: queue.retryDelay ?? 2,
          retryBackoff: queue.retryBackoff ?? true,
        });
      }
    }
  } finally {
    await boss.stop({ graceful: false, wait: true });
  }
  await ownerClient.query(`
    grant usage on schema ${JOB_SCHEMA} to ${APP_ROLE};
    grant select, insert, update, delete on all tables in schema ${JOB_SCHEMA} to ${APP_ROLE};
    grant usage, select on all sequences in schema ${JOB_SCHEMA} to ${APP_ROLE};
    grant execute on all functions in schema ${JOB_SCHEMA} to ${APP_ROLE};`);
}

export interface JobQueueOptions {
  connectionString: string;
  /** Maintenance and cron: on in worker processes, off in short-lived CLI commands. */
  supervise: boolean;
}

type CompletionRecorder = (this: NodeJS.EventEmitter, ...args: unknown[]) => Promise<unknown>;
interface ManagerPrototype {
  complete: CompletionRecorder;
  fail: CompletionRecorder;
}

const PATCHED = Symbol.for('platforma.pg-boss.completion-handled');

/**
 * pg-boss 10's worker records a job's outcome with `this.complete(…)` / `this.fail(…)` and does
 * not await either (manager.js `watch`), so when the database goes away at that moment (EPIPE,
 * "terminating connection due to unexpected postmaster exit") the rejection is unhandled and
 * Node ends the whole server. pg-boss 11+ awaits them but needs Node 22. Until then, every promise
 * these two return gets a handler that reports the error on the queue's `error` event: a caller
 * that awaits still sees the rejection, and an unrecorded outcome is safe because the job stays
 * active, expires and is retried (every handler is idempotent).
 */
export function handleUnawaitedJobCompletions(prototype: ManagerPrototype): void {
  const marked = prototype as unknown as Record<symbol, boolean>;
  if (marked[PATCHED]) return;
  for (const method of ['complete', 'fail'] as const) {
    const record = prototype[method];
    if (typeof record !== 'function') throw new Error(`pg-boss Manager.${method} is missing: review handleUnawaitedJobCompletions`);
    prototype[method] = function (this: NodeJS.EventEmitter, ...args: unknown[]) {
      const outcome = record.apply(this, args);
      outcome.catch((error: unknown) => {
        const reason = error instanceof Error ? error : new Error(String(error));
        this.emit('error', Object.assign(new Error(`could not record a job's ${method === 'complete' ? 'completion' : 'failure'}: ${reason.message}`), { cause: reason }));
      });
      return outcome;
    };
  }
  marked[PATCHED] = true;
}

handleUnawaitedJobCompletions(createRequire(import.meta.url)('pg-boss/src/manager.js').prototype as ManagerPrototype);

export function createJobQueue(options: JobQueueOptions): PgBoss {
  const boss = new PgBoss({
    connectionString: options.connectionString,
    schema: JOB_SCHEMA,
    migrate: false,
    supervise: options.supervise,
    schedule: options.supervise,
    max: 4,
    application_name: 'platforma-jobs',
  });
  return boss;
}

export async function scheduleCron(boss: PgBoss, crons: CronDefinition[]): Promise<void> {
  for (const entry of crons) await boss.schedule(entry.queue, entry.cron, {}, { tz: 'UTC' });
}

export { PgBoss };
