// Tenant administrators manage their identity providers: per-protocol validation with field
// errors, write-only secrets, domain claims limited to the tenant's own domain and unique across
// tenants, role checks, If-Match, and no way around it through the tenant document.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, startTestPlatform, problemOf, type TestPlatform, type SignedInHeaders } from '../support/platform.js';
import { auditEntries, ownerQuery } from '../support/audit.js';
import { samlKeys } from '../support/saml-idp.js';
import { registerSecret } from '../support/suite-log.js';
import { systemContext } from '../../src/kernel/context.js';

let t: TestPlatform;
let staff: SignedInHeaders;
let acme: string;
let euAcme: string;
let certificate: string;
const PASSWORD = 'a long enough passphrase';
const SECRET = 'client-secret-that-must-never-come-back';

async function inject(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, headers: Record<string, string>, payload?: unknown) {
  return t.platform.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
}

async function person(email: string, tenantId: string, role: string): Promise<SignedInHeaders> {
  await t.platform.identity.service.createUser({ email, password: PASSWORD }, systemContext('test'));
  await addMember(t.platform, tenantId, email, role);
  return t.signIn(email, PASSWORD);
}

const oidc = (overrides: Record<string, unknown> = {}) => ({
  type: 'oidc',
  name: 'Acme Okta',
  config: { issuer: 'https://acme.okta.example', clientId: 'platforma', clientSecret: SECRET, domains: ['acme.example.com'], defaultRole: 'member', mandatory: false, ...overrides },
});

beforeAll(async () => {
  registerSecret('OIDC client secret', SECRET);
  t = await startTestPlatform();
  staff = await t.signIn();
  acme = (await inject('POST', '/api/v1/tenants', staff, { organizationName: 'Acme', domain: 'acme.example.com', adminEmail: 'ops@acme.example.com' })).json().id;
  euAcme = (await inject('POST', '/api/v1/tenants', staff, { organizationName: 'Acme EU', domain: 'eu.acme.example.com', adminEmail: 'ops@eu.acme.example.com' })).json().id;
  certificate = (await samlKeys()).certificate;
});
afterAll(() => t.close());

describe('identity providers of a tenant', () => {
  it('lets a tenant admin add, list, change and remove one; the secret is write-only', async () => {
    const admin = await person('admin@acme.example.com', acme, 'admin');
    const created = await inject('POST', `/api/v1/tenants/${acme}/identity-providers`, admin, oidc());
    expect(created.statusCode, created.body).toBe(201);
    const provider = created.json();
    expect(provider).toMatchObject({ type: 'oidc', name: 'Acme Okta', enabled: true, config: { clientSecretSet: true, domains: ['acme.example.com'], scopes: [] } });
    expect(provider.id).toMatch(/^idp_/);
    expect(created.body).not.toContain(SECRET);

    const list = await inject('GET', `/api/v1/tenants/${acme}/identity-providers`, admin);
    expect(list.json().data).toEqual([provider]);
    const tenant = await inject('GET', `/api/v1/tenants/${acme}`, admin);
    expect(tenant.body).not.toContain(SECRET);
    expect(tenant.json().settings.authentication.providers[0]).toMatchObject({ type: 'oidc', name: 'Acme Okta', enabled: true, config: { id: provider.id } });
    // The list is identity's, with its own version: its ETag is not the tenant's (ADR 0014).
    expect(list.headers.etag).toMatch(/^"v\d+"$/);

    // Renaming keeps the secret; a stale ETag is refused.
    const renamed = await inject('PATCH', `/api/v1/tenants/${acme}/identity-providers/${provider.id}`, { ...admin, 'if-match': String(list.headers.etag) }, { name: 'Acme SSO', config: { mandatory: true } });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(renamed.json()).toMatchObject({ name: 'Acme SSO', config: { mandatory: true, clientSecretSet: true } });
    const stale = await inject('PATCH', `/api/v1/tenants/${acme}/identity-providers/${provider.id}`, { ...admin, 'if-match': String(list.headers.etag) }, { enabled: false });
    expect(problemOf(stale).code).toBe('PLAT_PRECONDITION_FAILED');
    expect(await auditEntries(t, { action: 'identity.identity_provider.created', targetId: provider.id })).toHaveLength(1);
    expect(await auditEntries(t, { action: 'identity.identity_provider.updated', targetId: provider.id })).toHaveLength(1);
    // A provider change is not a change of the tenant's own row: the tenant's ETag stays.
    expect((await inject('GET', `/api/v1/tenants/${acme}`, admin)).headers.etag).toBe(tenant.headers.etag);

    const removed = await inject('DELETE', `/api/v1/tenants/${acme}/identity-providers/${provider.id}`, admin);
    expect(removed.statusCode).toBe(204);
    expect((await inject('GET', `/api/v1/tenants/${acme}/identity-providers`, admin)).json().data).toEqual([]);
    expect(await ownerQuery(t, 'select 1 from identity.sso_client_secrets where provider_id = $1', [provider.id])).toEqual([]);
    // Each change is announced to the tenant with its audit entry: the provider and the list's new version.
    const events = await ownerQuery<{ type: string; tenant_id: string; payload: { version: number } }>(t, "select type, tenant_id, payload from kernel.outbox where payload ->> 'providerId' = $1 order by id", [provider.id]);
    expect(events.map((event) => [event.type, event.tenant_id])).toEqual([
      ['identity.identity_provider.created', acme],
      ['identity.identity_provider.updated', acme],
      ['identity.identity_provider.deleted', acme],
    ]);
    expect(events[0]?.payload).toEqual({ tenantId: acme, providerId: provider.id, version: events[0]!.payload.version });
  });

  it('is tenant administration: members and developers are refused', async () => {
    const member = await person('member@acme.example.com', acme, 'member');
    const developer = await person('dev@acme.example.com', acme, 'developer');
    for (const who of [member, developer]) {
      expect((await inject('GET', `/api/v1/tenants/${acme}/identity-providers`, who)).statusCode).toBe(403);
      expect((await inject('POST', `/api/v1/tenants/${acme}/identity-providers`, who, oidc())).statusCode).toBe(403);
    }
    // Another tenant's admin cannot reach Acme's providers.
    const other = await person('admin@eu.acme.example.com', euAcme, 'admin');
    expect((await inject('GET', `/api/v1/tenants/${acme}/identity-providers`, other)).statusCode).toBe(403);
  });

  it('validates each protocol’s config with field errors and stores nothing on bad input', async () => {
    const before = (await inject('GET', `/api/v1/tenants/${acme}`, staff)).json().version;
    const cases: [unknown, string][] = [
      [oidc({ issuer: 'ftp://acme.example' }), '/config/issuer'],
      [oidc({ issuer: 'http://acme.okta.example' }), '/config/issuer'],
      [oidc({ clientSecret: undefined }), '/config/clientSecret'],
      [oidc({ domains: [] }), '/config/domains'],
      [oidc({ unknown: true }), '/config/unknown'],
      [oidc({ defaultRole: 'owner' }), '/config/defaultRole'],
      [oidc({ domains: ['gmail.com'] }), '/config/domains/0'],
      [{ type: 'saml', name: 'x', config: { entryPoint: 'https://idp.acme.example/sso', idpCertificate: 'x'.repeat(200), domains: ['acme.example.com'], defaultRole: 'member', mandatory: false } }, '/config/idpCertificate'],
      [{ type: 'oauth', name: 'x', config: {} }, '/type'],
    ];
    for (const [body, pointer] of cases) {
      const response = await inject('POST', `/api/v1/tenants/${acme}/identity-providers`, staff, body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(problemOf(response).errors?.map((e) => e.pointer), JSON.stringify(body)).toContain(pointer);
    }
    expect((await inject('GET', `/api/v1/tenants/${acme}`, staff)).json().version).toBe(before);
  });

  it('lets one provider only claim a domain, across tenants', async () => {
    const saml = { type: 'saml', name: 'EU SAML', config: { entryPoint: 'https://idp.acme.example/sso', idpCertificate: certificate, domains: ['eu.acme.example.com'], defaultRole: 'member', mandatory: false } };
    expect((await inject('POST', `/api/v1/tenants/${acme}/identity-providers`, staff, saml)).statusCode).toBe(201);
    const taken = await inject('POST', `/api/v1/tenants/${euAcme}/identity-providers`, staff, saml);
    expect(taken.statusCode).toBe(409);
    expect(problemOf(taken).errors?.[0]?.pointer).toBe('/config/domains/0');
    const twice = await inject('POST', `/api/v1/tenants/${acme}/identity-providers`, staff, { ...saml, name: 'Again' });
    expect(twice.statusCode).toBe(409);
  });

  it('lets exactly one of two tenants claiming a domain at the same time have it', async () => {
    const claim = (tenantId: string, name: string) =>
      inject('POST', `/api/v1/tenants/${tenantId}/identity-providers`, staff, { ...oidc({ domains: ['race.eu.acme.example.com'] }), name });
    const answers = await Promise.all([claim(acme, 'Race A'), claim(euAcme, 'Race B')]);
    expect(answers.map((a) => a.statusCode).sort()).toEqual([201, 409]);
    expect(await ownerQuery(t, "select tenant_id from identity.sso_domain_claims where domain = 'race.eu.acme.example.com'")).toHaveLength(1);
  });

  it('cannot be changed through the tenant document', async () => {
    const response = await inject('PATCH', `/api/v1/tenants/${acme}`, staff, { settings: { authentication: { providers: [] } } });
    expect(response.statusCode).toBe(400);
    expect(problemOf(response).errors?.[0]?.pointer).toBe('/settings/authentication/providers');
  });
});
