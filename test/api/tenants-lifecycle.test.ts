import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, problemOf, type TestPlatform, type SignedInHeaders } from '../support/platform.js';

let t: TestPlatform;
let auth: SignedInHeaders;

beforeAll(async () => {
  t = await startTestPlatform();
  auth = await t.signIn();
});
afterAll(() => t.close());

const acme = { organizationName: 'Acme Corp', domain: 'acme.example.com', adminEmail: 'ops@acme.example.com' };

describe('tenant lifecycle', () => {
  it('creates a tenant with the seed document defaults and an ETag', async () => {
    const response = await t.platform.app.inject({ method: 'POST', url: '/api/v1/tenants', headers: auth, payload: acme });
    expect(response.statusCode).toBe(201);
    const tenant = response.json();
    expect(tenant.id).toMatch(/^ten_/);
    expect(tenant.tenantId).toBe(tenant.id);
    expect(tenant.status).toBe('active');
    expect(tenant.quotas.maxUsers).toBe(10);
    expect(tenant.settings.authentication.passwordPolicy.minLength).toBe(12);
    expect(response.headers.etag).toBe('"v1"');
    expect(response.headers.location).toBe(`/api/v1/tenants/${tenant.id}`);
  });

  it('suspends with a reason, refuses a second suspension with 409 naming the current status, and reactivates', async () => {
    const created = (await t.platform.app.inject({ method: 'POST', url: '/api/v1/tenants', headers: auth, payload: { ...acme, domain: 'beta.example.com' } })).json();
    const suspended = await t.platform.app.inject({ method: 'POST', url: `/api/v1/tenants/${created.id}/suspend`, headers: auth, payload: { reason: 'unpaid invoice' } });
    expect(suspended.statusCode).toBe(200);
    expect(suspended.json()).toMatchObject({ status: 'suspended', statusReason: 'unpaid invoice', version: 2 });
    const again = await t.platform.app.inject({ method: 'POST', url: `/api/v1/tenants/${created.id}/suspend`, headers: auth, payload: { reason: 'again' } });
    expect(again.statusCode).toBe(409);
    expect(problemOf(again)).toMatchObject({ code: 'PLAT_INVALID_TRANSITION', currentStatus: 'suspended' });
    const reactivated = await t.platform.app.inject({ method: 'POST', url: `/api/v1/tenants/${created.id}/reactivate`, headers: auth });
    expect(reactivated.statusCode).toBe(200);
    expect(reactivated.json().status).toBe('active');
  });
});
