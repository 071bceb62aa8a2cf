// A workflow run survives kill -9: a real worker process runs it and is SIGKILLed in the middle of
// a step (after the step's effect, before its progress is recorded), and a new process resumes the
// run to completion. Each step's effect exists exactly once: the interrupted step runs again under
// the same step key, and its idempotent effect recognises it.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { ROOT } from '../support/cli.js';

let database: TestDatabase;
let owner: pg.Client;
const children: ChildProcess[] = [];

function worker(env: Record<string, string>): { child: ChildProcess; output: () => string; waitFor: (text: string) => Promise<void>; exited: Promise<number | null> } {
  const clean: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['DATABASE_URL', 'NODE_OPTIONS', 'VITEST', 'VITEST_POOL_ID', 'VITEST_WORKER_ID']) delete clean[name];
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'run-ts.js'), 'test/support/workflow-child.ts'], { cwd: ROOT, env: { ...clean, DATABASE_APP_URL: database.appUrl, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    exited,
    async waitFor(text) {
      const deadline = Date.now() + 60_000;
      while (!output.includes(text)) {
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the worker exited before printing ${text}:\n${output}`);
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${text}:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
}

beforeAll(async () => {
  database = await createTestDatabase();
  owner = new pg.Client({ connectionString: database.ownerUrl });
  await owner.connect();
  await owner.query('create table public.workflow_effects (step_key text primary key, step text not null, executions integer not null)');
  await owner.query('grant select, insert, update on public.workflow_effects to platforma_app');
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await owner?.end();
  await database?.drop();
});

describe('a workflow run whose worker is killed mid-step', () => {
  it('is resumed by a new process and completes with each step’s effect once', { timeout: 120_000 }, async () => {
    const first = worker({ WORKFLOW_HANG_AT: 'charge' });
    await first.waitFor('HANGING charge');
    const runId = /RUN (wfr_\w+)/.exec(first.output())![1]!;
    first.child.kill('SIGKILL');
    await first.exited;

    const interrupted = await owner.query('select status, step, lease_owner from kernel.workflow_runs where id = $1', [runId]);
    expect(interrupted.rows[0]).toMatchObject({ status: 'running', step: 1, lease_owner: expect.stringMatching(/^worker-/) });
    expect((await owner.query('select step, executions from public.workflow_effects order by step')).rows).toEqual([
      { step: 'charge', executions: 1 },
      { step: 'provision', executions: 1 },
    ]);

    // The same start (same idempotency key) in a new process: it answers the same run and resumes it.
    const second = worker({});
    expect(await second.exited, second.output()).toBe(0);
    expect(second.output()).toContain(`RUN ${runId}`);
    expect(second.output()).toContain('COMPLETED');

    const run = await owner.query('select status, error from kernel.workflow_runs where id = $1', [runId]);
    expect(run.rows[0]).toEqual({ status: 'completed', error: null });
    const steps = await owner.query('select name, status from kernel.workflow_steps where run_id = $1 order by seq', [runId]);
    expect(steps.rows).toEqual([
      { name: 'provision', status: 'completed' },
      { name: 'charge', status: 'completed' },
      { name: 'invoice', status: 'completed' },
    ]);
    // One effect per step, under one step key each; the interrupted step ran twice and wrote once.
    const effects = await owner.query('select step_key, step, executions from public.workflow_effects order by step');
    expect(effects.rows).toEqual([
      { step_key: `${runId}:charge`, step: 'charge', executions: 2 },
      { step_key: `${runId}:invoice`, step: 'invoice', executions: 1 },
      { step_key: `${runId}:provision`, step: 'provision', executions: 1 },
    ]);
  });
});
