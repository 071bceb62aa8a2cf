// Workflows on a started platform (pg-boss workers running, real database): steps run one after the
// other with their results handed on, a start is idempotent per key, a failing step is retried with
// a stable step key, and a step that fails its last retry undoes the completed steps, latest first.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../test/support/platform.js';
import { defineWorkflow, type StepContext, type WorkflowRun } from './workflow.js';

let t: TestPlatform;
/** What the steps did, in order, across every test of this file. */
const journal: string[] = [];

async function waitForRun(runId: string, statuses: WorkflowRun['status'][], timeoutMs = 30_000): Promise<WorkflowRun> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await t.platform.kernel.workflows.get(runId);
    if (run && statuses.includes(run.status)) return run;
    if (Date.now() > deadline) throw new Error(`run ${runId} is ${run?.status}, not ${statuses.join('|')}, after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const fast = { limit: 2, delaySeconds: 0, backoff: false };

const provisioning = defineWorkflow<{ order: string }>({
  name: 'test-provisioning',
  steps: [
    { name: 'provision', retry: fast, run: async (input, ctx) => (journal.push(`provision ${input.order} ${ctx.stepKey}`), { instance: `ins-${input.order}` }) },
    {
      name: 'subscribe',
      retry: fast,
      run: async (input, ctx) => {
        journal.push(`subscribe ${(ctx.results.provision as { instance: string }).instance}`);
        return { subscription: `sub-${input.order}` };
      },
    },
    { name: 'invoice', retry: fast, run: async (input) => (journal.push(`invoice ${input.order}`), null) },
  ],
});

/** Fails on its first two attempts, then succeeds; records the step key it saw each time. */
const flakyKeys: StepContext[] = [];
const flaky = defineWorkflow<{ order: string }>({
  name: 'test-flaky',
  steps: [
    {
      name: 'charge',
      retry: { limit: 3, delaySeconds: 0, backoff: false },
      run: async (_input, ctx) => {
        flakyKeys.push(ctx);
        if (ctx.attempt < 3) throw new Error(`payment provider unavailable (attempt ${ctx.attempt})`);
        return { charged: true };
      },
    },
  ],
});

const undone = defineWorkflow<{ order: string }>({
  name: 'test-compensation',
  steps: [
    { name: 'reserve', retry: fast, run: async (input) => (journal.push(`reserve ${input.order}`), { reservation: `r-${input.order}` }), compensate: async (output) => void journal.push(`release ${(output as { reservation: string }).reservation}`) },
    { name: 'notify', retry: fast, run: async (input) => (journal.push(`notify ${input.order}`), null) },
    { name: 'provision', retry: fast, run: async (input) => (journal.push(`provision ${input.order}`), { instance: `i-${input.order}` }), compensate: async (output) => void journal.push(`delete ${(output as { instance: string }).instance}`) },
    {
      name: 'pay',
      retry: { limit: 1, delaySeconds: 0, backoff: false },
      run: async (input) => {
        journal.push(`pay ${input.order}`);
        throw new Error('card declined');
      },
      compensate: async () => void journal.push('refund (never: the step did not complete)'),
    },
  ],
});

beforeAll(async () => {
  t = await startTestPlatform({ start: true });
  for (const workflow of [provisioning, flaky, undone]) t.platform.kernel.workflows.register(workflow);
});
afterAll(() => t?.close());

describe('a workflow run', () => {
  it('runs its steps in order, each once, hands results on, and completes', async () => {
    const started = await t.platform.kernel.workflows.start(provisioning, { order: 'o1' }, 'order-o1');
    expect(started.id).toMatch(/^wfr_/);
    const run = await waitForRun(started.id, ['completed']);
    expect(journal.filter((line) => line.includes('o1') || line.includes('ins-o1'))).toEqual([`provision o1 ${started.id}:provision`, 'subscribe ins-o1', 'invoice o1']);
    expect(run.steps).toEqual([
      { seq: 0, name: 'provision', status: 'completed', output: { instance: 'ins-o1' }, attempts: 1 },
      { seq: 1, name: 'subscribe', status: 'completed', output: { subscription: 'sub-o1' }, attempts: 1 },
      { seq: 2, name: 'invoice', status: 'completed', output: null, attempts: 1 },
    ]);
  });

  it('is started once per idempotency key: a second start answers the same run and runs nothing again', async () => {
    const first = await t.platform.kernel.workflows.start(provisioning, { order: 'o2' }, 'order-o2');
    await waitForRun(first.id, ['completed']);
    const second = await t.platform.kernel.workflows.start(provisioning, { order: 'other input' }, 'order-o2');
    expect(second.id).toBe(first.id);
    expect(second.input).toEqual({ order: 'o2' });
    expect(second.status).toBe('completed');
    expect(journal.filter((line) => line.startsWith('provision o2'))).toHaveLength(1);
    expect(journal.filter((line) => line.includes('other input'))).toEqual([]);
  });

  it('retries a failing step with the same step key until it succeeds', async () => {
    const started = await t.platform.kernel.workflows.start(flaky, { order: 'o3' }, 'order-o3');
    const run = await waitForRun(started.id, ['completed']);
    expect(flakyKeys.map((ctx) => ctx.attempt)).toEqual([1, 2, 3]);
    expect(new Set(flakyKeys.map((ctx) => ctx.stepKey))).toEqual(new Set([`${started.id}:charge`]));
    expect(run.steps).toEqual([{ seq: 0, name: 'charge', status: 'completed', output: { charged: true }, attempts: 3 }]);
    expect(run.error).toBeNull();
  });

  it('undoes the completed steps in reverse order when a step fails its last retry', async () => {
    const started = await t.platform.kernel.workflows.start(undone, { order: 'o4' }, 'order-o4');
    const run = await waitForRun(started.id, ['compensated', 'failed']);
    expect(run.status).toBe('compensated');
    expect(run.error).toBe('pay failed: card declined');
    expect(journal.filter((line) => line.includes('o4'))).toEqual(['reserve o4', 'notify o4', 'provision o4', 'pay o4', 'pay o4', 'delete i-o4', 'release r-o4']);
    expect(run.steps.map((s) => [s.name, s.status])).toEqual([
      ['reserve', 'compensated'],
      ['notify', 'completed'],
      ['provision', 'compensated'],
      ['pay', 'failed'],
    ]);
    expect(run.steps[3]).toMatchObject({ seq: 3, attempts: 2, output: null });
    expect(journal).not.toContain('refund (never: the step did not complete)');
  });
});
