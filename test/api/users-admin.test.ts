// People administration by platform staff: every account (search, the staff filter, pages), one
// person's page (memberships, sessions, second factor, lockout), platform roles (granted, changed,
// revoked; never the last administrator's; each change ends the person's sessions and makes the
// second factor mandatory at their next sign-in), ending someone's sessions, and adding a staff
// member by mail. Operators manage users but not staff; support only reads; tenant roles reach none
// of it. Bad input is a problem document and changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, startTestPlatform, problemOf, type TestPlatform, type SignedInHeaders } from '../support/platform.js';
import { expectStatus } from '../support/api.js';
import { auditEntries, ownerQuery } from '../support/audit.js';
import { registerSecret } from '../support/suite-log.js';
import { systemContext } from '../../src/kernel/context.js';

let t: TestPlatform;
let admin: SignedInHeaders;
let adminId: string;
let tenantA: string;
let tenantB: string;
const PASSWORD = 'people admin passphrase';

const inject = (method: string, url: string, headers: Record<string, string>, payload?: unknown) =>
  t.platform.app.inject({ method: method as 'GET', url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });

async function person(email: string, options: { platformRole?: 'support' | 'operator' | 'platform-admin'; memberships?: [string, string][] } = {}): Promise<string> {
  const user = await t.platform.identity.service.createUser({ email, password: PASSWORD, platformRole: options.platformRole ?? null }, systemContext('test'));
  for (const [tenantId, role] of options.memberships ?? []) await addMember(t.platform, tenantId, email, role);
  return user.id;
}

/** A sign-in straight through the API (no MFA completion): for people who have none to complete. */
async function rawSignIn(email: string, password = PASSWORD) {
  const response = await t.platform.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', payload: { email, password } });
  expect(response.statusCode, response.body).toBe(200);
  const cookie = response.cookies.find((c) => c.name === 'platforma_session')?.value as string;
  registerSecret('session token', cookie);
  const body = expectStatus(response, { method: 'post', path: '/api/v1/auth/sign-in' }, 200);
  return { headers: { cookie: `platforma_session=${cookie}`, 'x-csrf-token': body.csrfToken }, restriction: body.restriction };
}

const usersTable = async () => ownerQuery<{ id: string; platform_role: string | null; updated_at: Date }>(t, 'select id, platform_role, updated_at from identity.users order by id');
const liveSessionsOf = async (userId: string) => (await ownerQuery<{ n: number }>(t, 'select count(*)::int as n from identity.sessions where user_id = $1 and revoked_at is null', [userId]))[0]?.n;

beforeAll(async () => {
  t = await startTestPlatform({ env: { SIGN_IN_MAX_FAILURES: '3' } });
  admin = await t.signIn();
  adminId = (await inject('GET', '/api/v1/me', admin)).json().user.id;
  const tenant = async (name: string) => (await inject('POST', '/api/v1/tenants', admin, { organizationName: name, domain: `${name.toLowerCase()}.example.com`, adminEmail: `ops@${name.toLowerCase()}.example.com` })).json().id as string;
  tenantA = await tenant('Acme');
  tenantB = await tenant('Globex');
});
afterAll(() => t?.close());

describe('the list of every account', () => {
  it('searches by email, filters staff, and pages with a cursor', async () => {
    for (const name of ['zoe', 'zack', 'zelda']) await person(`${name}@search.example.com`);
    await person('zed@search.example.com', { platformRole: 'support' });
    const search = await inject('GET', '/api/v1/users?q=SEARCH.example', admin);
    expect(search.statusCode, search.body).toBe(200);
    expect(search.json().data.map((u: { email: string }) => u.email)).toEqual(['zed@search.example.com', 'zelda@search.example.com', 'zack@search.example.com', 'zoe@search.example.com']);
    expect(search.json().data[0]).toMatchObject({ platformRole: 'support', emailVerified: false, mfaEnabled: false });

    const staff = (await inject('GET', '/api/v1/users?staff=true', admin)).json().data.map((u: { email: string }) => u.email);
    expect(staff).toContain('zed@search.example.com');
    expect(staff).toContain('admin@example.com');
    expect(staff).not.toContain('zoe@search.example.com');

    const first = (await inject('GET', '/api/v1/users?q=search.example&limit=3', admin)).json();
    expect(first.data).toHaveLength(3);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = (await inject('GET', `/api/v1/users?q=search.example&limit=3&cursor=${first.nextCursor}`, admin)).json();
    expect(second).toEqual({ data: [expect.objectContaining({ email: 'zoe@search.example.com' })], nextCursor: null });
  });

  it('treats LIKE wildcards in the search as text', async () => {
    expect((await inject('GET', '/api/v1/users?q=%25', admin)).json().data).toEqual([]);
  });

  it('refuses a bad cursor, an unknown filter and a bad staff flag with 400 and a pointer', async () => {
    for (const [query, pointer] of [
      ['cursor=nonsense', '/cursor'],
      ['staff=maybe', '/staff'],
      ['role=owner', '/role'],
      ['limit=1000', '/limit'],
    ] as const) {
      const response = await inject('GET', `/api/v1/users?${query}`, admin);
      expect(response.statusCode, query).toBe(400);
      expect(problemOf(response).errors?.map((e) => e.pointer), query).toContain(pointer);
    }
  });
});

describe('one person’s page', () => {
  it('shows memberships with tenant names, live sessions, last sign-in, second factor, verification and lockout', async () => {
    const id = await person('paula@acme.example.com', { memberships: [[tenantA, 'admin'], [tenantB, 'member']] });
    const before = (await inject('GET', `/api/v1/users/${id}`, admin)).json();
    expect(before).toMatchObject({ id, email: 'paula@acme.example.com', platformRole: null, hasPassword: true, emailVerified: false, emailVerifiedAt: null, mfaEnabled: false, lockedUntil: null, lastSignInAt: null, activeSessionCount: 0, sessions: [] });
    expect(before.memberships).toEqual([
      { tenantId: tenantA, organizationName: 'Acme', role: 'admin', joinedAt: expect.any(String) },
      { tenantId: tenantB, organizationName: 'Globex', role: 'member', joinedAt: expect.any(String) },
    ]);
    expect(before.callerMay).toEqual({ changePlatformRole: true, endSessions: true, unlock: true, impersonate: true });

    await rawSignIn('paula@acme.example.com');
    await rawSignIn('paula@acme.example.com');
    const signedIn = (await inject('GET', `/api/v1/users/${id}`, admin)).json();
    expect(signedIn.activeSessionCount).toBe(2);
    expect(signedIn.sessions).toHaveLength(2);
    expect(signedIn.sessions[0]).toMatchObject({ id: expect.stringMatching(/^ses_/), sourceIp: '127.0.0.1', impersonating: false });
    expect(signedIn.lastSignInAt).toBe(signedIn.sessions[0].createdAt);

    for (let i = 0; i < 4; i++) await t.platform.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', payload: { email: 'paula@acme.example.com', password: 'wrong password' } });
    const locked = (await inject('GET', `/api/v1/users/${id}`, admin)).json();
    expect(locked.lockedUntil).toEqual(expect.any(String));
    expect(new Date(locked.lockedUntil).getTime()).toBeGreaterThan(Date.now());
    expect((await t.platform.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', payload: { email: 'paula@acme.example.com', password: PASSWORD } })).statusCode).toBe(423);

    // Support confirmed who she is: the lock is lifted, audited, and she signs in.
    const unlocked = await inject('POST', `/api/v1/users/${id}/unlock`, admin);
    expect(unlocked.statusCode, unlocked.body).toBe(204);
    expect((await inject('GET', `/api/v1/users/${id}`, admin)).json().lockedUntil).toBeNull();
    expect(await auditEntries(t, { action: 'identity.account.unlocked', targetId: id })).toEqual([expect.objectContaining({ actor_id: adminId })]);
    await rawSignIn('paula@acme.example.com');
  });

  it('reports a confirmed second factor', async () => {
    await person('otto@staff.example.com', { platformRole: 'operator' });
    await t.signIn('otto@staff.example.com', PASSWORD); // enrols an authenticator (staff must)
    const otto = (await inject('GET', '/api/v1/users?q=otto@', admin)).json().data[0];
    expect(otto).toMatchObject({ platformRole: 'operator', mfaEnabled: true });
    const detail = (await inject('GET', `/api/v1/users/${otto.id}`, admin)).json();
    expect(detail).toMatchObject({ mfaEnabled: true, activeSessionCount: 1 });
    // Staff cannot be impersonated, so the page does not offer it.
    expect(detail.callerMay.impersonate).toBe(false);
  });

  it('is 404 for an unknown id and 400 for a malformed one', async () => {
    const unknown = await inject('GET', '/api/v1/users/usr_01jaaaaaaaaaaaaaaaaaaaaaaa', admin);
    expect(unknown.statusCode).toBe(404);
    expect(problemOf(unknown).code).toBe('PLAT_NOT_FOUND');
    const malformed = await inject('GET', '/api/v1/users/ten_01jaaaaaaaaaaaaaaaaaaaaaaa', admin);
    expect(malformed.statusCode).toBe(400);
    expect(problemOf(malformed).errors?.[0]?.pointer).toBe('/id');
  });
});

describe('platform roles', () => {
  it('granting a role ends the person’s sessions, is audited, and their next sign-in must enrol a second factor', async () => {
    // A tenant's member does not become staff (staff belong to no tenant): they leave it first.
    const member = await person('gwen@acme.example.com', { memberships: [[tenantA, 'member']] });
    const refused = await inject('PUT', `/api/v1/users/${member}/platform-role`, admin, { role: 'operator' });
    expect(refused.statusCode).toBe(409);
    expect(problemOf(refused).detail).toMatch(/do not belong to tenants/);
    const id = await person('grace@acme.example.com');
    const before = await rawSignIn('grace@acme.example.com');
    expect(before.restriction).toBeNull();

    const granted = await inject('PUT', `/api/v1/users/${id}/platform-role`, admin, { role: 'operator' });
    expect(granted.statusCode, granted.body).toBe(200);
    expect(granted.json()).toMatchObject({ id, platformRole: 'operator', sessionsEnded: 1 });
    expect((await inject('GET', '/api/v1/auth/session', before.headers)).statusCode).toBe(401);
    expect(await auditEntries(t, { action: 'identity.staff.role_granted', targetId: id })).toEqual([
      expect.objectContaining({ actor_id: adminId, after: { platformRole: 'operator', sessionsEnded: 1 } }),
    ]);
    const staffList = (await inject('GET', '/api/v1/users?staff=true', admin)).json().data.map((u: { email: string }) => u.email);
    expect(staffList).toContain('grace@acme.example.com');

    const after = await rawSignIn('grace@acme.example.com');
    expect(after.restriction).toBe('mfa_enroll');
    // Until enrolled, the operator's rights are out of reach.
    expect((await inject('GET', '/api/v1/users', after.headers)).statusCode).toBe(401);
  });

  it('changes and revokes a role the same way, and a revoked role stops working', async () => {
    const id = await person('rita@staff.example.com', { platformRole: 'support' });
    const rita = await t.signIn('rita@staff.example.com', PASSWORD);
    expect((await inject('GET', '/api/v1/users', rita)).statusCode).toBe(200);
    const changed = await inject('PUT', `/api/v1/users/${id}/platform-role`, admin, { role: 'read-only' });
    expect(changed.json()).toMatchObject({ platformRole: 'read-only', sessionsEnded: 1 });
    expect((await inject('GET', '/api/v1/users', rita)).statusCode).toBe(401);
    const revoked = await inject('PUT', `/api/v1/users/${id}/platform-role`, admin, { role: null });
    expect(revoked.json()).toMatchObject({ platformRole: null, sessionsEnded: 0 });
    expect((await auditEntries(t, { targetId: id })).map((e) => e.action).filter((a) => a.startsWith('identity.staff.role_'))).toEqual(['identity.staff.role_changed', 'identity.staff.role_revoked']);
    // Setting the role it already has changes nothing and ends nothing.
    const same = await inject('PUT', `/api/v1/users/${id}/platform-role`, admin, { role: null });
    expect(same.json()).toMatchObject({ platformRole: null, sessionsEnded: 0 });
    expect((await auditEntries(t, { targetId: id })).filter((e) => e.action.startsWith('identity.staff.role_'))).toHaveLength(2);
  });

  it('never takes the role from the last platform administrator', async () => {
    const tableBefore = await usersTable();
    const refused = await inject('PUT', `/api/v1/users/${adminId}/platform-role`, admin, { role: 'operator' });
    expect(refused.statusCode).toBe(409);
    expect(problemOf(refused).code).toBe('PLAT_CONFLICT');
    expect(await usersTable()).toEqual(tableBefore);
    expect((await inject('GET', '/api/v1/auth/session', admin)).statusCode).toBe(200);
  });

  it('refuses an unknown role, a missing role and smuggled members with 400, changing nothing', async () => {
    const id = await person('bad-input@acme.example.com');
    const tableBefore = await usersTable();
    for (const body of [{ role: 'owner' }, {}, { role: 'operator', platformRole: 'platform-admin' }, { role: 'operator', userId: adminId }]) {
      const response = await inject('PUT', `/api/v1/users/${id}/platform-role`, admin, body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(problemOf(response).code).toBe('PLAT_VALIDATION_FAILED');
    }
    expect(await usersTable()).toEqual(tableBefore);
    expect((await inject('PUT', '/api/v1/users/usr_01jaaaaaaaaaaaaaaaaaaaaaaa/platform-role', admin, { role: 'operator' })).statusCode).toBe(404);
  });
});

describe('ending someone’s sessions', () => {
  it('ends every session of the person and is audited', async () => {
    const id = await person('sid@acme.example.com', { memberships: [[tenantA, 'member']] });
    const one = await rawSignIn('sid@acme.example.com');
    await rawSignIn('sid@acme.example.com');
    const ended = await inject('POST', `/api/v1/users/${id}/sessions/revoke`, admin);
    expect(ended.statusCode, ended.body).toBe(200);
    expect(ended.json()).toEqual({ sessionsEnded: 2 });
    expect(await liveSessionsOf(id)).toBe(0);
    expect((await inject('GET', '/api/v1/me', one.headers)).statusCode).toBe(401);
    expect(await auditEntries(t, { action: 'identity.user.sessions_revoked', targetId: id })).toEqual([expect.objectContaining({ actor_id: adminId, after: { sessionsEnded: 2 } })]);
    expect((await inject('POST', '/api/v1/users/usr_01jaaaaaaaaaaaaaaaaaaaaaaa/sessions/revoke', admin)).statusCode).toBe(404);
  });
});

describe('adding a staff member', () => {
  it('creates the account, mails a link to choose a password, and the first sign-in enrols a second factor', async () => {
    const added = await inject('POST', '/api/v1/staff', admin, { email: 'New.Hire@Staff.example.com', role: 'support' });
    expect(added.statusCode, added.body).toBe(201);
    const user = added.json();
    expect(user).toMatchObject({ email: 'new.hire@staff.example.com', platformRole: 'support', emailVerified: false, mfaEnabled: false });
    expect(added.headers.location).toBe(`/api/v1/users/${user.id}`);
    expect((await inject('GET', `/api/v1/users/${user.id}`, admin)).json()).toMatchObject({ hasPassword: false, lastSignInAt: null });
    expect(await auditEntries(t, { action: 'identity.staff.invited', targetId: user.id })).toEqual([expect.objectContaining({ actor_id: adminId, after: { email: 'new.hire@staff.example.com', platformRole: 'support' } })]);

    const mails = (await inject('GET', '/api/v1/mail?to=new.hire@staff.example.com', admin)).json().data;
    expect(mails).toEqual([expect.objectContaining({ purpose: 'identity.staff_invitation', subject: 'You are invited to run Platforma', status: 'stored' })]);
    const text = (await inject('GET', `/api/v1/mail/${mails[0].id}`, admin)).json().text as string;
    expect(text).toContain('admin@example.com added you to the platform staff of Platforma as support');
    expect(text).toContain('/admin');
    const token = /reset-password#token=([A-Za-z0-9_-]+)/.exec(text)?.[1] as string;
    expect(token).toBeTruthy();
    registerSecret('staff invitation token', token);

    // Nobody can sign in before the password is chosen.
    expect((await t.platform.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', payload: { email: 'new.hire@staff.example.com', password: PASSWORD } })).statusCode).toBe(401);
    const chosen = await t.platform.app.inject({ method: 'POST', url: '/api/v1/auth/password-reset/confirm', payload: { token, newPassword: PASSWORD } });
    expect(chosen.statusCode, chosen.body).toBe(204);
    expect((await inject('GET', `/api/v1/users/${user.id}`, admin)).json()).toMatchObject({ hasPassword: true, emailVerified: true });
    const first = await rawSignIn('new.hire@staff.example.com');
    expect(first.restriction).toBe('mfa_enroll');
  });

  it('refuses an address that already has an account (409, naming it) and a bad address or role (400), adding nothing', async () => {
    const existing = await person('taken@acme.example.com');
    const tableBefore = await usersTable();
    const mailBefore = await ownerQuery(t, 'select id from notifications.outgoing_mail');
    const taken = await inject('POST', '/api/v1/staff', admin, { email: 'TAKEN@acme.example.com', role: 'operator' });
    expect(taken.statusCode).toBe(409);
    expect(problemOf(taken)).toMatchObject({ code: 'PLAT_CONFLICT', userId: existing, field: '/email' });
    for (const body of [{ email: 'not an email', role: 'operator' }, { email: 'x@acme.example.com', role: 'owner' }, { email: 'x@acme.example.com' }, { email: 'x@acme.example.com', role: 'operator', tenantId: tenantA }]) {
      const response = await inject('POST', '/api/v1/staff', admin, body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
    }
    expect(await usersTable()).toEqual(tableBefore);
    expect(await ownerQuery(t, 'select id from notifications.outgoing_mail')).toEqual(mailBefore);
  });
});

describe('who may do what', () => {
  it('lets an operator manage users but not staff', async () => {
    const operatorId = await person('olga@staff.example.com', { platformRole: 'operator' });
    const operator = await t.signIn('olga@staff.example.com', PASSWORD);
    const userId = await person('ursula@acme.example.com', { memberships: [[tenantA, 'member']] });
    expect((await inject('GET', '/api/v1/users', operator)).statusCode).toBe(200);
    const detail = (await inject('GET', `/api/v1/users/${userId}`, operator)).json();
    expect(detail.callerMay).toEqual({ changePlatformRole: false, endSessions: true, unlock: true, impersonate: false });
    expect((await inject('POST', `/api/v1/users/${userId}/sessions/revoke`, operator)).statusCode).toBe(200);
    expect((await inject('POST', `/api/v1/users/${userId}/unlock`, operator)).statusCode).toBe(204);

    const tableBefore = await usersTable();
    const refusals = [
      await inject('PUT', `/api/v1/users/${userId}/platform-role`, operator, { role: 'operator' }),
      await inject('PUT', `/api/v1/users/${operatorId}/platform-role`, operator, { role: 'platform-admin' }),
      await inject('POST', '/api/v1/staff', operator, { email: 'friend@staff.example.com', role: 'platform-admin' }),
      await inject('POST', `/api/v1/users/${adminId}/sessions/revoke`, operator),
      await inject('POST', `/api/v1/users/${adminId}/unlock`, operator),
    ];
    for (const response of refusals) {
      expect(response.statusCode, response.body).toBe(403);
      expect(problemOf(response).code).toBe('PLAT_FORBIDDEN');
    }
    expect(await usersTable()).toEqual(tableBefore);
    expect(await liveSessionsOf(adminId)).toBeGreaterThan(0);
  });

  it('lets support read people but change nothing', async () => {
    await person('sally@staff.example.com', { platformRole: 'support' });
    const support = await t.signIn('sally@staff.example.com', PASSWORD);
    const userId = await person('victor@acme.example.com', { memberships: [[tenantA, 'member']] });
    expect((await inject('GET', '/api/v1/users?q=victor', support)).json().data).toHaveLength(1);
    expect((await inject('GET', `/api/v1/users/${userId}`, support)).json().callerMay).toEqual({ changePlatformRole: false, endSessions: false, unlock: false, impersonate: true });
    const tableBefore = await usersTable();
    for (const [method, url, body] of [
      ['PUT', `/api/v1/users/${userId}/platform-role`, { role: 'support' }],
      ['POST', `/api/v1/users/${userId}/sessions/revoke`, undefined],
      ['POST', `/api/v1/users/${userId}/unlock`, undefined],
      ['POST', '/api/v1/staff', { email: 'friend2@staff.example.com', role: 'support' }],
    ] as const) {
      const response = await inject(method, url, support, body);
      expect(response.statusCode, `${method} ${url}`).toBe(403);
    }
    expect(await usersTable()).toEqual(tableBefore);
  });

  it('refuses every people route to a tenant owner and to their API key', async () => {
    await person('owen@acme.example.com', { memberships: [[tenantA, 'owner']] });
    const owner = (await rawSignIn('owen@acme.example.com')).headers;
    const key = (await inject('POST', `/api/v1/tenants/${tenantA}/api-keys`, owner, { name: 'owner-key', role: 'owner' })).json().secret as string;
    registerSecret('API key', key);
    const victim = await person('wendy@acme.example.com', { memberships: [[tenantA, 'member']] });
    await rawSignIn('wendy@acme.example.com');
    const tableBefore = await usersTable();
    for (const headers of [owner, { authorization: `Bearer ${key}` }]) {
      for (const [method, url, body] of [
        ['GET', '/api/v1/users', undefined],
        ['GET', `/api/v1/users/${victim}`, undefined],
        ['PUT', `/api/v1/users/${victim}/platform-role`, { role: 'platform-admin' }],
        ['POST', `/api/v1/users/${victim}/sessions/revoke`, undefined],
        ['POST', `/api/v1/users/${victim}/unlock`, undefined],
        ['POST', '/api/v1/staff', { email: 'mole@acme.example.com', role: 'platform-admin' }],
      ] as const) {
        const response = await inject(method, url, headers, body);
        expect([403, 404], `${method} ${url}`).toContain(response.statusCode);
        expect(response.body).not.toContain('wendy@');
      }
    }
    expect(await usersTable()).toEqual(tableBefore);
    expect(await liveSessionsOf(victim)).toBe(1);
    expect(await auditEntries(t, { action: 'identity.account.unlocked', targetId: victim })).toEqual([]);
  });

  it('refuses everything to someone not signed in', async () => {
    expect((await t.platform.app.inject({ method: 'GET', url: '/api/v1/users' })).statusCode).toBe(401);
    expect((await t.platform.app.inject({ method: 'POST', url: '/api/v1/staff', payload: { email: 'x@y.example.com', role: 'support' } })).statusCode).toBe(401);
  });
});

// Last: an administrator may lose the role here, and nothing after this needs one.
describe('two administrators demoting each other at once', () => {
  it('lets exactly one of them succeed, so one administrator remains', async () => {
    const second = await person('second-admin@staff.example.com', { platformRole: 'platform-admin' });
    const secondHeaders = await t.signIn('second-admin@staff.example.com', PASSWORD);
    const [first, other] = await Promise.all([
      inject('PUT', `/api/v1/users/${second}/platform-role`, admin, { role: 'read-only' }),
      inject('PUT', `/api/v1/users/${adminId}/platform-role`, secondHeaders, { role: 'read-only' }),
    ]);
    // The winner's change ends the loser's sessions, so the loser is refused either by the
    // last-administrator rule (409) or, if its request is authenticated after that commit, as
    // signed out (401). Never both 200.
    const statuses = [first.statusCode, other.statusCode].sort();
    expect(statuses[0]).toBe(200);
    expect([401, 409]).toContain(statuses[1]);
    const admins = await ownerQuery<{ id: string }>(t, "select id from identity.users where platform_role = 'platform-admin'");
    expect(admins).toHaveLength(1);
  });
});
