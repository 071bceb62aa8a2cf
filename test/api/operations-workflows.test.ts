// Workflow runs as operators inspect them, on a started platform (the workflow workers running, a
// real database): real runs are started and read back over the API and at the console, while one
// runs (its current step, the steps to come, its lease), once it completed, once a step failed its
// last retry and the steps before it were undone, and once a compensation itself failed. Only
// platform staff read them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, problemOf, startTestPlatform, type SignedInHeaders, type TestPlatform } from '../support/platform.js';
import { runCli } from '../support/cli.js';
import { systemContext } from '../../src/kernel/context.js';
import { defineWorkflow, type WorkflowRun as EngineRun } from '../../src/kernel/workflow.js';
import type { WorkflowRun, WorkflowRunSummary } from '../../src/modules/operations/index.js';

let t: TestPlatform;
let staff: SignedInHeaders;

const fast = { limit: 1, delaySeconds: 0, backoff: false };
/** Holds the fulfilment's provision step until the test has looked at the run mid-way. */
let openGate: () => void = () => {};
const gate = new Promise<void>((resolve) => (openGate = resolve));

const fulfilment = defineWorkflow<{ order: string }>({
  name: 'ops-test-fulfilment',
  steps: [
    { name: 'reserve', retry: fast, run: async (input) => ({ reservation: `r-${input.order}` }), compensate: async () => {} },
    { name: 'provision', retry: fast, run: async (input) => (await gate, { instance: `i-${input.order}` }) },
    { name: 'invoice', retry: fast, run: async () => null },
  ],
});

const refunded = defineWorkflow<{ order: string }>({
  name: 'ops-test-refund',
  steps: [
    { name: 'reserve', retry: fast, run: async (input) => ({ reservation: `r-${input.order}` }), compensate: async () => {} },
    { name: 'notify', retry: fast, run: async () => ({ mailed: true }) },
    {
      name: 'charge',
      retry: fast,
      run: async () => {
        throw new Error('card declined');
      },
    },
  ],
});

const stuck = defineWorkflow<{ order: string }>({
  name: 'ops-test-stuck',
  steps: [
    {
      name: 'provision',
      retry: fast,
      run: async (input) => ({ instance: `i-${input.order}` }),
      compensate: async () => {
        throw new Error('the cloud refused to delete the instance');
      },
    },
    {
      name: 'activate',
      retry: fast,
      run: async () => {
        throw new Error('activation timed out');
      },
    },
  ],
});

async function get(url: string, headers: Record<string, string> = staff) {
  return t.platform.app.inject({ method: 'GET', url, headers });
}

async function waitForRun(runId: string, statuses: EngineRun['status'][], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await t.platform.kernel.workflows.get(runId);
    if (run && statuses.includes(run.status)) return;
    if (Date.now() > deadline) throw new Error(`run ${runId} is ${run?.status}, not ${statuses.join('|')}, after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function runView(id: string): Promise<WorkflowRun> {
  const response = await get(`/api/v1/operations/workflows/${id}`);
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
}

const timestamp = expect.stringMatching(/^\d{4}-\d\d-\d\dT/);
const runs: Record<'fulfilment' | 'refunded' | 'stuck', string> = { fulfilment: '', refunded: '', stuck: '' };

beforeAll(async () => {
  t = await startTestPlatform({ start: true });
  for (const workflow of [fulfilment, refunded, stuck]) t.platform.kernel.workflows.register(workflow);
  staff = await t.signIn();
});
afterAll(async () => {
  openGate();
  await t?.close();
});

describe('a workflow run, read by platform staff', () => {
  it('shows a running run at its current step, leased to its worker, with the steps still to come', async () => {
    runs.fulfilment = (await t.platform.kernel.workflows.start(fulfilment, { order: 'o1' }, 'ops-order-o1')).id;
    const running = await until('the provision step to start', async () => {
      const view = await runView(runs.fulfilment);
      return view.currentStep === 1 && view.lease ? view : undefined;
    });
    expect(running).toMatchObject({ id: runs.fulfilment, workflow: 'ops-test-fulfilment', idempotencyKey: 'ops-order-o1', status: 'running', error: null, input: { order: 'o1' } });
    expect(running.lease).toEqual({ owner: expect.stringMatching(/^worker-/), until: timestamp });
    expect(running.steps.map((s) => [s.name, s.status, s.attempts, s.compensable])).toEqual([
      ['reserve', 'completed', 1, true],
      ['provision', 'pending', 0, false],
      ['invoice', 'pending', 0, false],
    ]);
    expect(running.steps[0]).toMatchObject({ seq: 0, output: { reservation: 'r-o1' }, error: null, completedAt: timestamp, failedAt: null, compensatedAt: null });

    openGate();
    await waitForRun(runs.fulfilment, ['completed']);
    const completed = await runView(runs.fulfilment);
    expect(completed).toMatchObject({ status: 'completed', currentStep: null, lease: null, error: null });
    expect(completed.steps.map((s) => [s.seq, s.name, s.status, s.attempts])).toEqual([
      [0, 'reserve', 'completed', 1],
      [1, 'provision', 'completed', 1],
      [2, 'invoice', 'completed', 1],
    ]);
    expect(completed.steps[1]?.output).toEqual({ instance: 'i-o1' });
  });

  it('shows the step that failed its last retry, with its attempts and error, and the steps before it undone or left', async () => {
    runs.refunded = (await t.platform.kernel.workflows.start(refunded, { order: 'o2' }, 'ops-order-o2')).id;
    await waitForRun(runs.refunded, ['compensated', 'failed']);
    const view = await runView(runs.refunded);
    expect(view).toMatchObject({ status: 'compensated', error: 'charge failed: card declined', currentStep: null, lease: null });
    expect(view.steps).toEqual([
      { seq: 0, name: 'reserve', status: 'compensated', attempts: 1, output: { reservation: 'r-o2' }, error: null, completedAt: timestamp, failedAt: null, compensatedAt: timestamp, compensable: true },
      // No compensation: it cannot be undone, and is left as it is.
      { seq: 1, name: 'notify', status: 'completed', attempts: 1, output: { mailed: true }, error: null, completedAt: timestamp, failedAt: null, compensatedAt: null, compensable: false },
      { seq: 2, name: 'charge', status: 'failed', attempts: 2, output: null, error: 'card declined', completedAt: null, failedAt: timestamp, compensatedAt: null, compensable: false },
    ]);
  });

  it('shows a run whose compensation failed as failed, for an operator, naming the step that could not be undone', async () => {
    runs.stuck = (await t.platform.kernel.workflows.start(stuck, { order: 'o3' }, 'ops-order-o3')).id;
    await waitForRun(runs.stuck, ['failed', 'compensated']);
    const view = await runView(runs.stuck);
    expect(view).toMatchObject({ status: 'failed', error: 'compensating provision failed: the cloud refused to delete the instance', currentStep: null });
    expect(view.steps.map((s) => [s.name, s.status, s.attempts, s.error])).toEqual([
      ['provision', 'compensation_failed', 1, 'the cloud refused to delete the instance'],
      ['activate', 'failed', 2, 'activation timed out'],
    ]);
    expect(view.steps[0]).toMatchObject({ completedAt: timestamp, failedAt: timestamp, compensatedAt: null, output: { instance: 'i-o3' } });
  });

  it('answers 404 for a run that does not exist and 400 for what is not a run id', async () => {
    expect(problemOf(await get('/api/v1/operations/workflows/wfr_01jd0000000000000000000000'))).toMatchObject({ status: 404, code: 'PLAT_NOT_FOUND' });
    expect(problemOf(await get('/api/v1/operations/workflows/ord_01jd0000000000000000000000'))).toMatchObject({ status: 400 });
  });
});

describe('the list of workflow runs', () => {
  const list = async (query: string): Promise<{ data: WorkflowRunSummary[]; nextCursor: string | null }> => {
    const response = await get(`/api/v1/operations/workflows${query}`);
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  };

  it('lists runs newest first, without their input or steps', async () => {
    const page = await list('');
    const ours = page.data.filter((run) => Object.values(runs).includes(run.id));
    expect(ours.map((run) => run.id)).toEqual([runs.stuck, runs.refunded, runs.fulfilment]);
    expect(ours[0]).toEqual({
      id: runs.stuck,
      workflow: 'ops-test-stuck',
      idempotencyKey: 'ops-order-o3',
      status: 'failed',
      error: 'compensating provision failed: the cloud refused to delete the instance',
      createdAt: timestamp,
      updatedAt: timestamp,
    });
  });

  it('filters by status and by workflow name', async () => {
    expect((await list('?status=failed')).data.map((run) => run.id)).toEqual([runs.stuck]);
    expect((await list('?status=compensated')).data.map((run) => run.id)).toEqual([runs.refunded]);
    expect((await list('?workflow=ops-test-fulfilment')).data.map((run) => run.id)).toEqual([runs.fulfilment]);
    expect((await list('?workflow=ops-test-fulfilment&status=failed')).data).toEqual([]);
    expect(problemOf(await get('/api/v1/operations/workflows?status=broken'))).toMatchObject({ status: 400 });
  });

  it('pages with a cursor', async () => {
    const first = await list('?limit=2');
    expect(first.data.map((run) => run.id)).toEqual([runs.stuck, runs.refunded]);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await list(`?limit=2&cursor=${encodeURIComponent(first.nextCursor!)}`);
    expect(second.data.map((run) => run.id)).toEqual([runs.fulfilment]);
    expect(second.nextCursor).toBeNull();
  });
});

describe('who may read workflow runs', () => {
  it('is refused to a tenant’s owner and to the anonymous, and allowed to read-only staff', async () => {
    const tenant = await t.platform.app.inject({ method: 'POST', url: '/api/v1/tenants', headers: staff, payload: { organizationName: 'Runs', domain: 'runs.example.com', adminEmail: 'ops@runs.example.com' } });
    expect(tenant.statusCode).toBe(201);
    await t.platform.identity.service.createUser({ email: 'owner@runs.example.com', password: 'workflow runs owner passphrase' }, systemContext('test'));
    await addMember(t.platform, tenant.json().id, 'owner@runs.example.com', 'owner');
    const owner = await t.signIn('owner@runs.example.com', 'workflow runs owner passphrase');
    for (const url of ['/api/v1/operations/workflows', `/api/v1/operations/workflows/${runs.refunded}`]) {
      expect(problemOf(await get(url, owner)), url).toMatchObject({ status: 403, code: 'PLAT_FORBIDDEN' });
      expect(problemOf(await get(url, {})), url).toMatchObject({ status: 401 });
    }
    const refused = await get(`/api/v1/operations/workflows/${runs.refunded}`, owner);
    expect(refused.body).not.toContain('card declined');

    await t.platform.identity.service.createUser({ email: 'reader@example.com', password: 'read-only staff passphrase', platformRole: 'read-only' }, systemContext('test'));
    const reader = await t.signIn('reader@example.com', 'read-only staff passphrase');
    expect((await get(`/api/v1/operations/workflows/${runs.refunded}`, reader)).statusCode).toBe(200);
  });
});

describe('at the console', () => {
  it('lists runs by status and shows one with its steps (this process has no workflows registered: no steps to come, compensable unknown)', { timeout: 120_000 }, async () => {
    const listed = await runCli(['workflows', 'list', '--status', 'compensated', '--workflow', 'ops-test-refund'], { DATABASE_URL: t.database.ownerUrl });
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ id: runs.refunded, status: 'compensated', error: 'charge failed: card declined' })]);

    const shown = await runCli(['workflows', 'show', runs.stuck], { DATABASE_URL: t.database.ownerUrl });
    expect(shown.code, shown.stderr).toBe(0);
    const run = JSON.parse(shown.stdout) as WorkflowRun;
    expect(run).toMatchObject({ id: runs.stuck, status: 'failed', input: { order: 'o3' } });
    expect(run.steps.map((s) => [s.name, s.status, s.attempts, s.compensable])).toEqual([
      ['provision', 'compensation_failed', 1, null],
      ['activate', 'failed', 2, null],
    ]);

    const unknown = await runCli(['workflows', 'show', 'wfr_01jd0000000000000000000000'], { DATABASE_URL: t.database.ownerUrl });
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/wfr_01jd0000000000000000000000/);
  });
});
