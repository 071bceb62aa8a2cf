// Workflows: multi-step, cross-module, long-running processes (order → provision → subscription →
// invoice → payment) as a declared list of steps, each with its undo beside it (Medusa's
// createStep(id, invoke, compensate)). A run is started once per idempotency key and then carried
// by the job queue, one pg-boss job per step:
// - each step runs on its own: it gets a context (never a transaction: a step calls other modules'
//   public APIs, which open their own) with a stable step key to use as its idempotency key, since
//   a step may run again after a crash between its effect and the record of its progress;
// - progress is persisted after each step, in the transaction that queues the next step's job;
// - a failing step is retried with backoff (the job's retries); after its last retry it is recorded
//   as failed (attempts, error) and the completed steps are compensated in reverse order
//   (compensating → compensated; a compensation that fails after its retries is recorded on its step
//   and leaves the run failed, for an operator);
// - operators read runs and their steps through list() and inspect() (the operations module);
// - while a step runs its run is leased to the worker and the lease renewed by a heartbeat; a run
//   whose lease ran out (its process was killed) is queued again by any worker's sweep.
import type PgBoss from 'pg-boss';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db, Tx } from './db/database.js';
import { inTransaction } from './db/database.js';
import { SYSTEM_SCOPE } from './use-case.js';
import { newId } from './ids.js';
import { bossExecutor } from './outbox.js';
import { WORKFLOW_QUEUE } from './queues.js';
import type { Clock } from './clock.js';
import type { Logger } from './logging.js';
import { WorkflowRunRepository, type RunFilter, type RunRow, type StepRow, type StepStatus, type WorkflowStatus } from './workflow-runs.js';

export type { StepStatus, WorkflowStatus } from './workflow-runs.js';

export interface StepContext {
  runId: string;
  workflow: string;
  step: string;
  /** `<runId>:<step>`: the same on every attempt of this step of this run. Use it as the idempotency key of the step's effects. */
  stepKey: string;
  /** 1 on the first attempt. */
  attempt: number;
  /** What the steps before this one returned, by step name. */
  results: Readonly<Record<string, unknown>>;
}

export interface StepRetry {
  /** Retries after the first attempt. */
  limit: number;
  delaySeconds: number;
  backoff: boolean;
}

export interface WorkflowStep<I> {
  name: string;
  /** Does the step's work and returns what later steps and its compensation need (JSON). Must be idempotent per ctx.stepKey. */
  run(input: I, ctx: StepContext): Promise<unknown>;
  /** Undoes the step, given what it returned; also idempotent. A step without one cannot be undone and is left as it is. */
  compensate?(output: unknown, ctx: StepContext): Promise<void>;
  retry?: StepRetry;
}

export interface Workflow<I> {
  name: string;
  steps: readonly WorkflowStep<I>[];
}

export interface WorkflowRun {
  id: string;
  workflow: string;
  idempotencyKey: string;
  input: unknown;
  status: WorkflowStatus;
  error: string | null;
  steps: { seq: number; name: string; status: StepStatus; output: unknown; attempts: number }[];
}

/** A run as operators list it. */
export interface WorkflowRunSummary {
  id: string;
  workflow: string;
  idempotencyKey: string;
  status: WorkflowStatus;
  /** The last error: of the current step's latest attempt while it is retried, or what failed the run. */
  error: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * A step of a run as operators inspect it. Steps not reached yet, or being retried, are pending
 * (their attempts so far are not recorded; the run's error is the latest one's).
 */
export interface InspectedStep {
  seq: number;
  name: string;
  status: StepStatus | 'pending';
  attempts: number;
  output: unknown;
  error: string | null;
  completedAt: Date | null;
  failedAt: Date | null;
  compensatedAt: Date | null;
  /** Whether the step can be undone; null when its workflow is not registered in this process. */
  compensable: boolean | null;
}

/** A run with every step as it went (and, when its workflow is registered here, the steps still to come). */
export interface InspectedRun extends WorkflowRunSummary {
  input: unknown;
  /** The step the run is at (running: the next to run; compensating: the next to undo); null once it ended. */
  currentStep: number | null;
  /** The worker holding the run while a step runs, and until when. */
  lease: { owner: string; until: Date } | null;
  steps: InspectedStep[];
}

const DEFAULT_RETRY: StepRetry = { limit: 5, delaySeconds: 1, backoff: true };

export function defineWorkflow<I>(workflow: Workflow<I>): Workflow<I> {
  if (workflow.steps.length === 0) throw new Error(`workflow ${workflow.name} has no steps`);
  const names = new Set<string>();
  for (const step of workflow.steps) {
    if (names.has(step.name)) throw new Error(`workflow ${workflow.name} has two steps named ${step.name}`);
    names.add(step.name);
  }
  return workflow;
}

interface StepJob {
  runId: string;
  seq: number;
  phase: 'run' | 'compensate';
}

export interface WorkflowEngineOptions {
  /** How long a run stays leased to a worker without a heartbeat (a killed worker's run waits this long). */
  leaseSeconds?: number;
  /** How often a worker looks for runs whose lease ran out. */
  sweepSeconds?: number;
}

const json = (value: unknown) => sql`${JSON.stringify(value ?? null)}::jsonb`;
const summaryOf = (run: RunRow): WorkflowRunSummary => ({
  id: run.id,
  workflow: run.workflow,
  idempotencyKey: run.idempotency_key,
  status: run.status,
  error: run.error,
  createdAt: new Date(run.created_at),
  updatedAt: new Date(run.updated_at),
});
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, 2000) || 'failed without a message';

export class WorkflowEngine {
  readonly #workflows = new Map<string, Workflow<unknown>>();
  readonly #runs = new WorkflowRunRepository();
  /** This process's name on the leases it holds. */
  readonly #worker = `worker-${randomUUID()}`;
  readonly #leaseSeconds: number;
  readonly #sweepSeconds: number;
  #sweeper: NodeJS.Timeout | undefined;
  #sweeping: Promise<unknown> = Promise.resolve();
  #working = false;

  constructor(
    private readonly db: Db,
    private readonly boss: PgBoss,
    private readonly clock: Clock,
    private readonly logger: Logger,
    options: WorkflowEngineOptions = {},
  ) {
    this.#leaseSeconds = options.leaseSeconds ?? 30;
    this.#sweepSeconds = options.sweepSeconds ?? 10;
  }

  register<I>(workflow: Workflow<I>): void {
    if (this.#workflows.has(workflow.name)) throw new Error(`workflow ${workflow.name} is registered twice`);
    this.#workflows.set(workflow.name, workflow as Workflow<unknown>);
  }

  /**
   * Starts a run of the workflow for this idempotency key, or answers the run already started for it
   * (whatever its input was then). With `tx`, the run starts exactly when the caller's change commits.
   */
  async start<I>(workflow: Workflow<I>, input: I, idempotencyKey: string, tx?: Tx): Promise<WorkflowRun> {
    if (this.#workflows.get(workflow.name) !== workflow) throw new Error(`workflow ${workflow.name} is not registered with this engine`);
    const begin = async (db: Tx) => {
      const now = this.clock.now();
      const inserted = await db
        .insertInto('kernel.workflow_runs')
        .values({ id: newId('workflowRun'), workflow: workflow.name, idempotency_key: idempotencyKey, input: json(input), status: 'running', step: 0, error: null, lease_owner: null, lease_until: null, created_at: now, updated_at: now })
        .onConflict((oc) => oc.columns(['workflow', 'idempotency_key']).doNothing())
        .returning('id')
        .executeTakeFirst();
      if (inserted) await this.#queue(db, workflow, { runId: inserted.id, seq: 0, phase: 'run' });
      const run = await db.selectFrom('kernel.workflow_runs').select('id').where('workflow', '=', workflow.name).where('idempotency_key', '=', idempotencyKey).executeTakeFirstOrThrow();
      return this.#read(db, run.id);
    };
    const run = tx ? await begin(tx) : await inTransaction(this.db, SYSTEM_SCOPE, begin);
    return run!;
  }

  async get(runId: string): Promise<WorkflowRun | undefined> {
    return inTransaction(this.db, SYSTEM_SCOPE, (tx) => this.#read(tx, runId));
  }

  /** Runs, newest first, for operators (the operations module): of one status, of one workflow. */
  async list(filter: RunFilter, tx?: Tx): Promise<WorkflowRunSummary[]> {
    const read = async (db: Tx) => (await this.#runs.list(db, filter)).map(summaryOf);
    return tx ? read(tx) : inTransaction(this.db, SYSTEM_SCOPE, read);
  }

  /** A run with each step as it went, for operators; undefined when there is no such run. */
  async inspect(runId: string, tx?: Tx): Promise<InspectedRun | undefined> {
    const read = async (db: Tx): Promise<InspectedRun | undefined> => {
      const run = await this.#runs.find(db, runId);
      if (!run) return undefined;
      const recorded = await this.#runs.steps(db, runId);
      const declared = this.#workflows.get(run.workflow)?.steps;
      const steps: InspectedStep[] = recorded.map((step) => ({
        seq: step.seq,
        name: step.name,
        status: step.status,
        attempts: step.attempts,
        output: step.output,
        error: step.error,
        completedAt: step.completed_at,
        failedAt: step.failed_at,
        compensatedAt: step.compensated_at,
        compensable: declared ? Boolean(declared[step.seq]?.compensate) : null,
      }));
      // The declared steps no row records yet: still to come (or being retried) while the run runs,
      // never run once it turned back.
      for (const [seq, step] of (declared ?? []).entries()) {
        if (run.status !== 'running' || seq < recorded.length) continue;
        steps.push({ seq, name: step.name, status: 'pending', attempts: 0, output: null, error: null, completedAt: null, failedAt: null, compensatedAt: null, compensable: Boolean(step.compensate) });
      }
      const unfinished = run.status === 'running' || run.status === 'compensating';
      return {
        ...summaryOf(run),
        input: run.input,
        currentStep: unfinished ? run.step : null,
        lease: run.lease_owner && run.lease_until ? { owner: run.lease_owner, until: new Date(run.lease_until) } : null,
        steps,
      };
    };
    return tx ? read(tx) : inTransaction(this.db, SYSTEM_SCOPE, read);
  }

  /** Works the queue and sweeps for runs whose worker died (worker roles). */
  async startWorkers(): Promise<void> {
    this.#working = true;
    await this.boss.work<StepJob>(WORKFLOW_QUEUE, { pollingIntervalSeconds: 0.5, batchSize: 1, includeMetadata: true }, async ([job]) => {
      if (job) await this.#work(job);
    });
    const sweep = () => {
      if (!this.#working) return;
      this.#sweeping = this.sweepOnce()
        .catch((error: unknown) => this.logger.error({ err: error }, 'workflow sweep failed'))
        .finally(() => {
          if (this.#working) this.#sweeper = setTimeout(sweep, this.#sweepSeconds * 1000);
        });
    };
    sweep();
  }

  async stop(): Promise<void> {
    if (!this.#working) return;
    this.#working = false;
    if (this.#sweeper) clearTimeout(this.#sweeper);
    await this.#sweeping;
    await this.boss.offWork(WORKFLOW_QUEUE);
  }

  /** Queues again every unfinished run whose lease ran out (its worker was killed mid-step). Returns how many. */
  async sweepOnce(): Promise<number> {
    return inTransaction(this.db, SYSTEM_SCOPE, async (tx) => {
      const orphans = await tx
        .selectFrom('kernel.workflow_runs')
        .selectAll()
        .where('status', 'in', ['running', 'compensating'])
        .where('lease_until', '<', sql<Date>`now()`)
        .forUpdate()
        .skipLocked()
        .execute();
      for (const run of orphans) {
        const workflow = this.#workflows.get(run.workflow);
        if (!workflow) continue;
        this.logger.warn({ runId: run.id, workflow: run.workflow, step: run.step, leaseOwner: run.lease_owner }, 'workflow run resumed after its worker stopped');
        await tx.updateTable('kernel.workflow_runs').set({ lease_owner: null, lease_until: null }).where('id', '=', run.id).execute();
        await this.#queue(tx, workflow, { runId: run.id, seq: run.step, phase: run.status === 'running' ? 'run' : 'compensate' });
      }
      return orphans.length;
    });
  }

  async #queue(tx: Tx, workflow: Workflow<unknown>, job: StepJob): Promise<void> {
    const retry = workflow.steps[job.seq]?.retry ?? DEFAULT_RETRY;
    const id = await this.boss.send(WORKFLOW_QUEUE, job satisfies StepJob, { db: bossExecutor(tx), retryLimit: retry.limit, retryDelay: retry.delaySeconds, retryBackoff: retry.backoff });
    if (!id) throw new Error(`the job queue ${WORKFLOW_QUEUE} does not exist; run platforma migrate`);
  }

  async #read(tx: Tx, runId: string): Promise<WorkflowRun | undefined> {
    const run = await this.#runs.find(tx, runId);
    if (!run) return undefined;
    const steps = await this.#runs.steps(tx, runId);
    return {
      id: run.id,
      workflow: run.workflow,
      idempotencyKey: run.idempotency_key,
      input: run.input,
      status: run.status,
      error: run.error,
      steps: steps.map((s) => ({ seq: s.seq, name: s.name, status: s.status, output: s.output, attempts: s.attempts })),
    };
  }

  /** Takes the run's lease for this job's step; undefined when the job is stale or another live worker holds the run. */
  async #claim(job: StepJob): Promise<RunRow | undefined> {
    return inTransaction(this.db, SYSTEM_SCOPE, async (tx) => {
      const run = await tx
        .updateTable('kernel.workflow_runs')
        .set({ lease_owner: this.#worker, lease_until: sql<Date>`now() + make_interval(secs => ${this.#leaseSeconds})` })
        .where('id', '=', job.runId)
        .where('status', '=', job.phase === 'run' ? 'running' : 'compensating')
        .where('step', '=', job.seq)
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', sql<Date>`now()`)]))
        .returningAll()
        .executeTakeFirst();
      return run;
    });
  }

  async #work(job: PgBoss.JobWithMetadata<StepJob>): Promise<void> {
    const run = await this.#claim(job.data);
    if (!run) return;
    const workflow = this.#workflows.get(run.workflow);
    if (!workflow) {
      await this.#release(run.id, `no workflow ${run.workflow} is registered in this process`);
      throw new Error(`workflow ${run.workflow} is not registered in this process`);
    }
    const step = workflow.steps[run.step]!;
    const recorded: StepRow[] = await inTransaction(this.db, SYSTEM_SCOPE, (tx) => this.#runs.steps(tx, run.id));
    const completed = recorded.filter((s) => s.status !== 'failed');
    const context: StepContext = {
      runId: run.id,
      workflow: run.workflow,
      step: step.name,
      stepKey: `${run.id}:${step.name}`,
      attempt: job.retryCount + 1,
      results: Object.fromEntries(completed.map((s) => [s.name, s.output])),
    };
    const heartbeat = setInterval(() => {
      inTransaction(this.db, SYSTEM_SCOPE, (tx) =>
        tx
          .updateTable('kernel.workflow_runs')
          .set({ lease_until: sql<Date>`now() + make_interval(secs => ${this.#leaseSeconds})` })
          .where('id', '=', run.id)
          .where('lease_owner', '=', this.#worker)
          .execute(),
      ).catch((error: unknown) => this.logger.warn({ err: error, runId: run.id }, 'workflow heartbeat failed'));
    }, (this.#leaseSeconds * 1000) / 3);
    try {
      if (job.data.phase === 'run') {
        const output = await step.run(run.input, context);
        await this.#stepDone(workflow, run, step, output, context.attempt);
      } else {
        const done = completed.find((s) => s.seq === run.step);
        if (done && done.status === 'completed' && step.compensate) await step.compensate(done.output, context);
        await this.#compensationDone(workflow, run);
      }
    } catch (error) {
      const last = job.retryCount >= job.retryLimit;
      this.logger.warn({ err: error, runId: run.id, workflow: run.workflow, step: step.name, phase: job.data.phase, attempt: context.attempt, last }, 'workflow step failed');
      if (!last) {
        await this.#release(run.id, messageOf(error));
        throw error;
      }
      if (job.data.phase === 'run') await this.#compensateFrom(workflow, run, step, error, context.attempt);
      else await this.#compensationFailed(run, step, error);
    } finally {
      clearInterval(heartbeat);
    }
  }

  async #stepDone(workflow: Workflow<unknown>, run: RunRow, step: WorkflowStep<unknown>, output: unknown, attempts: number): Promise<void> {
    await inTransaction(this.db, SYSTEM_SCOPE, async (tx) => {
      const now = this.clock.now();
      await tx
        .insertInto('kernel.workflow_steps')
        .values({ run_id: run.id, seq: run.step, name: step.name, status: 'completed', output: json(output), attempts, completed_at: now, compensated_at: null })
        .execute();
      const next = run.step + 1;
      const finished = next >= workflow.steps.length;
      await tx
        .updateTable('kernel.workflow_runs')
        .set({ step: next, status: finished ? 'completed' : 'running', error: null, lease_owner: null, lease_until: null, updated_at: now })
        .where('id', '=', run.id)
        .execute();
      if (!finished) await this.#queue(tx, workflow, { runId: run.id, seq: next, phase: 'run' });
    });
  }

  /** The step failed its last retry: record it, and undo the completed steps, the latest first. */
  async #compensateFrom(workflow: Workflow<unknown>, run: RunRow, step: WorkflowStep<unknown>, error: unknown, attempts: number): Promise<void> {
    await inTransaction(this.db, SYSTEM_SCOPE, async (tx) => {
      const now = this.clock.now();
      await this.#runs.recordStepFailure(tx, { runId: run.id, seq: run.step, name: step.name, attempts, error: messageOf(error), at: now });
      const previous = run.step - 1;
      await tx
        .updateTable('kernel.workflow_runs')
        .set({ status: previous < 0 ? 'compensated' : 'compensating', step: previous, error: `${step.name} failed: ${messageOf(error)}`, lease_owner: null, lease_until: null, updated_at: now })
        .where('id', '=', run.id)
        .execute();
      if (previous >= 0) await this.#queue(tx, workflow, { runId: run.id, seq: previous, phase: 'compensate' });
    });
  }

  async #compensationDone(workflow: Workflow<unknown>, run: RunRow): Promise<void> {
    await inTransaction(this.db, SYSTEM_SCOPE, async (tx) => {
      const now = this.clock.now();
      if (workflow.steps[run.step]?.compensate) {
        await tx.updateTable('kernel.workflow_steps').set({ status: 'compensated', compensated_at: now }).where('run_id', '=', run.id).where('seq', '=', run.step).execute();
      }
      const previous = run.step - 1;
      await tx
        .updateTable('kernel.workflow_runs')
        .set({ status: previous < 0 ? 'compensated' : 'compensating', step: previous, lease_owner: null, lease_until: null, updated_at: now })
        .where('id', '=', run.id)
        .execute();
      if (previous >= 0) await this.#queue(tx, workflow, { runId: run.id, seq: previous, phase: 'compensate' });
    });
  }

  async #release(runId: string, error: string): Promise<void> {
    await inTransaction(this.db, SYSTEM_SCOPE, (tx) =>
      tx.updateTable('kernel.workflow_runs').set({ lease_owner: null, lease_until: null, error, updated_at: this.clock.now() }).where('id', '=', runId).where('lease_owner', '=', this.#worker).execute(),
    );
  }

  /** A compensation failed its last retry: the run stops, failed, for an operator; the step says why. */
  async #compensationFailed(run: RunRow, step: WorkflowStep<unknown>, error: unknown): Promise<void> {
    await inTransaction(this.db, SYSTEM_SCOPE, async (tx) => {
      const now = this.clock.now();
      await this.#runs.recordCompensationFailure(tx, { runId: run.id, seq: run.step, error: messageOf(error), at: now });
      await tx
        .updateTable('kernel.workflow_runs')
        .set({ status: 'failed', error: `compensating ${step.name} failed: ${messageOf(error)}`, lease_owner: null, lease_until: null, updated_at: now })
        .where('id', '=', run.id)
        .execute();
    });
  }
}
