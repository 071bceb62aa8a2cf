// Background jobs run on pg-boss (a PostgreSQL job queue: retries, backoff, cron, singletons) in
// its own `pgboss` schema. The owner installs that schema and creates every queue during
// migration; the application role only reads and writes jobs, like any other table.
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
