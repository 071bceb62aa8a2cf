// A worker process for test/cli/workflow-crash.test.ts: runs (or resumes) one workflow run whose steps
// write their effects idempotently by step key, with a short lease so a killed process's run is
// picked up again within seconds. With WORKFLOW_HANG_AT=<step> that step writes its effect and then
// hangs (a process killed between a step's effect and the record of its progress).
import pg from 'pg';
import { createDb, createPool } from '../../src/kernel/db/database.js';
import { createJobQueue } from '../../src/kernel/jobs.js';
import { createLogger } from '../../src/kernel/logging.js';
import { systemClock } from '../../src/kernel/clock.js';
import { defineWorkflow, WorkflowEngine, type StepContext } from '../../src/kernel/workflow.js';

const appUrl = process.env.DATABASE_APP_URL!;
const hangAt = process.env.WORKFLOW_HANG_AT;
const effects = new pg.Pool({ connectionString: appUrl, max: 2 });

async function effect(ctx: StepContext): Promise<void> {
  await effects.query('insert into public.workflow_effects (step_key, step, executions) values ($1, $2, 1) on conflict (step_key) do update set executions = workflow_effects.executions + 1', [ctx.stepKey, ctx.step]);
  if (ctx.step === hangAt) {
    console.log(`HANGING ${ctx.step}`);
    await new Promise(() => {});
  }
}

const fulfilment = defineWorkflow<{ order: string }>({
  name: 'crash-fulfilment',
  steps: ['provision', 'charge', 'invoice'].map((name) => ({ name, retry: { limit: 3, delaySeconds: 0, backoff: false }, run: async (_input: { order: string }, ctx: StepContext) => effect(ctx) })),
});

const pool = createPool(appUrl, 4);
const db = createDb(pool);
const boss = createJobQueue({ connectionString: appUrl, supervise: false });
const logger = createLogger('warn');
boss.on('error', (error: Error) => logger.error({ err: error }, 'job queue error'));
await boss.start();
const engine = new WorkflowEngine(db, boss, systemClock, logger, { leaseSeconds: 2, sweepSeconds: 0.5 });
engine.register(fulfilment);
await engine.startWorkers();
const run = await engine.start(fulfilment, { order: 'crash' }, 'order-crash');
console.log(`RUN ${run.id}`);
for (;;) {
  const now = await engine.get(run.id);
  if (now?.status === 'completed') break;
  await new Promise((resolve) => setTimeout(resolve, 100));
}
console.log('COMPLETED');
await engine.stop();
await boss.stop({ graceful: false, wait: true });
await db.destroy();
await effects.end();
