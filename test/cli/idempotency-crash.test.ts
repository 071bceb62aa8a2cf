// An order submission with an Idempotency-Key, and the server killed with SIGKILL in the middle of
// it: a real `platforma start` (embedded PostgreSQL, as a user runs it), a real kill -9, a real
// restart. Whatever the moment of the crash, the client's retry with the same key must learn the
// outcome: the original 200 if the submission committed, a fresh run if it did not — never
// "key in use" for a request that is gone, never "invalid transition" for its own committed order.
//
// The two moments are made exact with PostgreSQL itself rather than with timing:
// - committed, not answered: synchronous replication to a standby that does not exist makes the
//   server's COMMIT wait after it is durable; the test sees the backend waiting (wait_event
//   SyncRep), kills the Node process, and PostgreSQL then finishes the commit.
// - not committed: the test holds the tenant's audit chain head locked, so the submission waits in
//   the middle of its transaction (wait_event_type Lock); the kill leaves it to roll back.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/kernel/db/embedded.js';
import { BIN, ROOT, removeEmbeddedHome } from '../support/cli.js';
import { totpCode } from '../support/totp.js';
import { pricePlan } from '../support/catalog-fixtures.js';
import type { VersionContentPatch } from '../../web/shared/api/types.js';

const EMAIL = 'idem@example.com';
const PASSWORD = 'correct horse battery staple';

let home: string;
let baseUrl: string;
let server: { child: ChildProcess; output: () => string; exited: Promise<unknown> } | undefined;
let owner: pg.Client;
let ownerUrl: string;
let staff: Record<string, string>;
let bearer: Record<string, string>;
let tenantId: string;
let productId: string;

function env(): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['DATABASE_URL', 'DATABASE_APP_URL', 'TEST_DATABASE_URL', 'PLATFORMA_CONFIG', 'PUBLIC_URL', 'NODE_OPTIONS', 'VITEST', 'VITEST_POOL_ID', 'VITEST_WORKER_ID']) delete clean[name];
  return { ...clean, PLATFORMA_HOME: home, PORT: new URL(baseUrl).port, HOST: '127.0.0.1', LOG_LEVEL: 'info' };
}

async function startServer(): Promise<void> {
  const child = spawn(process.execPath, [BIN, 'start'], { cwd: ROOT, env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let gone = false;
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise((resolve) => child.once('exit', resolve)).then(() => (gone = true));
  server = { child, output: () => output, exited };
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (gone) throw new Error(`the server exited before it was ready:\n${output}`);
    const response = await fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
    if (response?.status === 200) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`not ready:\n${output}`);
}

async function killServer(): Promise<void> {
  server!.child.kill('SIGKILL');
  await server!.exited;
}

async function call(method: string, path: string, headers: Record<string, string>, body?: unknown) {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, text, json: () => JSON.parse(text) as Record<string, unknown>, header: (name: string) => response.headers.get(name) };
}

async function signInStaff(): Promise<Record<string, string>> {
  const response = await fetch(`${baseUrl}/api/v1/auth/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: EMAIL, password: PASSWORD }) });
  expect(response.status).toBe(200);
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith('platforma_session='))!.split(';')[0]!;
  const { csrfToken } = (await response.json()) as { csrfToken: string };
  const auth = { cookie, 'x-csrf-token': csrfToken };
  const { secret } = (await call('POST', '/api/v1/me/mfa/totp', auth, {})).json() as { secret: string };
  expect((await call('POST', '/api/v1/me/mfa/totp/confirm', auth, { code: await totpCode(secret) })).status).toBeLessThan(300);
  return auth;
}

async function cart(): Promise<string> {
  const created = await call('POST', '/api/v1/orders', bearer, { currency: 'EUR' });
  expect(created.status, created.text).toBe(201);
  const id = created.json().id as string;
  const added = await call('POST', `/api/v1/orders/${id}/items`, bearer, { productId, pricePlan: 'monthly', quantity: 1 });
  expect(added.status, added.text).toBe(201);
  return id;
}

const submit = (orderId: string, key: string) => call('POST', `/api/v1/orders/${orderId}/submit`, { ...bearer, 'idempotency-key': key });
const submittedEvents = async (orderId: string) =>
  (await owner.query<{ n: number }>(`select count(*)::int as n from kernel.outbox where payload ->> 'orderId' = $1 and type = 'order.submitted'`, [orderId])).rows[0]!.n;

/** Waits until the server's backend (the application role) waits the way `where` says. */
async function backendWaiting(where: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const { rows } = await owner.query(`select 1 from pg_stat_activity where usename = 'platforma_app' and ${where}`);
    if (rows.length > 0) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no server backend waiting (${where}):\n${server?.output().slice(-3000)}`);
}

/**
 * Waits until the submission's own transaction (the one holding a lock on orders.orders) waits in
 * its COMMIT for the standby. Any other commit caught waiting meanwhile (bookkeeping done in a
 * transaction of its own) is let through: cancelling the wait keeps what it committed.
 */
async function submissionCommitWaiting(): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const { rows } = await owner.query<{ pid: number; submission: boolean }>(`
      select a.pid, exists (select 1 from pg_locks l where l.pid = a.pid and l.relation = 'orders.orders'::regclass) as submission
      from pg_stat_activity a where a.usename = 'platforma_app' and a.wait_event = 'SyncRep'`);
    if (rows.some((row) => row.submission)) return;
    for (const row of rows) await owner.query('select pg_cancel_backend($1)', [row.pid]);
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`the submission never reached its COMMIT:\n${server?.output().slice(-3000)}`);
}

/** Each case starts with a running server (the previous one may have been killed). */
async function serverRunning(): Promise<void> {
  const ready = await fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
  if (ready?.status !== 200) await startServer();
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'platforma-idem-crash-'));
  baseUrl = `http://127.0.0.1:${await freePort()}`;
  await startServer();
  const created = spawnSync(process.execPath, [BIN, 'admin', 'create', '--email', EMAIL], { cwd: ROOT, env: { ...env(), PLATFORMA_ADMIN_PASSWORD: PASSWORD }, encoding: 'utf8', timeout: 120_000 });
  expect(created.status, `${created.stdout}${created.stderr}`).toBe(0);
  staff = await signInStaff();

  const tenant = await call('POST', '/api/v1/tenants', staff, { organizationName: 'Crashy', domain: 'crashy.example.com', adminEmail: 'ops@crashy.example.com' });
  expect(tenant.status, tenant.text).toBe(201);
  tenantId = tenant.json().id as string;
  const product = await call('POST', '/api/v1/products', staff, { code: 'crash-server', kind: 'compute', name: 'Crash server', category: 'crash' });
  expect(product.status, product.text).toBe(201);
  productId = product.json().id as string;
  const version: VersionContentPatch = { configurationSchema: { type: 'object', properties: {}, additionalProperties: false }, pricePlans: [pricePlan()] };
  expect((await call('PATCH', `/api/v1/products/${productId}/versions/1`, staff, version)).status).toBe(200);
  expect((await call('POST', `/api/v1/products/${productId}/versions/1/publish`, staff, undefined)).status).toBe(200);

  const key = spawnSync(process.execPath, [BIN, 'api-key', 'create', '--tenant', tenantId, '--name', 'shop', '--role', 'owner'], { cwd: ROOT, env: env(), encoding: 'utf8', timeout: 120_000 });
  expect(key.status, `${key.stdout}${key.stderr}`).toBe(0);
  bearer = { authorization: `Bearer ${(JSON.parse(key.stdout) as { secret: string }).secret}` };

  const password = readFileSync(join(home, 'secrets', 'postgres-password'), 'utf8').trim();
  const port = Number(readFileSync(join(home, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[3]);
  ownerUrl = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/platforma`;
  owner = new pg.Client({ connectionString: ownerUrl });
  await owner.connect();
}, 240_000);

afterAll(async () => {
  await owner?.query('alter system reset synchronous_standby_names').catch(() => {});
  await owner?.query('select pg_reload_conf()').catch(() => {});
  await owner?.end().catch(() => {});
  server?.child.kill('SIGKILL');
  await removeEmbeddedHome(home);
}, 60_000);

describe('a submission whose server is killed with SIGKILL', () => {
  it('after its COMMIT but before its answer: the retry with the same key gets the original 200 and the same order, submitted once', async () => {
    await serverRunning();
    const orderId = await cart();
    await owner.query("alter system set synchronous_standby_names = 'no_such_standby'");
    await owner.query('select pg_reload_conf()');
    const lost = submit(orderId, 'submit-committed').catch(() => undefined); // its answer never comes
    try {
      await submissionCommitWaiting();
      await killServer();
    } finally {
      await owner.query('alter system reset synchronous_standby_names');
      await owner.query('select pg_reload_conf()');
    }
    await lost;
    // PostgreSQL finished the commit when the client went away; the order is submitted.
    const deadline = Date.now() + 10_000;
    while ((await submittedEvents(orderId)) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await submittedEvents(orderId)).toBe(1);

    await startServer();
    const retry = await submit(orderId, 'submit-committed');
    expect(retry.status, retry.text).toBe(200);
    expect(retry.header('idempotent-replayed')).toBe('true');
    const order = retry.json();
    expect(order).toMatchObject({ id: orderId, status: 'provisioning' });
    // The same answer the lost response carried: the order as that submission left it.
    const read = await call('GET', `/api/v1/orders/${orderId}`, bearer);
    expect(order).toEqual(read.json());
    // …and again, byte for byte, without submitting anything twice.
    const again = await submit(orderId, 'submit-committed');
    expect(again.status).toBe(200);
    expect(again.text).toBe(retry.text);
    expect(await submittedEvents(orderId)).toBe(1);
  }, 120_000);

  it('before its COMMIT: nothing is left holding the key, so the retry at once runs the submission and gets 200', async () => {
    await serverRunning();
    const orderId = await cart();
    const blocker = new pg.Client({ connectionString: ownerUrl });
    await blocker.connect();
    try {
      await blocker.query('begin');
      await blocker.query('select 1 from kernel.audit_chain_heads where tenant_id = $1 for update', [tenantId]);
      const lost = submit(orderId, 'submit-aborted').catch(() => undefined);
      await backendWaiting("wait_event_type = 'Lock'");
      await killServer();
      await lost;
      await blocker.query('rollback');
    } finally {
      await blocker.end();
    }
    // The backend finds its client gone and rolls back: nothing was submitted.
    const deadline = Date.now() + 10_000;
    for (;;) {
      const { rows } = await owner.query("select count(*)::int as n from pg_stat_activity where usename = 'platforma_app' and state like 'idle in transaction%'");
      if (rows[0].n === 0 || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await submittedEvents(orderId)).toBe(0);

    await startServer();
    const retry = await submit(orderId, 'submit-aborted');
    expect(retry.status, retry.text).toBe(200);
    expect(retry.header('idempotent-replayed')).toBeNull();
    expect(retry.json()).toMatchObject({ id: orderId, status: 'provisioning' });
    expect(await submittedEvents(orderId)).toBe(1);
    const again = await submit(orderId, 'submit-aborted');
    expect(again.text).toBe(retry.text);
    expect(again.header('idempotent-replayed')).toBe('true');
  }, 120_000);
});
