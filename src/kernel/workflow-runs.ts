// The records of workflow runs (kernel.workflow_runs, kernel.workflow_steps) as operators read them,
// and the failures the engine records on a run's steps. The engine's own progress and leases are
// written by kernel/workflow.ts.
import type { Db, Tx } from './db/database.js';

export type WorkflowStatus = 'running' | 'completed' | 'failed' | 'compensating' | 'compensated';

/**
 * How a step went: completed (its output recorded), compensated (undone), failed (its last retry
 * failed; the run then undid the steps before it), compensation_failed (its undo failed its last
 * retry; the run is failed, for an operator).
 */
export type StepStatus = 'completed' | 'compensated' | 'failed' | 'compensation_failed';

export interface RunRow {
  id: string;
  workflow: string;
  idempotency_key: string;
  input: unknown;
  status: WorkflowStatus;
  step: number;
  error: string | null;
  lease_owner: string | null;
  lease_until: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface StepRow {
  run_id: string;
  seq: number;
  name: string;
  status: StepStatus;
  output: unknown;
  attempts: number;
  completed_at: Date | null;
  compensated_at: Date | null;
  error: string | null;
  failed_at: Date | null;
}

declare module './db/tables.js' {
  interface Tables {
    'kernel.workflow_runs': RunRow;
    'kernel.workflow_steps': StepRow;
  }
}

export interface RunFilter {
  status?: WorkflowStatus;
  workflow?: string;
  /** Runs older than this one (ids sort by creation). */
  beforeId?: string;
  limit: number;
}

export class WorkflowRunRepository {
  async find(db: Db | Tx, runId: string): Promise<RunRow | undefined> {
    return db.selectFrom('kernel.workflow_runs').selectAll().where('id', '=', runId).executeTakeFirst();
  }

  /** The steps recorded for a run, in order. */
  async steps(db: Db | Tx, runId: string): Promise<StepRow[]> {
    return db.selectFrom('kernel.workflow_steps').selectAll().where('run_id', '=', runId).orderBy('seq').execute();
  }

  /** Runs, newest first. */
  async list(db: Db | Tx, filter: RunFilter): Promise<RunRow[]> {
    let query = db.selectFrom('kernel.workflow_runs').selectAll();
    if (filter.status) query = query.where('status', '=', filter.status);
    if (filter.workflow) query = query.where('workflow', '=', filter.workflow);
    if (filter.beforeId) query = query.where('id', '<', filter.beforeId);
    return query.orderBy('id', 'desc').limit(filter.limit).execute();
  }

  /** A step failed its last retry: it gets a row of its own, with no output. */
  async recordStepFailure(tx: Tx, input: { runId: string; seq: number; name: string; attempts: number; error: string; at: Date }): Promise<void> {
    await tx
      .insertInto('kernel.workflow_steps')
      .values({ run_id: input.runId, seq: input.seq, name: input.name, status: 'failed', output: null, attempts: input.attempts, completed_at: null, compensated_at: null, error: input.error, failed_at: input.at })
      .execute();
  }

  /** A completed step's compensation failed its last retry. */
  async recordCompensationFailure(tx: Tx, input: { runId: string; seq: number; error: string; at: Date }): Promise<void> {
    await tx
      .updateTable('kernel.workflow_steps')
      .set({ status: 'compensation_failed', error: input.error, failed_at: input.at })
      .where('run_id', '=', input.runId)
      .where('seq', '=', input.seq)
      .where('status', '=', 'completed')
      .execute();
  }
}
