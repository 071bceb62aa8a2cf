// A tenant's status bites on every operation, for every credential of the tenant. The operations
// are every API route the server has (app.routeActions), so a new route is covered the day it is
// added. For each status the test says, in HTTP terms and independently of how the gateway
// classifies actions, which operations stay open:
// - pending: reads, the person's own account, and setting the organisation up;
// - suspended: reads, the person's own account, and taking access away (revoking keys, removing
//   people); nothing else changes until the operator reactivates it;
// - terminated: the owner's session keeps only its own account; every API key and OAuth token of
//   the tenant is refused outright (401).
// A refused operation answers with a problem naming the status and changes nothing of the tenant.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemContext } from '../../src/kernel/context.js';
import { addMember, startTestPlatform, type SignedInHeaders, type TestPlatform } from '../support/platform.js';
import { ownerCredentials, type NamedCredential } from '../support/tenant-credentials.js';
import { snapshotOfTenant } from '../support/tenant-snapshot.js';

let t: TestPlatform;
let owner: pg.Client;
let staff: SignedInHeaders;
let tenantId: string;
let credentials: NamedCredential[];

/** Operations that only look, whatever their method. */
const LOOKING = ['POST /api/v1/authz/explain', 'POST /api/v1/tenants/{id}/roles/simulate', 'POST /api/v1/prices/preview', 'POST /api/v1/orders/{id}/items/{itemId}/change-preview'];
/** A person's own account and session. */
const OWN_ACCOUNT = [
  'GET /api/v1/me',
  'GET /api/v1/auth/session',
  'GET /api/v1/me/sessions',
  'GET /api/v1/me/api-keys',
  'GET /api/v1/me/permissions',
  'POST /api/v1/auth/sign-out',
  'POST /api/v1/auth/switch-tenant',
  'PATCH /api/v1/me',
  'DELETE /api/v1/me/api-keys/{keyId}',
  'POST /api/v1/me/mfa/totp',
  'POST /api/v1/me/mfa/totp/confirm',
  'DELETE /api/v1/me/mfa',
  'POST /api/v1/auth/mfa/verify',
  'POST /api/v1/me/password',
  'POST /api/v1/me/email-verification',
  'DELETE /api/v1/me/sessions/{sessionId}',
  'DELETE /api/v1/impersonations/current',
];
const REVOKING = ['DELETE /api/v1/tenants/{id}/api-keys/{keyId}', 'DELETE /api/v1/tenants/{id}/oauth-clients/{clientId}', 'DELETE /api/v1/tenants/{id}/members/{userId}', 'DELETE /api/v1/tenants/{id}/invitations/{invitationId}'];
const ONBOARDING = [
  ...REVOKING,
  'PATCH /api/v1/tenants/{id}',
  'PUT /api/v1/tenants/{id}/members/{userId}',
  'POST /api/v1/tenants/{id}/invitations',
  'POST /api/v1/tenants/{id}/invitations/{invitationId}/resend',
  'POST /api/v1/tenants/{id}/roles',
  'PUT /api/v1/tenants/{id}/roles/{roleId}',
  'DELETE /api/v1/tenants/{id}/roles/{roleId}',
  'POST /api/v1/tenants/{id}/api-keys',
  'POST /api/v1/me/api-keys',
  'POST /api/v1/tenants/{id}/oauth-clients',
  'POST /api/v1/tenants/{id}/identity-providers',
  'PATCH /api/v1/tenants/{id}/identity-providers/{providerId}',
  'DELETE /api/v1/tenants/{id}/identity-providers/{providerId}',
  'PUT /api/v1/tenants/{id}/authentication-settings',
];

type Status = 'pending' | 'suspended' | 'terminated';
const isRead = (operation: string) => operation.startsWith('GET ') || LOOKING.includes(operation);
const OPEN_FOR: Record<Status, (operation: string) => boolean> = {
  pending: (operation) => isRead(operation) || OWN_ACCOUNT.includes(operation) || ONBOARDING.includes(operation),
  suspended: (operation) => isRead(operation) || OWN_ACCOUNT.includes(operation) || REVOKING.includes(operation),
  terminated: (operation) => OWN_ACCOUNT.includes(operation),
};

/** Every authenticated API operation, as `METHOD /path/{param}`. */
function operations(): string[] {
  const routes = t.platform.app.routeActions.filter((route) => route.url.startsWith('/api/') && !route.public && route.method !== 'HEAD');
  return [...new Set(routes.map((route) => `${route.method} ${route.url.replace(/:(\w+)/g, '{$1}')}`))].sort();
}

function send(operation: string, headers: Record<string, string>) {
  const [method, path] = operation.split(' ') as [string, string];
  // The tenant's own id everywhere: a refusal by status comes before the route looks at anything.
  const url = path.replace(/\{[^}]+\}/g, tenantId);
  const write = method !== 'GET' && method !== 'DELETE';
  return t.platform.app.inject({ method: method as 'GET', url, headers: { ...headers, 'idempotency-key': `status-${Math.random()}` }, ...(write ? { payload: {} } : {}) });
}

async function setStatus(transition: 'activate' | 'suspend' | 'terminate') {
  const response = await t.platform.app.inject({ method: 'POST', url: `/api/v1/tenants/${tenantId}/${transition}`, headers: staff, payload: transition === 'suspend' ? { reason: 'unpaid' } : {} });
  expect(response.statusCode, response.body).toBe(200);
}

/**
 * Checks every operation with every credential: first all that must be refused (and the tenant's
 * rows are compared before and after them: nothing written), then all that must stay open (any
 * answer but a refusal by status: they are sent with empty bodies and the tenant's id for every
 * parameter). Returns how many of each.
 */
async function checkEveryOperation(status: Status): Promise<{ refused: number; open: number }> {
  // Sign-out and ending sessions would end the very session under test: checked on their own.
  const all = operations().filter((operation) => !['POST /api/v1/auth/sign-out', 'DELETE /api/v1/me/sessions/{sessionId}'].includes(operation));
  const attempts = credentials.flatMap((credential) => {
    const bearer = credential.headers.authorization !== undefined;
    return all.map((operation) => ({ credential, operation, refused: (status === 'terminated' && bearer) || !OPEN_FOR[status](operation) }));
  });
  const problemIn = (response: Awaited<ReturnType<typeof send>>) =>
    String(response.headers['content-type']).startsWith('application/problem+json') ? (response.json() as { code?: string; tenantStatus?: string; tenantId?: string }) : {};

  // A refused key was still presented: its last use may be recorded (that is not the operation writing).
  const before = await snapshotOfTenant(owner, tenantId, ['last_used_at']);
  for (const { credential, operation } of attempts.filter((attempt) => attempt.refused)) {
    const response = await send(operation, credential.headers);
    const label = `${status}: ${credential.name}: ${operation} answered ${response.statusCode}`;
    const bearer = credential.headers.authorization !== undefined;
    expect(response.statusCode, label).toBe(status === 'terminated' && bearer ? 401 : 403);
    expect(problemIn(response), label).toMatchObject({ code: status === 'terminated' && bearer ? 'PLAT_UNAUTHENTICATED' : 'PLAT_TENANT_NOT_ACTIVE', tenantStatus: status, tenantId });
  }
  const after = await snapshotOfTenant(owner, tenantId, ['last_used_at']);
  expect(Object.keys(after).filter((table) => after[table] !== before[table]), `${status}: a refused operation wrote something`).toEqual([]);

  for (const { credential, operation } of attempts.filter((attempt) => !attempt.refused)) {
    const response = await send(operation, credential.headers);
    const body = problemIn(response);
    const label = `${status}: ${credential.name}: ${operation} answered ${response.statusCode} ${body.code ?? ''}`;
    expect(body.code, label).not.toBe('PLAT_TENANT_NOT_ACTIVE');
    expect(body.tenantStatus, label).toBeUndefined();
  }
  return { refused: attempts.filter((attempt) => attempt.refused).length, open: attempts.filter((attempt) => !attempt.refused).length };
}

beforeAll(async () => {
  t = await startTestPlatform();
  owner = new pg.Client({ connectionString: t.database.ownerUrl });
  await owner.connect();
  staff = await t.signIn();
  const created = await t.platform.app.inject({
    method: 'POST',
    url: '/api/v1/tenants',
    headers: staff,
    payload: { organizationName: 'Lifecycle', domain: 'lifecycle.example.com', adminEmail: 'ops@lifecycle.example.com', initialStatus: 'pending' },
  });
  expect(created.statusCode, created.body).toBe(201);
  tenantId = created.json().id;
  await t.platform.identity.service.createUser({ email: 'owner@lifecycle.example.com', password: 'lifecycle owner passphrase' }, systemContext('test'));
  await addMember(t.platform, tenantId, 'owner@lifecycle.example.com', 'owner');
  // Made while pending: onboarding includes keys and OAuth clients.
  credentials = await ownerCredentials(t, tenantId, await t.signIn('owner@lifecycle.example.com', 'lifecycle owner passphrase'), 'lifecycle');
});
afterAll(async () => {
  await owner?.end();
  await t?.close();
});

describe('a tenant’s status, on every operation and every credential of the tenant', () => {
  it('pending: reads, the own account and onboarding only', async () => {
    const counts = await checkEveryOperation('pending');
    expect(counts.refused).toBeGreaterThan(40);
    expect(counts.open).toBeGreaterThan(40);
    const cart = await t.platform.app.inject({ method: 'POST', url: '/api/v1/orders', headers: credentials[1]!.headers, payload: { currency: 'EUR' } });
    expect(cart.statusCode).toBe(403);
  });

  it('active: nothing is held back by status', async () => {
    await setStatus('activate');
    // The owner's session and service key (the OAuth token's scopes do not reach ordering).
    for (const credential of credentials.slice(0, 2)) {
      const cart = await t.platform.app.inject({ method: 'POST', url: '/api/v1/orders', headers: credential.headers, payload: { currency: 'EUR' } });
      expect(cart.statusCode, `${credential.name}: ${cart.body}`).toBe(201);
      const key = await t.platform.app.inject({ method: 'POST', url: `/api/v1/tenants/${tenantId}/api-keys`, headers: credential.headers, payload: { name: `while active ${Math.random()}`, role: 'read-only' } });
      expect(key.statusCode, `${credential.name}: ${key.body}`).toBe(201);
    }
  });

  it('suspended: read-only (no carts, no API keys), revoking still possible', async () => {
    await setStatus('suspend');
    const before = await snapshotOfTenant(owner, tenantId, ['last_used_at']);
    for (const credential of credentials) {
      for (const [url, payload] of [['/api/v1/orders', { currency: 'EUR' }], [`/api/v1/tenants/${tenantId}/api-keys`, { name: 'while suspended', role: 'read-only' }], ['/api/v1/me/api-keys', { name: 'mine', tenantId }]] as const) {
        const response = await t.platform.app.inject({ method: 'POST', url, headers: credential.headers, payload });
        expect(response.statusCode, `${credential.name}: POST ${url}`).toBe(403);
        expect(response.json()).toMatchObject({ code: 'PLAT_TENANT_NOT_ACTIVE', tenantStatus: 'suspended' });
      }
      expect((await t.platform.app.inject({ method: 'GET', url: `/api/v1/tenants/${tenantId}`, headers: credential.headers })).statusCode, credential.name).toBe(200);
    }
    expect(await snapshotOfTenant(owner, tenantId, ['last_used_at'])).toEqual(before);
    const counts = await checkEveryOperation('suspended');
    expect(counts.refused).toBeGreaterThan(counts.open / 2);
  });

  it('terminated: every key and token refused with 401, the owner’s session keeps only its own account', async () => {
    await setStatus('terminate');
    const counts = await checkEveryOperation('terminated');
    expect(counts.refused).toBeGreaterThan(200);
    // The session can still leave: sign out works, and then the session is gone.
    const session = credentials[0]!.headers;
    expect((await t.platform.app.inject({ method: 'POST', url: '/api/v1/auth/sign-out', headers: session, payload: {} })).statusCode).toBe(204);
    expect((await t.platform.app.inject({ method: 'GET', url: '/api/v1/me', headers: session })).statusCode).toBe(401);
  });

  it('never holds back platform staff, who decide the status', async () => {
    expect((await t.platform.app.inject({ method: 'GET', url: `/api/v1/tenants/${tenantId}`, headers: staff })).json().status).toBe('terminated');
    expect((await t.platform.app.inject({ method: 'GET', url: `/api/v1/orders?tenantId=${tenantId}`, headers: staff })).statusCode).toBe(200);
  });
});

describe('the status of a tenant the request names, other than the one the credential works in', () => {
  const PASSWORD = 'named tenant passphrase';
  const tenantNamed = async (name: string, extra: Record<string, unknown> = {}) => {
    const domain = `${name.toLowerCase()}.example.com`;
    const response = await t.platform.app.inject({ method: 'POST', url: '/api/v1/tenants', headers: staff, payload: { organizationName: name, domain, adminEmail: `ops@${domain}`, ...extra } });
    expect(response.statusCode, response.body).toBe(201);
    return response.json().id as string;
  };
  const inject = (method: string, url: string, headers: Record<string, string>, payload?: object) =>
    t.platform.app.inject({ method: method as 'GET', url, headers, ...(payload ? { payload } : {}) });

  it('holds back a partner acting on a suspended customer, a personal key for a suspended tenant, and joining one', async () => {
    const partner = await tenantNamed('Resellerco');
    const customer = await tenantNamed('Customerco', { partnerTenantId: partner });
    const home = await tenantNamed('Homeco');
    await t.platform.identity.service.createUser({ email: 'agent@resellerco.example.com', password: PASSWORD }, systemContext('test'));
    await addMember(t.platform, partner, 'agent@resellerco.example.com', 'partner-admin');
    await t.platform.identity.service.createUser({ email: 'both@homeco.example.com', password: PASSWORD }, systemContext('test'));
    await addMember(t.platform, home, 'both@homeco.example.com', 'owner');
    await addMember(t.platform, customer, 'both@homeco.example.com', 'owner');
    const agent = await t.signIn('agent@resellerco.example.com', PASSWORD);
    const both = await t.signIn('both@homeco.example.com', PASSWORD);
    const customerOwner = both;
    expect((await inject('POST', '/api/v1/auth/switch-tenant', customerOwner, { tenantId: customer })).statusCode).toBe(204);
    const invitation = await inject('POST', `/api/v1/tenants/${customer}/invitations`, customerOwner, { email: 'late@customerco.example.com', role: 'member' });
    expect(invitation.statusCode, invitation.body).toBe(201);
    expect((await inject('POST', '/api/v1/auth/switch-tenant', both, { tenantId: home })).statusCode).toBe(204);
    // While the customer is active, the partner manages it.
    expect((await inject('PATCH', `/api/v1/tenants/${customer}`, agent, { organizationName: 'Customerco Ltd' })).statusCode).toBe(200);

    expect((await inject('POST', `/api/v1/tenants/${customer}/suspend`, staff, { reason: 'unpaid' })).statusCode).toBe(200);
    const before = await snapshotOfTenant(owner, customer, ['last_used_at']);
    const attempts: [string, string, Record<string, string>, object?][] = [
      ['PATCH', `/api/v1/tenants/${customer}`, agent, { organizationName: 'Renamed while suspended' }],
      ['POST', `/api/v1/tenants/${customer}/invitations`, agent, { email: 'more@customerco.example.com', role: 'member' }],
      ['POST', '/api/v1/me/api-keys', both, { name: 'for the suspended one', tenantId: customer }],
    ];
    for (const [method, url, headers, payload] of attempts) {
      const response = await inject(method, url, headers, payload);
      expect(response.statusCode, `${method} ${url}: ${response.body}`).toBe(403);
      expect(response.json()).toMatchObject({ code: 'PLAT_TENANT_NOT_ACTIVE', tenantStatus: 'suspended', tenantId: customer });
    }
    // An invitation sent before the suspension does not let anyone in now.
    const { rows } = await owner.query<{ text: string }>("select text from notifications.outgoing_mail where \"to\" = 'late@customerco.example.com' order by id desc limit 1");
    const token = /#token=([A-Za-z0-9_-]+)/.exec(rows[0]?.text ?? '')?.[1];
    const accepted = await inject('POST', '/api/v1/invitations/accept', {}, { token, password: 'a late joiner passphrase' });
    expect(accepted.statusCode, accepted.body).toBe(403);
    expect(accepted.json()).toMatchObject({ code: 'PLAT_TENANT_NOT_ACTIVE', tenantStatus: 'suspended' });
    expect(await snapshotOfTenant(owner, customer, ['last_used_at'])).toEqual(before);
    // Reading stays open to the partner.
    expect((await inject('GET', `/api/v1/tenants/${customer}`, agent)).statusCode).toBe(200);
  });
});
