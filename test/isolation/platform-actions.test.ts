// The operator's decisions are platform actions no tenant role can be granted. A lint over the
// action catalogue (every action a route declares): it lists the platform-only ones, checks the
// list has no dead entries, and asks the policy engine, for every tenant role there is — each
// built-in tenant and partner role, and a custom role allowing everything in its tenant — whether
// it could perform one on any resource of its own tenant, a partner's customer or the platform.
// Then the same over HTTP: an owner's every credential is refused the operator's tenant actions,
// and an operator's suspension and quotas stay as the operator set them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platformOnlyActions, isPlatformOnly } from '../../src/kernel/authz/platform-actions.js';
import { decide } from '../../src/kernel/authz/authorize.js';
import { actionMatches, type Policy, type Statement } from '../../src/kernel/authz/policy.js';
import { PARTNER_ROLES, TENANT_ROLES, policiesFor } from '../../src/modules/identity/access/builtin-roles.js';
import { resourceTypeOf } from '../../src/modules/identity/access/service.js';
import { addMember, problemOf, startTestPlatform, type SignedInHeaders, type TestPlatform } from '../support/platform.js';
import { ownerCredentials, type NamedCredential } from '../support/tenant-credentials.js';
import { systemContext } from '../../src/kernel/context.js';

let t: TestPlatform;
let staff: SignedInHeaders;
let tenantId: string;
let credentials: NamedCredential[];

/** What the operator decides, as the API declares it today; a new operator action belongs here and in PLATFORM_ONLY_ACTIONS. */
const EXPECTED_PLATFORM_ONLY = [
  'catalog:coupon.archive',
  'catalog:coupon.create',
  'catalog:coupon.list',
  'catalog:coupon.read',
  'catalog:product.archive',
  'catalog:product.create',
  'catalog:product.restore',
  'catalog:product.update',
  'catalog:version.create',
  'catalog:version.delete',
  'catalog:version.publish',
  'catalog:version.retire',
  'catalog:version.update',
  'identity:impersonation.start',
  'identity:staff.create',
  'identity:staff.update',
  'identity:user.list',
  'identity:user.read',
  'identity:user.update',
  'notifications:mail.list',
  'notifications:mail.read',
  'operations:dead-letter.list',
  'operations:dead-letter.replay',
  'operations:workflow-run.list',
  'operations:workflow-run.read',
  'orders:approval-rule.create',
  'orders:approval-rule.delete',
  'orders:approval-rule.list',
  'orders:order.approve',
  'orders:order.fail',
  'orders:order.fulfil',
  'orders:order.reject',
  'tenants:tenant.activate',
  'tenants:tenant.create',
  'tenants:tenant.reactivate',
  'tenants:tenant.set_quotas',
  'tenants:tenant.suspend',
  'tenants:tenant.terminate',
];

const declaredActions = () => [...new Set(t.platform.app.routeActions.flatMap((route) => (route.action ? [route.action] : [])))].sort();

beforeAll(async () => {
  t = await startTestPlatform();
  staff = await t.signIn();
  tenantId = (await t.platform.app.inject({ method: 'POST', url: '/api/v1/tenants', headers: staff, payload: { organizationName: 'Limited', domain: 'limited.example.com', adminEmail: 'ops@limited.example.com' } })).json().id;
  await t.platform.identity.service.createUser({ email: 'owner@limited.example.com', password: 'limited owner passphrase' }, systemContext('test'));
  await addMember(t.platform, tenantId, 'owner@limited.example.com', 'owner');
  credentials = await ownerCredentials(t, tenantId, await t.signIn('owner@limited.example.com', 'limited owner passphrase'), 'limited');
});
afterAll(() => t?.close());

describe('the action catalogue', () => {
  it('lists exactly these platform-only actions among those the API declares', () => {
    expect(declaredActions().filter(isPlatformOnly)).toEqual(EXPECTED_PLATFORM_ONLY);
  });

  it('has no platform-only pattern that matches nothing the API declares (or that a service checks on its own)', () => {
    // Checked inside a use case rather than declared by a route: the console's member add, and a
    // tenant update that changes the domain.
    const actions = [...declaredActions(), 'identity:member.attach', 'tenants:tenant.set_domain'];
    for (const pattern of platformOnlyActions()) expect(actions.some((action) => actionMatches(pattern, action)), pattern).toBe(true);
  });

  it('lets no tenant role, built-in, partner or custom, match a platform-only action on any resource', () => {
    const everything: Statement[] = [{ effect: 'allow', actions: ['*'], resources: ['prn:${tenant}:*/*'] }];
    const roles: { name: string; policies: Policy[] }[] = [
      ...[...TENANT_ROLES, ...PARTNER_ROLES].map((role) => ({ name: role, policies: policiesFor({ platformRole: null, tenantRole: role, customStatements: null, partnerCustomers: ['ten_customer'] }) })),
      { name: 'custom role allowing *', policies: policiesFor({ platformRole: null, tenantRole: 'role_everything', customStatements: everything, partnerCustomers: [] }) },
    ];
    const platformOnly = declaredActions().filter(isPlatformOnly);
    expect(platformOnly.length).toBeGreaterThan(20);
    for (const { name, policies } of roles) {
      for (const action of platformOnly) {
        for (const tenant of ['ten_own', 'ten_customer', 'platform']) {
          for (const id of ['*', 'ten_own', 'x']) {
            const resource = `prn:${tenant}:${resourceTypeOf(action)}/${id}`;
            const decision = decide(policies, { action, resource, context: { mfa: true, sourceIp: '127.0.0.1' }, variables: { tenant: 'ten_own', user: 'usr_x' } });
            expect(decision.allowed, `${name} may ${action} on ${resource}`).toBe(false);
          }
        }
      }
    }
    // Not vacuous: the same owner policies do allow the tenant's own actions.
    const owner = roles.find((role) => role.name === 'owner')!;
    expect(decide(owner.policies, { action: 'tenants:tenant.update', resource: 'prn:ten_own:tenant/ten_own', context: { mfa: true, sourceIp: '127.0.0.1' }, variables: { tenant: 'ten_own', user: 'usr_x' } }).allowed).toBe(true);
  });
});

describe('a tenant owner, with every credential they can hold', () => {
  const quotas = { maxUsers: 1000, maxStorage: 1000, maxAPICallsPerMonth: 1000, maxComputeHours: 1000, features: [], customLimits: {} };

  it('cannot change the tenant’s quotas, status or domain, and the operator’s settings stay', async () => {
    const before = (await t.platform.app.inject({ method: 'GET', url: `/api/v1/tenants/${tenantId}`, headers: staff })).json();
    for (const credential of credentials) {
      const attempts = [
        ['PUT', `/api/v1/tenants/${tenantId}/quotas`, quotas],
        ['PATCH', `/api/v1/tenants/${tenantId}`, { domain: 'someone-elses.example.com' }],
        ['POST', `/api/v1/tenants/${tenantId}/suspend`, { reason: 'mine to decide' }],
        ['POST', `/api/v1/tenants/${tenantId}/terminate`, {}],
        ['POST', `/api/v1/tenants/${tenantId}/activate`, {}],
        ['POST', `/api/v1/tenants/${tenantId}/reactivate`, {}],
      ] as const;
      for (const [method, url, payload] of attempts) {
        const response = await t.platform.app.inject({ method, url, headers: credential.headers, payload });
        expect(response.statusCode, `${credential.name}: ${method} ${url}`).toBe(403);
        expect(problemOf(response).code).toBe('PLAT_FORBIDDEN');
      }
    }
    const after = (await t.platform.app.inject({ method: 'GET', url: `/api/v1/tenants/${tenantId}`, headers: staff })).json();
    expect(after.version).toBe(before.version);
    expect(after.quotas).toEqual(before.quotas);
    expect(after.domain).toBe('limited.example.com');
    // Its name is the tenant's own to change.
    const renamed = await t.platform.app.inject({ method: 'PATCH', url: `/api/v1/tenants/${tenantId}`, headers: credentials[0]!.headers, payload: { organizationName: 'Limited Ltd' } });
    expect(renamed.statusCode, renamed.body).toBe(200);
  });

  it('cannot undo an operator’s suspension', async () => {
    const suspended = await t.platform.app.inject({ method: 'POST', url: `/api/v1/tenants/${tenantId}/suspend`, headers: staff, payload: { reason: 'unpaid invoices' } });
    expect(suspended.statusCode, suspended.body).toBe(200);
    for (const credential of credentials) {
      const response = await t.platform.app.inject({ method: 'POST', url: `/api/v1/tenants/${tenantId}/reactivate`, headers: credential.headers, payload: {} });
      expect(response.statusCode, credential.name).toBe(403);
    }
    expect((await t.platform.app.inject({ method: 'GET', url: `/api/v1/tenants/${tenantId}`, headers: staff })).json().status).toBe('suspended');
    expect((await t.platform.app.inject({ method: 'POST', url: `/api/v1/tenants/${tenantId}/reactivate`, headers: staff, payload: {} })).statusCode).toBe(200);
  });

  it('cannot write a custom role that names an operator’s decision', async () => {
    const role = await t.platform.app.inject({
      method: 'POST',
      url: `/api/v1/tenants/${tenantId}/roles`,
      headers: credentials[0]!.headers,
      payload: { name: 'quota raiser', statements: [{ effect: 'allow', actions: ['tenants:tenant.read', 'tenants:tenant.set_quotas'], resources: ['prn:${tenant}:*/*'] }] },
    });
    expect(role.statusCode).toBe(400);
    expect(problemOf(role).errors).toEqual([{ pointer: '/statements/0/actions/1', message: 'is the operator’s decision; no tenant role can be granted it' }]);
  });

  it('is told the action is the operator’s when asking why', async () => {
    const why = await t.platform.app.inject({ method: 'POST', url: '/api/v1/authz/explain', headers: credentials[0]!.headers, payload: { action: 'tenants:tenant.set_quotas', resource: `prn:${tenantId}:tenant/${tenantId}` } });
    expect(why.statusCode, why.body).toBe(200);
    expect(why.json()).toMatchObject({ allowed: false, reason: 'explicit-deny', matched: [{ policy: 'platform-only' }] });
    const catalogue = (await t.platform.app.inject({ method: 'GET', url: '/api/v1/authz/actions', headers: credentials[0]!.headers })).json().data as { action: string; platformOnly: boolean }[];
    expect(catalogue.find((entry) => entry.action === 'tenants:tenant.set_quotas')?.platformOnly).toBe(true);
    expect(catalogue.find((entry) => entry.action === 'tenants:tenant.update')?.platformOnly).toBe(false);
  });
});
