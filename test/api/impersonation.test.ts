// Impersonation: support staff act as a tenant user with a stated reason; the session then is that
// user in that tenant (and says who is behind it), every audit entry names the impersonator (inside
// the hash), both sides' trails record start and end, and credentials cannot be touched. Nobody but
// staff may start it, staff cannot be impersonated, and it does not open other tenants.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, startTestPlatform, problemOf, type TestPlatform, type SignedInHeaders } from '../support/platform.js';
import { exampleOf, fillPath, idKindOf, operationsOf, type OpenApiDocument } from '../support/openapi-examples.js';
import { systemContext } from '../../src/kernel/context.js';
import { verifyAuditChains } from '../../src/kernel/audit.js';
import { actionMatches } from '../../src/kernel/authz/policy.js';
import { actionsDeniedWhileImpersonating } from '../../src/kernel/authz/authorize.js';

let t: TestPlatform;
let staff: SignedInHeaders;
let owner: pg.Client;
let tenant: string;
let otherTenant: string;
const people: Record<string, { id: string; email: string }> = {};
const PASSWORD = 'impersonation passphrase';

const inject = (method: string, url: string, headers: Record<string, string>, payload?: unknown) =>
  t.platform.app.inject({ method: method as 'GET', url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });

async function person(name: string, options: { platformRole?: 'support' | 'operator'; tenantRole?: string } = {}): Promise<SignedInHeaders> {
  const email = `${name}@impersonation.example.com`;
  const user = await t.platform.identity.service.createUser({ email, password: PASSWORD, platformRole: options.platformRole ?? null }, systemContext('test'));
  people[name] = { id: user.id, email };
  if (options.tenantRole) await addMember(t.platform, tenant, email, options.tenantRole);
  return t.signIn(email, PASSWORD);
}

const start = (headers: Record<string, string>, body: Record<string, unknown>) => inject('POST', '/api/v1/impersonations', headers, body);
const entries = async (chain: string, action: string) =>
  (await owner.query('select actor_id, actor_label, actor_impersonator_id, after from kernel.audit_entries where chain = $1 and action = $2 order by seq', [chain, action])).rows;

let support: SignedInHeaders;

beforeAll(async () => {
  t = await startTestPlatform();
  staff = await t.signIn();
  owner = new pg.Client({ connectionString: t.database.ownerUrl });
  await owner.connect();
  const create = async (name: string) => (await inject('POST', '/api/v1/tenants', staff, { organizationName: name, domain: `${name.toLowerCase()}.example.com`, adminEmail: `ops@${name.toLowerCase()}.example.com` })).json().id as string;
  tenant = await create('Impersonated');
  otherTenant = await create('Elsewhere');
  await person('mia', { tenantRole: 'admin' });
  support = await person('sam', { platformRole: 'support' });
});
afterAll(async () => {
  await owner?.end();
  await t?.close();
});

describe('support staff impersonating a tenant user', () => {
  it('acts as the user in that tenant, and the session says who is behind it', async () => {
    const started = await start(support, { userId: people.mia?.id, tenantId: tenant, reason: 'Ticket 4711: cannot see invoices' });
    expect(started.statusCode, started.body).toBe(201);
    expect(started.json()).toMatchObject({ userId: people.mia?.id, userEmail: people.mia?.email, tenantId: tenant, reason: 'Ticket 4711: cannot see invoices' });
    const session = (await inject('GET', '/api/v1/auth/session', support)).json();
    expect(session).toMatchObject({
      user: { id: people.mia?.id, email: people.mia?.email, platformRole: null },
      activeTenantId: tenant,
      tenantRole: 'admin',
      impersonatedBy: { userId: people.sam?.id, email: people.sam?.email, impersonationId: started.json().id, reason: 'Ticket 4711: cannot see invoices' },
    });
    // As Mia (an admin of the tenant): her rights, not support's (support may only read).
    const renamed = await inject('PATCH', `/api/v1/tenants/${tenant}`, support, { organizationName: 'Impersonated Renamed' });
    expect(renamed.statusCode, renamed.body).toBe(200);
    // …and only in that tenant.
    expect((await inject('GET', `/api/v1/tenants/${otherTenant}`, support)).statusCode).toBe(403);
  });

  it('names the impersonator in every audit entry written meanwhile, inside the hash', async () => {
    const trail = (await inject('GET', `/api/v1/tenants/${tenant}/audit-events`, staff)).json().data as { action: string; actor: Record<string, string> }[];
    const update = trail.find((e) => e.action === 'tenant.updated');
    expect(update?.actor).toEqual({ type: 'user', id: people.mia?.id, label: people.mia?.email, impersonatorId: people.sam?.id, impersonatorLabel: people.sam?.email });
    expect((await verifyAuditChains(t.platform.kernel.db)).breaks).toEqual([]);
    // Erasing the impersonator from the entry breaks the chain: it is part of what the hash covers.
    await owner.query("update kernel.audit_entries set actor_impersonator_id = null, actor_impersonator_label = null where chain = $1 and action = 'tenant.updated'", [tenant]);
    try {
      const report = await verifyAuditChains(t.platform.kernel.db);
      expect(report.breaks).toMatchObject([{ chain: tenant, reason: 'edited' }]);
    } finally {
      await owner.query("update kernel.audit_entries set actor_impersonator_id = $2, actor_impersonator_label = $3 where chain = $1 and action = 'tenant.updated'", [tenant, people.sam?.id, people.sam?.email]);
    }
    expect((await verifyAuditChains(t.platform.kernel.db)).breaks).toEqual([]);
  });

  it('cannot touch credentials: every route whose action is a credential change is refused with 403', async () => {
    const document = t.platform.app.swagger() as unknown as OpenApiDocument;
    const guarded = operationsOf(document).filter((op) => {
      const route = t.platform.app.routeActions.find((r) => r.url === op.path.replace(/\{([^}]+)\}/g, ':$1') && r.method.split(',').includes(op.method));
      // Signing out ends the staff member's own session, not the user's: always allowed.
      return route?.action && op.path !== '/api/v1/auth/sign-out' && actionsDeniedWhileImpersonating().some((pattern) => actionMatches(pattern, route.action as string));
    });
    expect(guarded.map((op) => `${op.method} ${op.path}`)).toEqual(expect.arrayContaining(['POST /api/v1/impersonations', 'POST /api/v1/auth/switch-tenant']));
    const ids: Record<string, string> = { usr: people.mia?.id ?? '', ten: tenant };
    for (const op of guarded) {
      const id = (kind: string) => ids[kind] ?? `${kind}_01jaaaaaaaaaaaaaaaaaaaaaaa`;
      const url = fillPath(op.path, Object.fromEntries(op.pathParams.map((p) => [p.name, id(idKindOf(p.schema) ?? '')])));
      const body = op.body ? exampleOf(document, op.body, { id }) : undefined;
      const response = await inject(op.method, url, support, body);
      expect(response.statusCode, `${op.method} ${op.path}: ${response.body}`).toBe(403);
      expect(problemOf(response).code).toBe('PLAT_FORBIDDEN');
    }
  });

  it('explains the refusal of each credential action by the impersonation guard, which the user alone does not have', async () => {
    const actions = ['identity:self.password.update', 'identity:self.mfa.create', 'identity:self.mfa.delete', 'identity:session.list', 'identity:session.delete', 'identity:api-key.create', 'identity:oauth-client.create'];
    const resource = `prn:platform:user/${people.mia?.id}`;
    for (const action of actions) {
      const decision = (await inject('POST', '/api/v1/authz/explain', support, { action, resource })).json();
      expect(decision, action).toEqual({ allowed: false, reason: 'explicit-deny', matched: [{ policy: 'impersonation', sid: 'no-credential-changes-while-impersonating', effect: 'deny' }] });
    }
    const mia = await t.signIn(people.mia?.email, PASSWORD);
    expect((await inject('POST', '/api/v1/authz/explain', mia, { action: 'identity:self.password.update', resource })).json().allowed).toBe(true);
  });

  it('ends with DELETE /impersonations/current: the session is the staff member’s again, and both trails record start and end', async () => {
    expect((await inject('DELETE', '/api/v1/impersonations/current', support)).statusCode).toBe(204);
    const session = (await inject('GET', '/api/v1/auth/session', support)).json();
    expect(session).toMatchObject({ user: { id: people.sam?.id }, impersonatedBy: null });
    expect((await inject('PATCH', `/api/v1/tenants/${tenant}`, support, { organizationName: 'Not as support' })).statusCode).toBe(403);
    for (const action of ['identity.impersonation.started', 'identity.impersonation.ended']) {
      for (const chain of ['platform', tenant]) {
        const found = await entries(chain, action);
        expect(found, `${action} on ${chain}`).toHaveLength(1);
        expect(found[0]).toMatchObject({ actor_id: people.sam?.id, actor_label: people.sam?.email, actor_impersonator_id: null });
      }
    }
    expect((await entries(tenant, 'identity.impersonation.started'))[0].after).toMatchObject({ reason: 'Ticket 4711: cannot see invoices', tenantId: tenant });
    // Nothing left to end.
    expect((await inject('DELETE', '/api/v1/impersonations/current', support)).statusCode).toBe(404);
  });
});

describe('who may impersonate whom', () => {
  it('refuses tenant owners and operators, refuses impersonating staff, and hides non-members', async () => {
    const ownerSession = await person('olga', { tenantRole: 'owner' });
    const operator = await person('otto', { platformRole: 'operator' });
    const body = { userId: people.mia?.id, tenantId: tenant, reason: 'curious' };
    expect((await start(ownerSession, body)).statusCode).toBe(403);
    expect((await start(operator, body)).statusCode).toBe(403);
    expect((await start(support, { ...body, userId: people.otto?.id })).statusCode).toBe(404); // staff are no tenant members
    // Staff never join tenants, nor do members become staff; should a staff account hold a
    // membership all the same (written past the service), it is still never impersonated.
    await expect(addMember(t.platform, tenant, people.otto!.email, 'member')).rejects.toThrow(/staff/);
    await person('pia', { tenantRole: 'member' });
    expect((await inject('PUT', `/api/v1/users/${people.pia?.id}/platform-role`, staff, { role: 'operator' })).statusCode).toBe(409);
    await owner.query("insert into identity.memberships (tenant_id, user_id, role, created_at) values ($1, $2, 'member', now())", [tenant, people.otto?.id]);
    const staffTarget = await start(support, { ...body, userId: people.otto?.id });
    expect(staffTarget.statusCode).toBe(403);
    expect(problemOf(staffTarget).detail).toMatch(/staff cannot be impersonated/);
    expect((await start(support, { ...body, tenantId: otherTenant })).statusCode).toBe(404);
    const noReason = await start(support, { ...body, reason: '' });
    expect(noReason.statusCode).toBe(400);
    expect(problemOf(noReason).errors?.map((e) => e.pointer)).toEqual(['/reason']);
    // The platform-admin may too.
    const admin = await start(staff, body);
    expect(admin.statusCode, admin.body).toBe(201);
    expect((await inject('DELETE', '/api/v1/impersonations/current', staff)).statusCode).toBe(204);
  });
});
