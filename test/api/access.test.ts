// People across tenants, roles as policies, and the checks that keep members out of administration.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, startTestPlatform, problemOf, type TestPlatform, type SignedInHeaders } from '../support/platform.js';
import { systemContext } from '../../src/kernel/context.js';

let t: TestPlatform;
let staff: SignedInHeaders;
let tenantA: string;
let tenantB: string;
let tenantC: string;
const PASSWORD = 'a long enough passphrase';

async function inject(method: string, url: string, headers: Record<string, string>, payload?: unknown) {
  return t.platform.app.inject({ method: method as 'GET', url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
}

async function createTenant(name: string): Promise<string> {
  const response = await inject('POST', '/api/v1/tenants', staff, { organizationName: name, domain: `${name.toLowerCase()}.example.com`, adminEmail: `ops@${name.toLowerCase()}.example.com` });
  expect(response.statusCode).toBe(201);
  return response.json().id;
}

async function createPerson(email: string, memberships: [string, string][]): Promise<SignedInHeaders> {
  await t.platform.identity.service.createUser({ email, password: PASSWORD }, systemContext('test'));
  for (const [tenantId, role] of memberships) {
    await addMember(t.platform, tenantId, email, role);
  }
  return t.signIn(email, PASSWORD);
}

beforeAll(async () => {
  t = await startTestPlatform();
  staff = await t.signIn();
  tenantA = await createTenant('Alpha');
  tenantB = await createTenant('Bravo');
  tenantC = await createTenant('Charlie');
});
afterAll(() => t.close());

describe('one person in several tenants', () => {
  it('works in the first tenant, lists every membership, and switches tenant without signing in again', async () => {
    const dana = await createPerson('dana@example.com', [
      [tenantA, 'admin'],
      [tenantB, 'member'],
    ]);
    const me = (await inject('GET', '/api/v1/me', dana)).json();
    expect(me.activeTenantId).toBe(tenantA);
    expect(me.memberships).toEqual([
      { tenantId: tenantA, organizationName: 'Alpha', role: 'admin' },
      { tenantId: tenantB, organizationName: 'Bravo', role: 'member' },
    ]);
    expect((await inject('GET', `/api/v1/tenants/${tenantA}/members`, dana)).statusCode).toBe(200);

    expect((await inject('POST', '/api/v1/auth/switch-tenant', dana, { tenantId: tenantB })).statusCode).toBe(204);
    const session = (await inject('GET', '/api/v1/auth/session', dana)).json();
    expect(session).toMatchObject({ activeTenantId: tenantB, tenantRole: 'member' });
    // As a member of B: reads B, but no tenant administration, and nothing of A from here.
    expect((await inject('GET', `/api/v1/tenants/${tenantB}`, dana)).statusCode).toBe(200);
    expect((await inject('GET', `/api/v1/tenants/${tenantB}/members`, dana)).statusCode).toBe(403);
    expect((await inject('GET', `/api/v1/tenants/${tenantA}`, dana)).statusCode).toBe(403);

    // Not a member of C: same answer as for a tenant that does not exist.
    const notMine = await inject('POST', '/api/v1/auth/switch-tenant', dana, { tenantId: tenantC });
    expect(notMine.statusCode).toBe(404);
    expect(problemOf(notMine).code).toBe('PLAT_NOT_FOUND');
  });

  it('lists only the tenant a non-staff person works in', async () => {
    const erin = await createPerson('erin@example.com', [[tenantA, 'read-only']]);
    const page = (await inject('GET', '/api/v1/tenants', erin)).json();
    expect(page.data.map((tenant: { id: string }) => tenant.id)).toEqual([tenantA]);
  });
});

describe('tenant administration is for owners and admins', () => {
  it('refuses members, roles and role changes to a member and a developer, and allows them to an admin', async () => {
    const member = await createPerson('frank@example.com', [[tenantA, 'member']]);
    const developer = await createPerson('gail@example.com', [[tenantA, 'developer']]);
    const admin = await createPerson('hank@example.com', [[tenantA, 'admin']]);
    const frank = (await inject('GET', `/api/v1/tenants/${tenantA}/members`, admin)).json().data.find((m: { email: string }) => m.email === 'frank@example.com');
    const attempts: [string, string, unknown?][] = [
      ['GET', `/api/v1/tenants/${tenantA}/members`],
      ['POST', `/api/v1/tenants/${tenantA}/invitations`, { email: 'dana@example.com', role: 'member' }],
      ['PUT', `/api/v1/tenants/${tenantA}/members/${frank.userId}`, { role: 'admin' }],
      ['DELETE', `/api/v1/tenants/${tenantA}/members/${frank.userId}`],
      ['GET', `/api/v1/tenants/${tenantA}/roles`],
      ['POST', `/api/v1/tenants/${tenantA}/roles`, { name: 'x', statements: [{ effect: 'allow', actions: ['*'], resources: ['prn:${tenant}:*/*'] }] }],
    ];
    for (const [method, url, body] of attempts) {
      for (const who of [member, developer]) {
        const response = await inject(method, url, who, body);
        expect(response.statusCode, `${method} ${url}`).toBe(403);
        expect(problemOf(response).code).toBe('PLAT_FORBIDDEN');
      }
    }
    expect((await inject('GET', `/api/v1/tenants/${tenantA}/roles`, admin)).statusCode).toBe(200);
    // Terminating a tenant is the operator's decision: no tenant role reaches it (platform-actions.ts).
    expect((await inject('POST', `/api/v1/tenants/${tenantA}/terminate`, admin, {})).statusCode).toBe(403);
  });

  it('keeps at least one owner', async () => {
    const owner = await createPerson('ivy@example.com', [[tenantC, 'owner']]);
    const me = (await inject('GET', '/api/v1/me', owner)).json();
    const demote = await inject('PUT', `/api/v1/tenants/${tenantC}/members/${me.user.id}`, owner, { role: 'member' });
    expect(demote.statusCode).toBe(409);
    expect((await inject('DELETE', `/api/v1/tenants/${tenantC}/members/${me.user.id}`, staff)).statusCode).toBe(409);
  });
});

describe('custom roles', () => {
  it('apply from the next request, and a change of the role applies at once', async () => {
    const owner = await createPerson('jack@example.com', [[tenantB, 'owner']]);
    const created = await inject('POST', `/api/v1/tenants/${tenantB}/roles`, owner, {
      name: 'auditor',
      description: 'Reads the audit trail only',
      statements: [{ sid: 'audit', effect: 'allow', actions: ['tenants:audit-event.list'], resources: ['prn:${tenant}:tenant/*'] }],
    });
    expect(created.statusCode, created.body).toBe(201);
    const role = created.json();
    expect(role.id).toMatch(/^role_/);
    const kim = await createPerson('kim@example.com', [[tenantB, role.id]]);
    expect((await inject('GET', `/api/v1/tenants/${tenantB}/audit-events`, kim)).statusCode).toBe(200);
    expect((await inject('GET', `/api/v1/tenants/${tenantB}`, kim)).statusCode).toBe(403);

    const explained = (await inject('POST', '/api/v1/authz/explain', kim, { action: 'tenants:audit-event.list', resource: `prn:${tenantB}:tenant/${tenantB}` })).json();
    expect(explained).toEqual({ allowed: true, reason: 'allow', matched: [{ policy: `custom:${role.id}`, sid: 'audit', effect: 'allow' }] });

    const updated = await inject('PUT', `/api/v1/tenants/${tenantB}/roles/${role.id}`, owner, {
      name: 'auditor',
      statements: [{ effect: 'allow', actions: ['tenants:tenant.read'], resources: ['prn:${tenant}:tenant/*'] }],
    });
    expect(updated.statusCode, updated.body).toBe(200);
    expect((await inject('GET', `/api/v1/tenants/${tenantB}/audit-events`, kim)).statusCode).toBe(403);
    expect((await inject('GET', `/api/v1/tenants/${tenantB}`, kim)).statusCode).toBe(200);
    // A role someone holds cannot be deleted.
    expect((await inject('DELETE', `/api/v1/tenants/${tenantB}/roles/${role.id}`, owner)).statusCode).toBe(409);
  });

  it('may only speak about their own tenant and must be well-formed', async () => {
    const owner = await createPerson('liam@example.com', [[tenantC, 'owner']]);
    const response = await inject('POST', `/api/v1/tenants/${tenantC}/roles`, owner, {
      name: 'sneaky',
      statements: [{ effect: 'allow', actions: ['Billing'], resources: [`prn:${tenantA}:tenant/*`] }],
    });
    expect(response.statusCode).toBe(400);
    expect(problemOf(response).errors?.map((e) => e.pointer)).toEqual(['/statements/0/actions/0', '/statements/0/resources/0']);
    expect((await inject('GET', `/api/v1/tenants/${tenantC}/roles`, owner)).json().data.filter((r: { builtin: boolean }) => !r.builtin)).toEqual([]);
  });
});

describe('removing a member', () => {
  it('ends their sessions in that tenant at once', async () => {
    const owner = await createPerson('mia@example.com', [[tenantC, 'owner']]);
    const noah = await createPerson('noah@example.com', [[tenantC, 'member']]);
    expect((await inject('GET', `/api/v1/tenants/${tenantC}`, noah)).statusCode).toBe(200);
    const noahId = (await inject('GET', '/api/v1/me', noah)).json().user.id;
    expect((await inject('DELETE', `/api/v1/tenants/${tenantC}/members/${noahId}`, owner)).statusCode).toBe(204);
    const after = await inject('GET', `/api/v1/tenants/${tenantC}`, noah);
    expect(after.statusCode).toBe(401);
  });
});

describe('every route', () => {
  it('declares the action it needs, or is public by design', () => {
    const api = t.platform.app.routeActions.filter((route) => route.url.startsWith('/api/'));
    expect(api.length).toBeGreaterThan(20);
    const publicRoutes = api.filter((route) => route.public).map((route) => `${route.method} ${route.url}`);
    // Sign-in, the emailed-link steps (password reset, email verification, invitations: the token
    // authenticates), and the API description (which /docs serves publicly anyway). A new public
    // route must be added here on purpose.
    // Single sign-on: discovery by email, and the browser's round trip through the identity
    // provider (the provider's signed answer or the one-time handoff authenticates).
    expect(publicRoutes.sort()).toEqual([
      'GET /api/v1/auth/sso/:tenantId/:providerId/callback',
      'GET /api/v1/auth/sso/:tenantId/:providerId/metadata',
      'GET /api/v1/auth/sso/:tenantId/:providerId/start',
      'GET /api/v1/auth/sso/finish',
      'GET /api/v1/openapi.json',
      'HEAD /api/v1/auth/sso/:tenantId/:providerId/callback',
      'HEAD /api/v1/auth/sso/:tenantId/:providerId/metadata',
      'HEAD /api/v1/auth/sso/:tenantId/:providerId/start',
      'HEAD /api/v1/auth/sso/finish',
      'HEAD /api/v1/openapi.json',
      'POST /api/v1/auth/discover',
      'POST /api/v1/auth/password-reset',
      'POST /api/v1/auth/password-reset/confirm',
      'POST /api/v1/auth/sign-in',
      'POST /api/v1/auth/sso/:tenantId/:providerId/acs',
      'POST /api/v1/auth/verify-email',
      'POST /api/v1/invitations/accept',
      'POST /api/v1/invitations/preview',
    ]);
    for (const route of api.filter((r) => !r.public)) expect(route.action, `${route.method} ${route.url}`).toMatch(/^[a-z][a-z-]*:[a-z][a-z0-9_.-]*$/);
  });

  it('cannot be registered without one', async () => {
    const { createHttpServer } = await import('../../src/gateway/http/server.js');
    const app = await createHttpServer({ logger: t.platform.kernel.logger, metrics: t.platform.kernel.metrics, bodyLimit: 1024, version: 'test', trustedProxies: [] });
    expect(() => app.get('/api/v1/unguarded', async () => ({}))).toThrow(/declares no action/);
    await app.close();
  });
});
