// API keys: service keys for a tenant and personal keys for a person, shown once, stored hashed,
// narrowed by scopes, expiring, revoked from the very next call (also when the resolved key sits in
// the credential cache), and never written to the logs.
import { createHash } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, startTestPlatform, problemOf, ADMIN_PASSWORD, type TestPlatform, type SignedInHeaders } from '../support/platform.js';
import { systemContext } from '../../src/kernel/context.js';
import { registerSecret } from '../support/suite-log.js';
import { call, expectStatus, type ResponseOf } from '../support/api.js';
import { ManualClock } from '../../src/kernel/clock.js';

const lines: string[] = [];
const clock = new ManualClock('2026-11-21T10:00:00Z');
let t: TestPlatform;
let owner: pg.Client;
let staff: SignedInHeaders;
let tenantA: string;
let tenantB: string;
const PASSWORD = 'a long enough passphrase';
const secrets: string[] = [];

async function inject(method: string, url: string, headers: Record<string, string>, payload?: unknown) {
  return t.platform.app.inject({ method: method as 'GET', url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
}
const bearer = (key: string) => {
  registerSecret('API key', key); // the log scan looks for every key used
  return { authorization: `Bearer ${key}` };
};

async function createTenant(name: string): Promise<string> {
  const response = await inject('POST', '/api/v1/tenants', staff, { organizationName: name, domain: `${name.toLowerCase()}.example.com`, adminEmail: `ops@${name.toLowerCase()}.example.com` });
  expect(response.statusCode).toBe(201);
  return response.json().id;
}

async function createPerson(email: string, memberships: [string, string][]): Promise<SignedInHeaders> {
  await t.platform.identity.service.createUser({ email, password: PASSWORD }, systemContext('test'));
  for (const [tenantId, role] of memberships) await addMember(t.platform, tenantId, email, role);
  return t.signIn(email, PASSWORD);
}

type CreatedServiceKey = ResponseOf<'/api/v1/tenants/{id}/api-keys', 'post', 201>;

async function createKey(tenantId: string, headers: Record<string, string>, body: Record<string, unknown>): Promise<CreatedServiceKey> {
  const response = await inject('POST', `/api/v1/tenants/${tenantId}/api-keys`, headers, body);
  const key = expectStatus(response, { method: 'post', path: '/api/v1/tenants/{id}/api-keys' }, 201);
  secrets.push(key.secret);
  registerSecret('API key', key.secret);
  return key;
}

async function until(check: () => Promise<boolean> | boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

beforeAll(async () => {
  // The clock jumps hours ahead between uses of the same sessions: no idle timeout in the way here
  // (test/api/sessions.test.ts covers it).
  t = await startTestPlatform({ clock, env: { LOG_LEVEL: 'trace', SESSION_IDLE_SECONDS: '28800' }, logDestination: { write: (line: string) => void lines.push(line) } });
  staff = await t.signIn();
  tenantA = await createTenant('Alpha');
  tenantB = await createTenant('Bravo');
  owner = new pg.Client({ connectionString: t.database.ownerUrl });
  await owner.connect();
  await until(() => t.platform.identity.credentials.active);
});
afterAll(async () => {
  await owner?.end();
  await t?.close();
});

describe('service keys', () => {
  it('are shown once as pk_<prefix>_<secret>, stored only as a SHA-256 hash, and listed without the secret', async () => {
    const key = await createKey(tenantA, staff, { name: 'deploy bot', role: 'developer' });
    expect(key.secret).toMatch(/^pk_[0-9a-z]{8}_[A-Za-z0-9_-]{43}$/);
    expect(key.secret.startsWith(`${key.prefix}_`)).toBe(true);
    expect(key).toMatchObject({ kind: 'service', tenantId: tenantA, role: 'developer', scopes: null, expiresAt: null, lastUsedAt: null });

    const stored = await owner.query('select * from identity.api_keys where id = $1', [key.id]);
    expect(stored.rows[0].secret_hash).toBe(createHash('sha256').update(key.secret).digest('hex'));
    expect(JSON.stringify(stored.rows[0])).not.toContain(key.secret.slice(12));

    const list = await inject('GET', `/api/v1/tenants/${tenantA}/api-keys`, staff);
    expect(list.statusCode).toBe(200);
    expect(list.json().data.map((k: { id: string }) => k.id)).toContain(key.id);
    expect(list.body).not.toContain(key.secret.slice(12));
    expect(list.json().data[0]).not.toHaveProperty('secret');
  });

  it('keep the secret out of the idempotency store in clear: a retried creation replays it from a sealed record', async () => {
    const body = { name: 'retried bot', role: 'developer' };
    const headers = { ...staff, 'idempotency-key': 'create-key-once' };
    const first = await inject('POST', `/api/v1/tenants/${tenantA}/api-keys`, headers, body);
    expect(first.statusCode).toBe(201);
    const secret = first.json().secret as string;
    registerSecret('API key', secret);
    const stored = await owner.query("select response_body from kernel.idempotency_keys where key = 'create-key-once'");
    expect(stored.rows).toHaveLength(1);
    expect(stored.rows[0].response_body).toMatch(/^sealed:/);
    expect(stored.rows[0].response_body).not.toContain(secret.slice(12));
    const replay = await inject('POST', `/api/v1/tenants/${tenantA}/api-keys`, headers, body);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json().secret).toBe(secret);
  });

  it('authenticate as the tenant with the key’s role, reach no other tenant, and need no CSRF token', async () => {
    const key = await createKey(tenantA, staff, { name: 'admin bot', role: 'admin' });
    const read = await inject('GET', `/api/v1/tenants/${tenantA}`, bearer(key.secret));
    expect(read.statusCode, read.body).toBe(200);
    expect(read.json().id).toBe(tenantA);
    expect([403, 404]).toContain((await inject('GET', `/api/v1/tenants/${tenantB}`, bearer(key.secret))).statusCode);
    const write = await inject('PATCH', `/api/v1/tenants/${tenantA}`, bearer(key.secret), { organizationName: 'Alpha Inc' });
    expect(write.statusCode, write.body).toBe(200);
    // An admin key still cannot terminate the tenant: an operator's decision, for keys too.
    expect((await inject('POST', `/api/v1/tenants/${tenantA}/terminate`, bearer(key.secret), { reason: 'no' })).statusCode).toBe(403);
  });

  it('are refused on the very next call after revocation, although the key was cached', async () => {
    const key = await createKey(tenantA, staff, { name: 'short-lived', role: 'read-only' });
    expect((await inject('GET', `/api/v1/tenants/${tenantA}`, bearer(key.secret))).statusCode).toBe(200);
    expect(t.platform.identity.credentials.size).toBeGreaterThan(0);
    expect((await inject('GET', `/api/v1/tenants/${tenantA}`, bearer(key.secret))).statusCode).toBe(200);

    expect((await inject('DELETE', `/api/v1/tenants/${tenantA}/api-keys/${key.id}`, staff)).statusCode).toBe(204);
    const refused = await inject('GET', `/api/v1/tenants/${tenantA}`, bearer(key.secret));
    expect(refused.statusCode).toBe(401);
    expect(problemOf(refused).code).toBe('PLAT_UNAUTHENTICATED');
    expect((await inject('GET', `/api/v1/tenants/${tenantA}/api-keys`, staff)).json().data.map((k: { id: string }) => k.id)).not.toContain(key.id);
    // Another tenant's path cannot revoke it: 404, not a silent success.
    const other = await createKey(tenantA, staff, { name: 'other' });
    expect((await inject('DELETE', `/api/v1/tenants/${tenantB}/api-keys/${other.id}`, staff)).statusCode).toBe(404);
  });

  it('with scope tenants:tenant.read cannot change the tenant, even with the owner role', async () => {
    const key = await createKey(tenantA, staff, { name: 'reader', role: 'owner', scopes: ['tenants:tenant.read'] });
    expect((await inject('GET', `/api/v1/tenants/${tenantA}`, bearer(key.secret))).statusCode).toBe(200);
    const patch = await inject('PATCH', `/api/v1/tenants/${tenantA}`, bearer(key.secret), { organizationName: 'Hijacked' });
    expect(patch.statusCode).toBe(403);
    expect(problemOf(patch).code).toBe('PLAT_FORBIDDEN');
    expect((await inject('GET', `/api/v1/tenants/${tenantA}/members`, bearer(key.secret))).statusCode).toBe(403);
  });

  it('refuse scopes that are not action patterns, and an expiry in the past', async () => {
    const bad = await inject('POST', `/api/v1/tenants/${tenantA}/api-keys`, staff, { name: 'x', scopes: ['tenants:tenant.read', 'not a pattern', 'Tenants:*'] });
    expect(bad.statusCode).toBe(400);
    expect(problemOf(bad).errors?.map((e) => e.pointer)).toEqual(['/scopes/1', '/scopes/2']);
    const past = await inject('POST', `/api/v1/tenants/${tenantA}/api-keys`, staff, { name: 'x', expiresAt: '2020-01-01T00:00:00Z' });
    expect(problemOf(past).errors?.map((e) => e.pointer)).toEqual(['/expiresAt']);
    const role = await inject('POST', `/api/v1/tenants/${tenantA}/api-keys`, staff, { name: 'x', role: 'emperor' });
    expect(problemOf(role).errors?.map((e) => e.pointer)).toEqual(['/role']);
    const unknownField = await inject('POST', `/api/v1/tenants/${tenantA}/api-keys`, staff, { name: 'x', tenantId: tenantB });
    expect(unknownField.statusCode).toBe(400);
  });

  it('stop authenticating when they expire, cached or not', async () => {
    const expiresAt = new Date(clock.now().getTime() + 3600_000).toISOString();
    const key = await createKey(tenantA, staff, { name: 'hour', expiresAt });
    expect((await inject('GET', `/api/v1/tenants/${tenantA}`, bearer(key.secret))).statusCode).toBe(200);
    clock.advance(3600_000 - 1000);
    expect((await inject('GET', `/api/v1/tenants/${tenantA}`, bearer(key.secret))).statusCode).toBe(200);
    clock.advance(2000);
    expect((await inject('GET', `/api/v1/tenants/${tenantA}`, bearer(key.secret))).statusCode).toBe(401);
  });

  it('record their last use, at most once a minute', async () => {
    const key = await createKey(tenantA, staff, { name: 'counted' });
    const lastUsed = async () => (await owner.query('select last_used_at from identity.api_keys where id = $1', [key.id])).rows[0].last_used_at as Date | null;
    const firstUse = clock.now().getTime();
    await inject('GET', `/api/v1/tenants/${tenantA}`, bearer(key.secret));
    await until(async () => (await lastUsed())?.getTime() === firstUse);
    clock.advance(30_000);
    await inject('GET', `/api/v1/tenants/${tenantA}`, bearer(key.secret));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await lastUsed())?.getTime()).toBe(firstUse);
    clock.advance(31_000);
    await inject('GET', `/api/v1/tenants/${tenantA}`, bearer(key.secret));
    await until(async () => (await lastUsed())?.getTime() === firstUse + 61_000);
    const listed = (await inject('GET', `/api/v1/tenants/${tenantA}/api-keys`, staff)).json().data.find((k: { id: string }) => k.id === key.id);
    expect(listed.lastUsedAt).toBe(new Date(firstUse + 61_000).toISOString());
  });

  it('are managed by owners, admins and developers only, and never get more than their creator holds', async () => {
    const developer = await createPerson('dev@example.com', [[tenantA, 'developer']]);
    const member = await createPerson('member@example.com', [[tenantA, 'member']]);
    expect((await inject('POST', `/api/v1/tenants/${tenantA}/api-keys`, member, { name: 'mine' })).statusCode).toBe(403);
    expect((await inject('GET', `/api/v1/tenants/${tenantA}/api-keys`, member)).statusCode).toBe(403);
    await createKey(tenantA, developer, { name: 'ci', role: 'developer' });
    const escalate = await inject('POST', `/api/v1/tenants/${tenantA}/api-keys`, developer, { name: 'root', role: 'owner' });
    expect(escalate.statusCode).toBe(403);
    // A developer of A cannot create keys for B.
    expect((await inject('POST', `/api/v1/tenants/${tenantB}/api-keys`, developer, { name: 'elsewhere' })).statusCode).toBe(403);
  });

  it('are audited when created and revoked, without their secret', async () => {
    const key = await createKey(tenantA, staff, { name: 'audited' });
    expect((await inject('DELETE', `/api/v1/tenants/${tenantA}/api-keys/${key.id}`, staff)).statusCode).toBe(204);
    const entries = await owner.query("select action, after, before from kernel.audit_entries where target_id = $1 order by seq", [key.id]);
    expect(entries.rows.map((r: { action: string }) => r.action)).toEqual(['identity.api_key.created', 'identity.api_key.revoked']);
    expect(JSON.stringify(entries.rows)).not.toContain(key.secret.slice(12));
    expect(entries.rows[0].after).toMatchObject({ prefix: key.prefix, name: 'audited' });
  });
});

describe('personal keys', () => {
  it('act as their person in one tenant with the person’s current role, and stop when the membership ends', async () => {
    const paula = await createPerson('paula@example.com', [
      [tenantA, 'admin'],
      [tenantB, 'member'],
    ]);
    const key = await call(t, 'post', '/api/v1/me/api-keys', 201, { headers: paula, body: { name: 'laptop script' } });
    secrets.push(key.secret);
    expect(key).toMatchObject({ kind: 'personal', tenantId: tenantA, role: null });
    expect((await inject('GET', `/api/v1/tenants/${tenantA}/members`, bearer(key.secret))).statusCode).toBe(200);
    expect([403, 404]).toContain((await inject('GET', `/api/v1/tenants/${tenantB}`, bearer(key.secret))).statusCode);
    expect((await inject('GET', '/api/v1/me/api-keys', paula)).json().data.map((k: { id: string }) => k.id)).toEqual([key.id]);

    // The role changes: the key follows from the next request on.
    const userId = key.userId!;
    expect((await inject('PUT', `/api/v1/tenants/${tenantA}/members/${userId}`, staff, { role: 'member' })).statusCode).toBe(200);
    expect((await inject('GET', `/api/v1/tenants/${tenantA}/members`, bearer(key.secret))).statusCode).toBe(403);
    expect((await inject('GET', `/api/v1/tenants/${tenantA}`, bearer(key.secret))).statusCode).toBe(200);
    // The membership ends: the key stops.
    expect((await inject('DELETE', `/api/v1/tenants/${tenantA}/members/${userId}`, staff)).statusCode).toBe(204);
    expect((await inject('GET', `/api/v1/tenants/${tenantA}`, bearer(key.secret))).statusCode).toBe(401);
  });

  it('can only be made for a tenant the person belongs to, and revoked only by their person', async () => {
    const quinn = await createPerson('quinn@example.com', [[tenantB, 'read-only']]);
    const notMine = await inject('POST', '/api/v1/me/api-keys', quinn, { name: 'x', tenantId: tenantA });
    expect(notMine.statusCode).toBe(404);
    expect(problemOf(notMine).code).toBe('PLAT_NOT_FOUND');
    const key = await call(t, 'post', '/api/v1/me/api-keys', 201, { headers: quinn, body: { name: 'reads', scopes: ['tenants:*'] } });
    secrets.push(key.secret);
    const rita = await createPerson('rita@example.com', [[tenantB, 'owner']]);
    expect((await inject('DELETE', `/api/v1/me/api-keys/${key.id}`, rita)).statusCode).toBe(404);
    expect((await inject('GET', `/api/v1/tenants/${tenantB}`, bearer(key.secret))).statusCode).toBe(200);
    expect((await inject('DELETE', `/api/v1/me/api-keys/${key.id}`, quinn)).statusCode).toBe(204);
    expect((await inject('GET', `/api/v1/tenants/${tenantB}`, bearer(key.secret))).statusCode).toBe(401);
  });

  it('cannot be managed with a service key, which has no person behind it', async () => {
    const key = await createKey(tenantA, staff, { name: 'svc', role: 'owner' });
    expect((await inject('POST', '/api/v1/me/api-keys', bearer(key.secret), { name: 'x' })).statusCode).toBe(403);
    expect((await inject('GET', '/api/v1/me/api-keys', bearer(key.secret))).statusCode).toBe(403);
  });
});

describe('bearer tokens', () => {
  it('that are unknown, malformed or of no known kind are refused with 401', async () => {
    for (const token of ['pk_aaaaaaaa_' + 'A'.repeat(43), 'pk_short', 'something-else-entirely']) {
      const response = await inject('GET', `/api/v1/tenants/${tenantA}`, bearer(token));
      expect(response.statusCode, token).toBe(401);
    }
  });
});

describe('cached sessions', () => {
  it('end on the very next call after sign-out, although the session was cached', async () => {
    const signedIn = await t.signIn('admin@example.com', ADMIN_PASSWORD);
    expect((await inject('GET', `/api/v1/tenants/${tenantA}`, signedIn)).statusCode).toBe(200);
    expect((await inject('GET', `/api/v1/tenants/${tenantA}`, signedIn)).statusCode).toBe(200);
    expect((await inject('POST', '/api/v1/auth/sign-out', signedIn)).statusCode).toBe(204);
    expect((await inject('GET', `/api/v1/tenants/${tenantA}`, signedIn)).statusCode).toBe(401);
  });
});

describe('the credential cache', () => {
  /** How many times the platform's pool hands out a connection during `work`. */
  async function connectionsUsedBy(work: () => Promise<unknown>): Promise<number> {
    let acquired = 0;
    const count = () => void acquired++;
    t.platform.kernel.pool.on('acquire', count);
    try {
      await work();
    } finally {
      t.platform.kernel.pool.off('acquire', count);
    }
    return acquired;
  }

  it('lets a cached key or session cost no database work of its own: the read is the only transaction', async () => {
    const key = await createKey(tenantA, staff, { name: 'cached' });
    const session = await t.signIn('admin@example.com', ADMIN_PASSWORD);
    for (const headers of [bearer(key.secret), session]) {
      const first = await connectionsUsedBy(() => inject('GET', `/api/v1/tenants/${tenantA}`, headers));
      expect(first).toBeGreaterThanOrEqual(2); // resolving the credential, then the read
      const cached = await connectionsUsedBy(async () => expect((await inject('GET', `/api/v1/tenants/${tenantA}`, headers)).statusCode).toBe(200));
      expect(cached).toBe(1);
    }
  });
});

describe('logs', () => {
  it('never contain an API key secret, also when a key-authenticated request fails on the server', async () => {
    const key = await createKey(tenantA, staff, { name: 'failing', role: 'admin' });
    const before = lines.length;
    // The application role loses the tenants table for a moment: the request fails and is logged.
    await owner.query('revoke select on tenancy.tenants from platforma_app');
    try {
      expect((await inject('GET', `/api/v1/tenants/${tenantA}`, bearer(key.secret))).statusCode).toBe(500);
      expect((await inject('PATCH', `/api/v1/tenants/${tenantA}`, bearer(key.secret), { organizationName: 'x' })).statusCode).toBe(500);
    } finally {
      await owner.query('grant select on tenancy.tenants to platforma_app');
    }
    const errors = lines.slice(before).filter((line) => (JSON.parse(line) as { level: number }).level >= 50);
    expect(errors.length).toBeGreaterThanOrEqual(2);
    expect(secrets.length).toBeGreaterThan(5);
    for (const secret of secrets) {
      for (const line of lines) expect(line.includes(secret.slice(12)), `secret in log line: ${line.slice(0, 300)}`).toBe(false);
    }
  });
});
