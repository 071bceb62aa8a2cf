// Who the client is, and which host it reached, cannot be written by the client. X-Forwarded-For is
// believed only from a configured proxy (TRUSTED_PROXIES; here 10.9.9.9), so a forged one neither
// passes a source-IP condition, nor escapes the per-address sign-in limit, nor lands in the audit
// log; and the OAuth discovery document names PUBLIC_URL's endpoints whatever Host or
// X-Forwarded-Host says.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemContext } from '../../src/kernel/context.js';
import { OAUTH_PATH } from '../../src/modules/identity/credentials/oauth/authorization-server.js';
import { addMember, problemOf, startTestPlatform, type SignedInHeaders, type TestPlatform } from '../support/platform.js';
import { ownerQuery } from '../support/audit.js';
import { registerSecret } from '../support/suite-log.js';

const PROXY = '10.9.9.9';
const PUBLIC_URL = 'https://platforma.example.com';
let t: TestPlatform;
let tenantId: string;
let officeKey: string;

beforeAll(async () => {
  t = await startTestPlatform({ env: { TRUSTED_PROXIES: `${PROXY}, 192.168.77.0/24`, PUBLIC_URL, SIGN_IN_MAX_FAILURES_PER_IP: '3' } });
  const staff = await t.signIn();
  tenantId = (await t.platform.app.inject({ method: 'POST', url: '/api/v1/tenants', headers: staff, payload: { organizationName: 'Forwarded', domain: 'forwarded.example.com', adminEmail: 'ops@forwarded.example.com' } })).json().id;
  await t.platform.identity.service.createUser({ email: 'owner@forwarded.example.com', password: 'forwarded owner passphrase' }, systemContext('test'));
  await addMember(t.platform, tenantId, 'owner@forwarded.example.com', 'owner');
  const owner: SignedInHeaders = await t.signIn('owner@forwarded.example.com', 'forwarded owner passphrase');
  // A role that reads the tenant only from the office network, and a key with it.
  const role = await t.platform.app.inject({
    method: 'POST',
    url: `/api/v1/tenants/${tenantId}/roles`,
    headers: owner,
    payload: { name: 'office only', statements: [{ effect: 'allow', actions: ['tenants:tenant.read'], resources: ['prn:${tenant}:*/*'], conditions: { sourceIp: ['10.1.2.0/24'] } }] },
  });
  expect(role.statusCode, role.body).toBe(201);
  const key = await t.platform.app.inject({ method: 'POST', url: `/api/v1/tenants/${tenantId}/api-keys`, headers: owner, payload: { name: 'office', role: role.json().id } });
  expect(key.statusCode, key.body).toBe(201);
  officeKey = key.json().secret;
  registerSecret('API key', officeKey);
});
afterAll(() => t?.close());

const readTenant = (remoteAddress: string, forwardedFor?: string) =>
  t.platform.app.inject({
    method: 'GET',
    url: `/api/v1/tenants/${tenantId}`,
    remoteAddress,
    headers: { authorization: `Bearer ${officeKey}`, ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) },
  });

describe('X-Forwarded-For', () => {
  it('does not satisfy a source-IP condition unless a trusted proxy sent it', async () => {
    const forged = await readTenant('127.0.0.1', '10.1.2.3');
    expect(forged.statusCode).toBe(403);
    expect(problemOf(forged).code).toBe('PLAT_FORBIDDEN');
    // Through the configured proxy the header is the client's address, and the condition holds.
    expect((await readTenant(PROXY, '10.1.2.3')).statusCode).toBe(200);
    expect((await readTenant(PROXY, '172.16.0.1')).statusCode).toBe(403);
    // CIDR ranges count as proxies too.
    expect((await readTenant('192.168.77.40', '10.1.2.3')).statusCode).toBe(200);
  });

  it('cannot escape the per-address sign-in limit with a new forged address per attempt', async () => {
    const attempt = (i: number) =>
      t.platform.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', remoteAddress: '10.66.0.1', headers: { 'x-forwarded-for': `203.0.113.${i}` }, payload: { email: `guess${i}@example.com`, password: 'guess' } });
    const answers: number[] = [];
    for (let i = 0; i < 5; i++) answers.push((await attempt(i)).statusCode);
    expect(answers).toEqual([401, 401, 401, 429, 429]);
  });

  it('leaves the real address, not the forged one, in the audit log', async () => {
    const email = 'audited-guess@example.com';
    await t.platform.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', remoteAddress: '10.77.0.1', headers: { 'x-forwarded-for': '198.51.100.7' }, payload: { email, password: 'guess' } });
    const rows = await ownerQuery<{ source_ip: string }>(t, "select source_ip from kernel.audit_entries where action = 'identity.sign_in.failed' and actor_label = $1", [email]);
    expect(rows.map((row) => row.source_ip)).toEqual(['10.77.0.1']);
  });
});

describe('the OAuth discovery document', () => {
  it('names the endpoints at PUBLIC_URL whatever Host and X-Forwarded-Host say', async () => {
    for (const headers of [{ host: 'evil.example' }, { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'http' }, { host: 'evil.example', 'x-forwarded-host': 'evil.example' }]) {
      for (const remoteAddress of ['127.0.0.1', PROXY]) {
        const response = await t.platform.app.inject({ method: 'GET', url: `${OAUTH_PATH}/.well-known/openid-configuration`, headers, remoteAddress });
        expect(response.statusCode, response.body).toBe(200);
        const discovery = response.json() as Record<string, unknown>;
        expect(discovery.issuer).toBe(`${PUBLIC_URL}${OAUTH_PATH}`);
        const urls = Object.entries(discovery).filter(([, value]) => typeof value === 'string' && /^https?:/.test(value));
        expect(urls.length).toBeGreaterThan(4);
        for (const [name, url] of urls) expect(url, name).toMatch(new RegExp(`^${PUBLIC_URL}/`));
      }
    }
  });
});
