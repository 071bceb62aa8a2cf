// Nobody becomes a tenant's member without saying yes, signed in as themselves: adding an existing
// account is an invitation, answered exactly as for an unknown address; staff never join tenants;
// and a tenant's authentication policy binds a person only in the sessions that work in it.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemContext } from '../../src/kernel/context.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, addMember, problemOf, startTestPlatform, totpCode, type SignedInHeaders, type TestPlatform } from '../support/platform.js';
import { call } from '../support/api.js';

let t: TestPlatform;
let db: pg.Client;
let staff: SignedInHeaders;
let strict: { id: string; owner: SignedInHeaders };
let relaxed: { id: string; owner: SignedInHeaders };
const PASSWORD = 'consent passphrase 1';

const inject = (method: string, url: string, headers: Record<string, string>, payload?: unknown) =>
  t.platform.app.inject({ method: method as 'GET', url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });

async function tenantWithOwner(name: string): Promise<{ id: string; owner: SignedInHeaders }> {
  const domain = `${name.toLowerCase()}.example.com`;
  const id = (await inject('POST', '/api/v1/tenants', staff, { organizationName: name, domain, adminEmail: `ops@${domain}` })).json().id as string;
  await t.platform.identity.service.createUser({ email: `owner@${domain}`, password: PASSWORD }, systemContext('test'));
  await addMember(t.platform, id, `owner@${domain}`, 'owner');
  return { id, owner: await t.signIn(`owner@${domain}`, PASSWORD) };
}

async function tokenMailedTo(email: string): Promise<string> {
  const { rows } = await db.query<{ text: string }>("select text from notifications.outgoing_mail where \"to\" = $1 and purpose = 'identity.invitation' order by id desc limit 1", [email]);
  const token = /#token=([A-Za-z0-9_-]+)/.exec(rows[0]?.text ?? '')?.[1];
  if (!token) throw new Error(`no invitation mail to ${email}`);
  return token;
}

async function membershipsOf(email: string): Promise<string[]> {
  const { rows } = await db.query<{ tenant_id: string }>('select m.tenant_id from identity.memberships m join identity.users u on u.id = m.user_id where u.email = $1 order by m.created_at', [email]);
  return rows.map((row) => row.tenant_id);
}

beforeAll(async () => {
  t = await startTestPlatform();
  staff = await t.signIn();
  db = new pg.Client({ connectionString: t.database.ownerUrl });
  await db.connect();
  relaxed = await tenantWithOwner('Relaxed');
  strict = await tenantWithOwner('Strict');
  // Strict asks a lot of the people working in it: MFA, 40-character passwords, a new one daily.
  const settings = { authentication: { mfaRequired: true, passwordPolicy: { minLength: 40, requireSpecialChars: true, requireNumbers: true, maxAge: 1 } } };
  const patched = await inject('PATCH', `/api/v1/tenants/${strict.id}`, strict.owner, { settings });
  expect(patched.statusCode, patched.body).toBe(200);
});
afterAll(async () => {
  await db?.end();
  await t?.close();
});

describe('adding an existing account', () => {
  it('is no longer possible directly: the members collection takes no POST', async () => {
    const response = await inject('POST', `/api/v1/tenants/${strict.id}/members`, strict.owner, { email: `owner@relaxed.example.com`, role: 'member' });
    expect(response.statusCode).toBe(405);
    expect(await membershipsOf('owner@relaxed.example.com')).toEqual([relaxed.id]);
  });

  it('is an invitation, answered the same whether the account exists or not', async () => {
    const existing = await inject('POST', `/api/v1/tenants/${strict.id}/invitations`, strict.owner, { email: 'owner@relaxed.example.com', role: 'member' });
    const unknown = await inject('POST', `/api/v1/tenants/${strict.id}/invitations`, strict.owner, { email: 'nobody@nowhere.example.com', role: 'member' });
    expect(existing.statusCode, existing.body).toBe(201);
    expect(unknown.statusCode).toBe(existing.statusCode);
    const shape = (body: Record<string, unknown>) => ({ ...body, id: 'x', email: 'x', createdAt: 'x', expiresAt: 'x', lastSentAt: 'x' });
    expect(shape(unknown.json())).toEqual(shape(existing.json()));
    expect(Object.keys(unknown.headers).sort()).toEqual(Object.keys(existing.headers).sort());
    // Until the person accepts, they belong where they did.
    expect(await membershipsOf('owner@relaxed.example.com')).toEqual([relaxed.id]);
  });

  it('takes effect only when the person accepts it as themselves', async () => {
    const token = await tokenMailedTo('owner@relaxed.example.com');
    const wrong = await inject('POST', '/api/v1/invitations/accept', {}, { token, password: 'somebody else guessing' });
    expect(wrong.statusCode).toBe(401);
    expect(await membershipsOf('owner@relaxed.example.com')).toEqual([relaxed.id]);
    const accepted = await inject('POST', '/api/v1/invitations/accept', {}, { token, password: PASSWORD });
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(await membershipsOf('owner@relaxed.example.com')).toEqual([relaxed.id, strict.id]);
    // Accepting signs the person in, working in the tenant they joined and owing what it asks: Strict
    // requires MFA, so the new session must enrol a second factor first.
    expect(accepted.json().session).toMatchObject({ activeTenantId: strict.id, restriction: 'mfa_enroll' });
    const cookie = accepted.cookies.find((c) => c.name === 'platforma_session');
    expect(cookie?.httpOnly).toBe(true);
    const session = await inject('GET', '/api/v1/auth/session', { cookie: `platforma_session=${cookie?.value}` });
    expect(session.json()).toMatchObject({ activeTenantId: strict.id, restriction: 'mfa_enroll' });
  });

  it('never makes a staff account a member: the invitation looks ordinary, accepting it is refused', async () => {
    const invited = await inject('POST', `/api/v1/tenants/${strict.id}/invitations`, strict.owner, { email: ADMIN_EMAIL, role: 'owner' });
    expect(invited.statusCode).toBe(201);
    const refused = await inject('POST', '/api/v1/invitations/accept', {}, { token: await tokenMailedTo(ADMIN_EMAIL), password: ADMIN_PASSWORD });
    expect(refused.statusCode).toBe(403);
    expect(problemOf(refused).detail).toMatch(/staff/i);
    await expect(addMember(t.platform, strict.id, ADMIN_EMAIL, 'owner')).rejects.toThrow(/staff/i);
    expect(await membershipsOf(ADMIN_EMAIL)).toEqual([]);
  });
});

describe('a tenant’s authentication policy', () => {
  it('binds a person only while their session works in that tenant', async () => {
    // The relaxed owner now also belongs to Strict. Signed in, they work in Relaxed (joined first):
    // Strict's MFA, password length and age do not apply there.
    const session = await t.signIn('owner@relaxed.example.com', PASSWORD);
    expect((await inject('GET', '/api/v1/auth/session', session)).json()).toMatchObject({ activeTenantId: relaxed.id, restriction: null });
    expect((await inject('GET', `/api/v1/tenants/${relaxed.id}`, session)).statusCode).toBe(200);
    const me = (await inject('GET', '/api/v1/me', session)).json();
    expect(me.mfa.required).toBe(false);
    expect(me.passwordPolicy.minLength).toBe(12);

    // Moving into Strict: its rules apply, and hold the session until they are met.
    expect((await inject('POST', '/api/v1/auth/switch-tenant', session, { tenantId: strict.id })).statusCode).toBe(204);
    expect((await inject('GET', '/api/v1/auth/session', session)).json()).toMatchObject({ activeTenantId: strict.id, restriction: 'mfa_enroll' });
    const held = await inject('GET', `/api/v1/tenants/${strict.id}`, session);
    expect(held.statusCode).toBe(401);
    expect(problemOf(held).code).toBe('PLAT_MFA_REQUIRED');

    // Nor can a credential for Strict be made from a session that has not met Strict's rules.
    expect((await inject('POST', '/api/v1/auth/switch-tenant', session, { tenantId: relaxed.id })).statusCode).toBe(204);
    const key = await inject('POST', '/api/v1/me/api-keys', session, { name: 'around the rules', tenantId: strict.id });
    expect(key.statusCode, key.body).toBe(403);
    expect(problemOf(key)).toMatchObject({ code: 'PLAT_FORBIDDEN', restriction: 'mfa_enroll' });
    expect((await inject('POST', '/api/v1/me/api-keys', session, { name: 'for relaxed', tenantId: relaxed.id })).statusCode).toBe(201);

    // Back in Relaxed, nothing of Strict's is owed.
    expect((await inject('GET', '/api/v1/auth/session', session)).json()).toMatchObject({ activeTenantId: relaxed.id, restriction: null });
    expect((await inject('GET', `/api/v1/tenants/${relaxed.id}`, session)).statusCode).toBe(200);
  });

  it('judges a new password by the tenant the session works in, and Strict still asks for its own', async () => {
    const session = await t.signIn('owner@relaxed.example.com', PASSWORD);
    const changed = await inject('POST', '/api/v1/me/password', session, { currentPassword: PASSWORD, newPassword: 'relaxed passphrase 2' });
    expect(changed.statusCode, changed.body).toBe(204);
    // Strict refuses that password: a session moving there must enrol MFA and then change it.
    const mfa = await call(t, 'post', '/api/v1/me/mfa/totp', 200, { headers: session, body: {} });
    expect((await inject('POST', '/api/v1/me/mfa/totp/confirm', session, { code: await totpCode(mfa.secret) })).statusCode).toBe(200);
    expect((await inject('POST', '/api/v1/auth/switch-tenant', session, { tenantId: strict.id })).statusCode).toBe(204);
    expect((await inject('GET', '/api/v1/auth/session', session)).json()).toMatchObject({ activeTenantId: strict.id, restriction: 'password_change' });
    const held = await inject('GET', `/api/v1/tenants/${strict.id}`, session);
    expect(problemOf(held).code).toBe('PLAT_PASSWORD_CHANGE_REQUIRED');
  });
});
