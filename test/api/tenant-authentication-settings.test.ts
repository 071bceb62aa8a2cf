// A tenant's authentication settings are identity's (ADR 0014): stored in identity's own table with
// their own version and ETag, changed at /api/v1/tenants/{id}/authentication-settings, and still
// shown (with the identity providers) as settings.authentication of the tenant document, whose
// combined PATCH keeps working. The migration moves existing tenants' settings out of the document.
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, startTestPlatform, problemOf, type TestPlatform, type SignedInHeaders } from '../support/platform.js';
import { auditEntries, ownerQuery } from '../support/audit.js';
import { systemContext } from '../../src/kernel/context.js';

let t: TestPlatform;
let staff: SignedInHeaders;
let tenantId: string;
const PASSWORD = 'a long enough passphrase';
const STRICT = { passwordPolicy: { minLength: 20, requireSpecialChars: true, requireNumbers: true, maxAge: 90 }, mfaRequired: true };

async function inject(method: 'GET' | 'PUT' | 'PATCH', url: string, headers: Record<string, string>, payload?: unknown) {
  return t.platform.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
}

async function person(email: string, role: string): Promise<SignedInHeaders> {
  await t.platform.identity.service.createUser({ email, password: PASSWORD }, systemContext('test'));
  await addMember(t.platform, tenantId, email, role);
  return t.signIn(email, PASSWORD);
}

beforeAll(async () => {
  t = await startTestPlatform();
  staff = await t.signIn();
  tenantId = (
    await t.platform.app.inject({
      method: 'POST',
      url: '/api/v1/tenants',
      headers: staff,
      payload: { organizationName: 'Owned', domain: 'owned.example.com', adminEmail: 'ops@owned.example.com', settings: { authentication: { passwordPolicy: { minLength: 14 } } } },
    })
  ).json().id;
});
afterAll(() => t.close());

describe('a tenant’s authentication settings', () => {
  it('are identity’s rows, not the stored tenant document’s, and the tenant API composes them back', async () => {
    const [row] = await ownerQuery<{ has: boolean }>(t, "select document -> 'settings' ? 'authentication' as has from tenancy.tenants where tenant_id = $1", [tenantId]);
    expect(row?.has).toBe(false);
    const stored = await ownerQuery(t, 'select password_policy, mfa_required from identity.tenant_authentication_settings where tenant_id = $1', [tenantId]);
    expect(stored).toEqual([{ password_policy: { minLength: 14, requireSpecialChars: false, requireNumbers: false, maxAge: 0 }, mfa_required: false }]);
    const tenant = (await inject('GET', `/api/v1/tenants/${tenantId}`, staff)).json();
    expect(tenant.settings.authentication).toEqual({ providers: [], passwordPolicy: { minLength: 14, requireSpecialChars: false, requireNumbers: false, maxAge: 0 }, mfaRequired: false });
  });

  it('have their own ETag: a change of them leaves the tenant’s alone, and a stale one is refused', async () => {
    const tenantBefore = await inject('GET', `/api/v1/tenants/${tenantId}`, staff);
    const read = await inject('GET', `/api/v1/tenants/${tenantId}/authentication-settings`, staff);
    expect(read.statusCode, read.body).toBe(200);
    const { passwordPolicy, mfaRequired } = tenantBefore.json().settings.authentication;
    expect(read.json()).toEqual({ passwordPolicy, mfaRequired });

    const changed = await inject('PUT', `/api/v1/tenants/${tenantId}/authentication-settings`, { ...staff, 'if-match': String(read.headers.etag) }, STRICT);
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toEqual(STRICT);
    expect(changed.headers.etag).not.toBe(read.headers.etag);

    const stale = await inject('PUT', `/api/v1/tenants/${tenantId}/authentication-settings`, { ...staff, 'if-match': String(read.headers.etag) }, { ...STRICT, mfaRequired: false });
    expect(problemOf(stale).code).toBe('PLAT_PRECONDITION_FAILED');

    const tenantAfter = await inject('GET', `/api/v1/tenants/${tenantId}`, staff);
    expect(tenantAfter.headers.etag).toBe(tenantBefore.headers.etag);
    expect(tenantAfter.json().settings.authentication).toMatchObject(STRICT);
    const [entry] = await auditEntries(t, { action: 'identity.authentication_settings.updated', targetId: tenantId });
    expect(entry).toMatchObject({ target_type: 'authentication-settings', after: STRICT });
  });

  it('can still be changed through the tenant document, which moves both versions', async () => {
    const settingsBefore = await inject('GET', `/api/v1/tenants/${tenantId}/authentication-settings`, staff);
    const patched = await inject('PATCH', `/api/v1/tenants/${tenantId}`, staff, { organizationName: 'Owned Ltd', settings: { authentication: { mfaRequired: false } } });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json()).toMatchObject({ organizationName: 'Owned Ltd', settings: { authentication: { mfaRequired: false, passwordPolicy: STRICT.passwordPolicy } } });
    const settingsAfter = await inject('GET', `/api/v1/tenants/${tenantId}/authentication-settings`, staff);
    expect(settingsAfter.json()).toEqual({ ...STRICT, mfaRequired: false });
    expect(settingsAfter.headers.etag).not.toBe(settingsBefore.headers.etag);
  });

  it('are changed by tenant administrators only, and read by the tenant’s members', async () => {
    // A policy the people's password meets (a refused one would restrict their sessions to changing it).
    const lenient = { passwordPolicy: { minLength: 12, requireSpecialChars: false, requireNumbers: false, maxAge: 0 }, mfaRequired: false };
    expect((await inject('PUT', `/api/v1/tenants/${tenantId}/authentication-settings`, staff, lenient)).statusCode).toBe(200);
    const admin = await person('admin@owned.example.com', 'admin');
    const member = await person('member@owned.example.com', 'member');
    const current = await inject('GET', `/api/v1/tenants/${tenantId}/authentication-settings`, member);
    expect(current.statusCode).toBe(200);
    expect((await inject('PUT', `/api/v1/tenants/${tenantId}/authentication-settings`, member, current.json())).statusCode).toBe(403);
    expect((await inject('PUT', `/api/v1/tenants/${tenantId}/authentication-settings`, admin, { ...(current.json() as object), mfaRequired: false })).statusCode).toBe(200);
  });

  it('of an unknown tenant are 404', async () => {
    const response = await inject('GET', '/api/v1/tenants/ten_01jaaaaaaaaaaaaaaaaaaaaaaa/authentication-settings', staff);
    expect(response.statusCode).toBe(404);
  });
});

describe('the migration moving authentication settings to identity', () => {
  it('copies each tenant’s settings and providers into identity’s tables and drops them from the document', async () => {
    const migration = (path: string) => readFileSync(new URL(`../../src/modules/${path}`, import.meta.url), 'utf8');
    const owner = new pg.Client({ connectionString: t.database.ownerUrl });
    await owner.connect();
    try {
      await owner.query('begin');
      // The state before the move: identity's tables absent, the settings inside the document.
      await owner.query('drop table identity.tenant_authentication_settings, identity.tenant_identity_providers');
      const provider = { type: 'oidc', name: 'Old IdP', enabled: true, config: { id: 'idp_01jaaaaaaaaaaaaaaaaaaaaaaa', domains: ['owned.example.com'] } };
      const authentication = { providers: [provider], passwordPolicy: { minLength: 30, requireSpecialChars: true, requireNumbers: false, maxAge: 7 }, mfaRequired: true };
      await owner.query(`update tenancy.tenants set document = jsonb_set(document, '{settings,authentication}', $2::jsonb) where tenant_id = $1`, [tenantId, JSON.stringify(authentication)]);
      const [{ version }] = (await owner.query('select version from tenancy.tenants where tenant_id = $1', [tenantId])).rows;

      await owner.query(migration('identity/migrations/202612031700_tenant_authentication.sql'));
      await owner.query(migration('tenants/migrations/202612031701_authentication_moves_to_identity.sql'));

      const settings = (await owner.query('select password_policy, mfa_required, version from identity.tenant_authentication_settings where tenant_id = $1', [tenantId])).rows;
      expect(settings).toEqual([{ password_policy: authentication.passwordPolicy, mfa_required: true, version }]);
      const providers = (await owner.query('select providers from identity.tenant_identity_providers where tenant_id = $1', [tenantId])).rows;
      expect(providers).toEqual([{ providers: [provider] }]);
      const left = (await owner.query("select count(*)::int as n from tenancy.tenants where document -> 'settings' ? 'authentication'")).rows[0].n;
      expect(left).toBe(0);
    } finally {
      await owner.query('rollback');
      await owner.end();
    }
  });
});
