// "What may I do here": the batch permission check the web apps gate tenant administration on, and
// the catalogue of actions policy authors pick from. Both answer from the policy engine and the
// routes themselves, never from a list of role names.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, startTestPlatform, problemOf, type TestPlatform, type SignedInHeaders } from '../support/platform.js';
import { systemContext } from '../../src/kernel/context.js';

let t: TestPlatform;
let staff: SignedInHeaders;
let tenant: string;
const PASSWORD = 'a long enough passphrase';

const ADMINISTRATION = [
  'identity:member.list',
  'identity:member.delete',
  'identity:invitation.list',
  'identity:role.list',
  'identity:api-key.list',
  'identity:api-key.create',
  'identity:oauth-client.list',
  'identity:identity-provider.list',
];

async function inject(method: string, url: string, headers: Record<string, string>, payload?: unknown) {
  return t.platform.app.inject({ method: method as 'GET', url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
}

async function person(email: string, role: string): Promise<SignedInHeaders> {
  await t.platform.identity.service.createUser({ email, password: PASSWORD }, systemContext('test'));
  await addMember(t.platform, tenant, email, role);
  return t.signIn(email, PASSWORD);
}

const query = (actions: string[]) => actions.map((action) => `action=${encodeURIComponent(action)}`).join('&');

async function allowedOf(headers: Record<string, string>, actions = ADMINISTRATION): Promise<string[]> {
  const response = await inject('GET', `/api/v1/me/permissions?${query(actions)}`, headers);
  expect(response.statusCode, response.body).toBe(200);
  return (response.json().data as { action: string; allowed: boolean }[]).filter((p) => p.allowed).map((p) => p.action);
}

beforeAll(async () => {
  t = await startTestPlatform();
  staff = await t.signIn();
  const created = await inject('POST', '/api/v1/tenants', staff, { organizationName: 'Gated', domain: 'gated.example.com', adminEmail: 'ops@gated.example.com' });
  tenant = created.json().id;
});
afterAll(() => t.close());

describe('GET /api/v1/me/permissions', () => {
  it('decides each action on its resource type in the active tenant', async () => {
    const owner = await person('olive@gated.example.com', 'owner');
    const response = await inject('GET', `/api/v1/me/permissions?${query(['identity:member.list', 'identity:oauth-client.delete'])}`, owner);
    expect(response.json()).toEqual({
      tenantId: tenant,
      data: [
        { action: 'identity:member.list', resource: `prn:${tenant}:member/*`, allowed: true },
        { action: 'identity:oauth-client.delete', resource: `prn:${tenant}:oauth-client/*`, allowed: true },
      ],
    });
  });

  it('follows the roles: an admin administers, a developer only keys and clients, a member and billing nothing', async () => {
    expect(await allowedOf(await person('adam@gated.example.com', 'admin'))).toEqual(ADMINISTRATION);
    expect(await allowedOf(await person('dora@gated.example.com', 'developer'))).toEqual(['identity:api-key.list', 'identity:api-key.create', 'identity:oauth-client.list']);
    expect(await allowedOf(await person('mick@gated.example.com', 'member'))).toEqual([]);
    expect(await allowedOf(await person('bill@gated.example.com', 'billing'))).toEqual([]);
    expect(await allowedOf(await person('rita@gated.example.com', 'read-only'))).toEqual([]);
  });

  it('follows a custom role’s statements, denies included', async () => {
    const role = await inject('POST', `/api/v1/tenants/${tenant}/roles`, staff, {
      name: 'people-viewer',
      statements: [
        { effect: 'allow', actions: ['identity:member.*', 'identity:invitation.list'], resources: ['prn:${tenant}:*/*'] },
        { effect: 'deny', actions: ['identity:member.delete'], resources: ['prn:${tenant}:member/*'] },
      ],
    });
    expect(role.statusCode, role.body).toBe(201);
    const viewer = await person('vic@gated.example.com', role.json().id);
    expect(await allowedOf(viewer)).toEqual(['identity:member.list', 'identity:invitation.list']);
  });

  it('allows nothing without an active tenant, even to a platform administrator', async () => {
    const response = await inject('GET', `/api/v1/me/permissions?${query(['identity:member.list'])}`, staff);
    expect(response.json()).toEqual({ tenantId: null, data: [{ action: 'identity:member.list', resource: null, allowed: false }] });
  });

  it('takes a single action too, and answers each action once', async () => {
    const owner = await t.signIn('olive@gated.example.com', PASSWORD);
    expect(await allowedOf(owner, ['identity:role.list'])).toEqual(['identity:role.list']);
    const twice = await inject('GET', `/api/v1/me/permissions?${query(['identity:role.list', 'identity:role.list'])}`, owner);
    expect(twice.json().data).toHaveLength(1);
  });

  it('refuses wildcards, malformed and missing actions with 400', async () => {
    const owner = await t.signIn('olive@gated.example.com', PASSWORD);
    for (const bad of ['action=identity:*', 'action=identity:member.*', 'action=Identity:member.list', 'action=member', '', `${query(Array.from({ length: 51 }, (_, i) => `identity:member.v${i}`))}`]) {
      const response = await inject('GET', `/api/v1/me/permissions?${bad}`, owner);
      expect(response.statusCode, bad).toBe(400);
      expect(problemOf(response).code).toBe('PLAT_VALIDATION_FAILED');
    }
  });

  it('needs a signed-in caller', async () => {
    const response = await inject('GET', `/api/v1/me/permissions?${query(['identity:member.list'])}`, {});
    expect(response.statusCode).toBe(401);
  });
});

describe('GET /api/v1/authz/actions', () => {
  it('lists every action a route declares once, sorted, with its operations and never a public route', async () => {
    const owner = await t.signIn('olive@gated.example.com', PASSWORD);
    const response = await inject('GET', '/api/v1/authz/actions', owner);
    expect(response.statusCode, response.body).toBe(200);
    const entries = response.json().data as { action: string; operations: { method: string; path: string; summary: string | null }[] }[];
    const actions = entries.map((e) => e.action);
    expect(actions).toEqual([...new Set(actions)].sort((a, b) => a.localeCompare(b)));
    const declared = new Set(t.platform.app.routeActions.filter((r) => !r.public && r.action).map((r) => r.action));
    expect(new Set(actions)).toEqual(declared);
    expect(entries.find((e) => e.action === 'identity:member.delete')?.operations).toEqual([
      { method: 'DELETE', path: '/api/v1/tenants/{id}/members/{userId}', summary: 'Remove a member; ends their sessions in this tenant at once' },
    ]);
    expect(entries.flatMap((e) => e.operations).some((op) => op.method === 'HEAD' || op.path.includes('/invitations/accept'))).toBe(false);
  });

  it('is readable by platform staff without a tenant, and not by an anonymous caller', async () => {
    expect((await inject('GET', '/api/v1/authz/actions', staff)).statusCode).toBe(200);
    expect((await inject('GET', '/api/v1/authz/actions', {})).statusCode).toBe(401);
  });
});

describe('POST /api/v1/tenants/:id/roles/simulate', () => {
  const draft = [
    { sid: 'people', effect: 'allow', actions: ['identity:member.*'], resources: ['prn:${tenant}:member/*'] },
    { sid: 'keep-everyone', effect: 'deny', actions: ['identity:member.delete'], resources: ['prn:${tenant}:*/*'] },
    { sid: 'office', effect: 'allow', actions: ['billing:*'], resources: ['prn:${tenant}:*/*'], conditions: { mfa: true, sourceIp: ['10.0.0.0/8'] } },
  ];
  const simulate = async (headers: Record<string, string>, body: object) => inject('POST', `/api/v1/tenants/${tenant}/roles/simulate`, headers, { statements: draft, ...body });

  it('decides by the draft’s statements alone, with ${tenant} bound to the tenant, and names the deciding statements', async () => {
    const owner = await t.signIn('olive@gated.example.com', PASSWORD);
    expect((await simulate(owner, { action: 'identity:member.list', resource: `prn:${tenant}:member/usr_1` })).json()).toEqual({
      allowed: true,
      reason: 'allow',
      matched: [{ policy: 'draft', sid: 'people', effect: 'allow' }],
    });
    expect((await simulate(owner, { action: 'identity:member.delete', resource: `prn:${tenant}:member/usr_1` })).json()).toMatchObject({ allowed: false, reason: 'explicit-deny', matched: [{ sid: 'keep-everyone' }] });
    // The owner may do everything, but the draft does not allow roles: the caller's own policies do not count.
    expect((await simulate(owner, { action: 'identity:role.list', resource: `prn:${tenant}:role/*` })).json()).toEqual({ allowed: false, reason: 'implicit-deny', matched: [] });
    expect((await simulate(owner, { action: 'identity:member.list', resource: 'prn:ten_other:member/usr_1' })).json().allowed).toBe(false);
  });

  it('applies the conditions to the MFA and address stated', async () => {
    const owner = await t.signIn('olive@gated.example.com', PASSWORD);
    const invoice = { action: 'billing:invoice.read', resource: `prn:${tenant}:invoice/inv_1` };
    expect((await simulate(owner, { ...invoice, mfa: true, sourceIp: '10.1.2.3' })).json().allowed).toBe(true);
    expect((await simulate(owner, { ...invoice, mfa: false, sourceIp: '10.1.2.3' })).json().allowed).toBe(false);
    expect((await simulate(owner, { ...invoice, mfa: true, sourceIp: '192.168.1.1' })).json().allowed).toBe(false);
  });

  it('refuses an invalid draft as creating the role would, with pointers, and a bad address', async () => {
    const owner = await t.signIn('olive@gated.example.com', PASSWORD);
    const foreign = await inject('POST', `/api/v1/tenants/${tenant}/roles/simulate`, owner, {
      statements: [{ effect: 'allow', actions: ['identity:member.list'], resources: ['prn:ten_other:member/*'] }],
      action: 'identity:member.list',
      resource: `prn:${tenant}:member/usr_1`,
    });
    expect(foreign.statusCode).toBe(400);
    expect(problemOf(foreign).errors?.map((e) => e.pointer)).toEqual(['/statements/0/resources/0']);
    const address = await simulate(owner, { action: 'identity:member.list', resource: `prn:${tenant}:member/usr_1`, sourceIp: 'somewhere' });
    expect(address.statusCode).toBe(400);
    expect(problemOf(address).errors?.map((e) => e.pointer)).toEqual(['/sourceIp']);
  });

  it('is for those who may administer roles: refused to a developer and a member', async () => {
    for (const email of ['dora@gated.example.com', 'mick@gated.example.com']) {
      const headers = await t.signIn(email, PASSWORD);
      const response = await simulate(headers, { action: 'identity:member.list', resource: `prn:${tenant}:member/usr_1` });
      expect(response.statusCode, email).toBe(403);
    }
  });
});
