// `platforma api-key create` through the real command: it prints the key once, as JSON; the key
// then works against the API, only for its tenant, and not after it is revoked. A second server
// process on the same database sees the revocation too (LISTEN/NOTIFY), although it had the key
// cached.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform, type SignedInHeaders } from '../support/platform.js';
import { createPlatform, type Platform } from '../../src/platform.js';
import { loadPlatformConfig as loadConfig } from '../../src/registry.js';
import { runCli } from '../support/cli.js';

let t: TestPlatform;
let second: Platform;
let staff: SignedInHeaders;
let tenantA: string;
let tenantB: string;

async function createTenant(name: string): Promise<string> {
  const response = await t.platform.app.inject({
    method: 'POST',
    url: '/api/v1/tenants',
    headers: staff,
    payload: { organizationName: name, domain: `${name.toLowerCase()}.example.com`, adminEmail: `ops@${name.toLowerCase()}.example.com` },
  });
  expect(response.statusCode).toBe(201);
  return response.json().id;
}

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

beforeAll(async () => {
  t = await startTestPlatform();
  staff = await t.signIn();
  tenantA = await createTenant('Alpha');
  tenantB = await createTenant('Bravo');
  // Another server process's view of the same database: its own pool, cache and listener.
  const config = loadConfig({ DATABASE_URL: t.database.ownerUrl, LOG_LEVEL: 'silent', PORT: '0', HOST: '127.0.0.1' });
  second = await createPlatform({ config, role: 'api', database: { ownerUrl: t.database.ownerUrl, appUrl: t.database.appUrl, embedded: false, release: async () => {} } });
  await until(() => t.platform.identity.credentials.active && second.identity.credentials.active);
});
afterAll(async () => {
  await second?.close();
  await t?.close();
});

describe('platforma api-key create', () => {
  it('prints a key that reads its tenant, not another, and is refused right after revocation, in every server process', async () => {
    const result = await runCli(['api-key', 'create', '--tenant', tenantA, '--name', 'ci', '--role', 'developer', '--expires-in-days', '30'], { DATABASE_URL: t.database.ownerUrl });
    expect(result.code, result.stderr).toBe(0);
    const key = JSON.parse(result.stdout) as { id: string; secret: string; tenantId: string; role: string; expiresAt: string };
    expect(key).toMatchObject({ tenantId: tenantA, role: 'developer', kind: 'service' });
    expect(key.secret).toMatch(/^pk_[0-9a-z]{8}_/);
    expect(new Date(key.expiresAt).getTime()).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    const auth = { authorization: `Bearer ${key.secret}` };

    for (const platform of [t.platform, second]) {
      const read = await platform.app.inject({ method: 'GET', url: `/api/v1/tenants/${tenantA}`, headers: auth });
      expect(read.statusCode, read.body).toBe(200);
      expect(read.json().id).toBe(tenantA);
      expect([403, 404]).toContain((await platform.app.inject({ method: 'GET', url: `/api/v1/tenants/${tenantB}`, headers: auth })).statusCode);
    }
    expect(second.identity.credentials.size).toBeGreaterThan(0);

    const revoked = await t.platform.app.inject({ method: 'DELETE', url: `/api/v1/tenants/${tenantA}/api-keys/${key.id}`, headers: staff });
    expect(revoked.statusCode).toBe(204);
    expect((await t.platform.app.inject({ method: 'GET', url: `/api/v1/tenants/${tenantA}`, headers: auth })).statusCode).toBe(401);
    // The other process hears of it over its listener connection as the revocation commits.
    await until(() => second.identity.credentials.size === 0, 2000);
    expect((await second.app.inject({ method: 'GET', url: `/api/v1/tenants/${tenantA}`, headers: auth })).statusCode).toBe(401);
  });

  it('refuses scopes that are not action patterns and names the option', async () => {
    const result = await runCli(['api-key', 'create', '--tenant', tenantA, '--name', 'bad', '--scopes', 'tenants:tenant.read,NOT VALID'], { DATABASE_URL: t.database.ownerUrl });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/--scopes\/1: must be an action pattern/);
    expect(result.stdout).toBe('');
  });

  it('creates a scoped key that cannot change the tenant even with the owner role', async () => {
    const result = await runCli(['api-key', 'create', '--tenant', tenantA, '--name', 'reader', '--role', 'owner', '--scopes', 'tenants:tenant.read'], { DATABASE_URL: t.database.ownerUrl });
    expect(result.code, result.stderr).toBe(0);
    const auth = { authorization: `Bearer ${(JSON.parse(result.stdout) as { secret: string }).secret}` };
    expect((await t.platform.app.inject({ method: 'GET', url: `/api/v1/tenants/${tenantA}`, headers: auth })).statusCode).toBe(200);
    expect((await t.platform.app.inject({ method: 'PATCH', url: `/api/v1/tenants/${tenantA}`, headers: auth, payload: { organizationName: 'Changed' } })).statusCode).toBe(403);
  });
});
