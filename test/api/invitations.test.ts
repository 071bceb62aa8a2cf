// Invitations by email: expiring, single-use links that create the account or add the membership.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/kernel/clock.js';
import { systemContext } from '../../src/kernel/context.js';
import { addMember, startTestPlatform, problemOf, type TestPlatform, type SignedInHeaders } from '../support/platform.js';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-server.js';

const clock = new ManualClock(new Date());
let t: TestPlatform;
let smtp: TestSmtpServer;
let staff: SignedInHeaders;
let owner: SignedInHeaders;
let tenantId: string;
const PASSWORD = 'a long enough passphrase';

const inject = (method: string, url: string, headers: Record<string, string>, payload?: unknown) =>
  t.platform.app.inject({ method: method as 'GET', url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });

/** The token in the newest stored invitation mail to this address (read as the owner of the database). */
async function tokenMailedTo(email: string): Promise<string> {
  const client = new pg.Client({ connectionString: t.database.ownerUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ text: string }>("select text from notifications.outgoing_mail where \"to\" = $1 and purpose = 'identity.invitation' order by id desc limit 1", [email]);
    const match = /#token=([A-Za-z0-9_-]+)/.exec(rows[0]?.text ?? '');
    if (!match?.[1]) throw new Error(`no invitation mail to ${email}`);
    return match[1];
  } finally {
    await client.end();
  }
}

async function counts() {
  const client = new pg.Client({ connectionString: t.database.ownerUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ users: number; memberships: number }>('select (select count(*)::int from identity.users) as users, (select count(*)::int from identity.memberships) as memberships');
    return rows[0];
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  smtp = await startSmtpServer();
  t = await startTestPlatform({ clock, start: true, env: { SMTP_URL: smtp.url, PUBLIC_URL: 'https://platforma.example.com' } });
  staff = await t.signIn();
  tenantId = (await inject('POST', '/api/v1/tenants', staff, { organizationName: 'Initech', domain: 'initech.example.com', adminEmail: 'ops@initech.example.com' })).json().id;
  await t.platform.identity.service.createUser({ email: 'owner@initech.example.com', password: PASSWORD }, systemContext('test'));
  await addMember(t.platform, tenantId, 'owner@initech.example.com', 'owner');
  owner = await t.signIn('owner@initech.example.com', PASSWORD);
});
afterAll(async () => {
  await t.close();
  await smtp.close();
});

describe('inviting someone new', () => {
  it('mails a link over SMTP; accepting creates the account with the role, once', async () => {
    const invited = await inject('POST', `/api/v1/tenants/${tenantId}/invitations`, owner, { email: 'New.Person@example.com', role: 'developer' });
    expect(invited.statusCode, invited.body).toBe(201);
    expect(invited.json()).toMatchObject({ email: 'new.person@example.com', role: 'developer', status: 'open', invitedBy: 'owner@initech.example.com' });

    // The real SMTP server receives it, with a link to the portal carrying the token in the fragment.
    await expect.poll(() => smtp.received.find((m) => m.envelopeTo.includes('new.person@example.com')), { timeout: 15_000 }).toBeDefined();
    const mail = smtp.received.find((m) => m.envelopeTo.includes('new.person@example.com'));
    expect(mail?.headers.subject).toContain('Initech');
    expect(mail?.text).toMatch(/https:\/\/platforma\.example\.com\/portal\/accept-invitation#token=[A-Za-z0-9_-]{40,}/);
    const token = /#token=([A-Za-z0-9_-]+)/.exec(mail?.text ?? '')?.[1] ?? '';

    const preview = await inject('POST', '/api/v1/invitations/preview', {}, { token });
    expect(preview.json()).toMatchObject({ tenantId, organizationName: 'Initech', email: 'new.person@example.com', role: 'developer', accountExists: false });

    const accepted = await inject('POST', '/api/v1/invitations/accept', {}, { token, password: PASSWORD });
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(accepted.json()).toMatchObject({ tenantId, accountCreated: true });

    const person = await t.signIn('new.person@example.com', PASSWORD);
    const me = (await inject('GET', '/api/v1/me', person)).json();
    expect(me.memberships).toEqual([{ tenantId, organizationName: 'Initech', role: 'developer' }]);

    // Single use: the same link no longer works, and says so without telling why.
    const again = await inject('POST', '/api/v1/invitations/accept', {}, { token, password: PASSWORD });
    expect(again.statusCode).toBe(404);
    // Found by email: the owner's invitation sent at the tenant's creation is in the list too.
    const listed = (await inject('GET', `/api/v1/tenants/${tenantId}/invitations`, owner)).json().data as { email: string; status: string }[];
    expect(listed.find((i) => i.email === 'new.person@example.com')?.status).toBe('accepted');
  });
});

describe('inviting an existing account', () => {
  it('adds the membership only with that account’s password', async () => {
    await t.platform.identity.service.createUser({ email: 'existing@example.com', password: PASSWORD }, systemContext('test'));
    await inject('POST', `/api/v1/tenants/${tenantId}/invitations`, owner, { email: 'existing@example.com', role: 'billing' });
    const token = await tokenMailedTo('existing@example.com');
    expect((await inject('POST', '/api/v1/invitations/preview', {}, { token })).json().accountExists).toBe(true);

    const before = await counts();
    const wrong = await inject('POST', '/api/v1/invitations/accept', {}, { token, password: 'not the password at all' });
    expect(wrong.statusCode).toBe(401);
    expect(problemOf(wrong).code).toBe('PLAT_INVALID_CREDENTIALS');
    expect(await counts()).toEqual(before);

    const right = await inject('POST', '/api/v1/invitations/accept', {}, { token, password: PASSWORD });
    expect(right.json()).toMatchObject({ accountCreated: false });
    const members = (await inject('GET', `/api/v1/tenants/${tenantId}/members`, owner)).json().data;
    expect(members.find((m: { email: string }) => m.email === 'existing@example.com')?.role).toBe('billing');
  });
});

describe('links that no longer work', () => {
  it('refuses an expired, a revoked and a replaced invitation, changing nothing', async () => {
    await inject('POST', `/api/v1/tenants/${tenantId}/invitations`, owner, { email: 'late@example.com', role: 'member' });
    const expiring = await tokenMailedTo('late@example.com');
    clock.advance(8 * 86_400_000);
    owner = await t.signIn('owner@initech.example.com', PASSWORD); // the old session expired too
    const before = await counts();
    expect((await inject('POST', '/api/v1/invitations/accept', {}, { token: expiring, password: PASSWORD })).statusCode).toBe(404);
    expect(await counts()).toEqual(before);
    const listed = (await inject('GET', `/api/v1/tenants/${tenantId}/invitations`, owner)).json().data;
    expect(listed.find((i: { email: string }) => i.email === 'late@example.com').status).toBe('expired');

    const first = (await inject('POST', `/api/v1/tenants/${tenantId}/invitations`, owner, { email: 'twice@example.com', role: 'member' })).json();
    const firstToken = await tokenMailedTo('twice@example.com');
    await inject('POST', `/api/v1/tenants/${tenantId}/invitations`, owner, { email: 'twice@example.com', role: 'admin' });
    expect((await inject('POST', '/api/v1/invitations/preview', {}, { token: firstToken })).statusCode).toBe(404); // replaced
    const secondToken = await tokenMailedTo('twice@example.com');
    const second = (await inject('GET', `/api/v1/tenants/${tenantId}/invitations`, owner)).json().data.find((i: { email: string; status: string }) => i.email === 'twice@example.com' && i.status === 'open');
    expect(second.id).not.toBe(first.id);
    expect((await inject('DELETE', `/api/v1/tenants/${tenantId}/invitations/${second.id}`, owner)).statusCode).toBe(204);
    expect((await inject('POST', '/api/v1/invitations/accept', {}, { token: secondToken, password: PASSWORD })).statusCode).toBe(404);
    expect((await inject('DELETE', `/api/v1/tenants/${tenantId}/invitations/${second.id}`, owner)).statusCode).toBe(409);
  });
});

describe('who may invite', () => {
  it('refuses members and unknown roles', async () => {
    await inject('POST', `/api/v1/tenants/${tenantId}/invitations`, owner, { email: 'plain@example.com', role: 'member' });
    await inject('POST', '/api/v1/invitations/accept', {}, { token: await tokenMailedTo('plain@example.com'), password: PASSWORD });
    const member = await t.signIn('plain@example.com', PASSWORD);
    expect((await inject('POST', `/api/v1/tenants/${tenantId}/invitations`, member, { email: 'x@example.com', role: 'owner' })).statusCode).toBe(403);
    expect((await inject('GET', `/api/v1/tenants/${tenantId}/invitations`, member)).statusCode).toBe(403);
    const badRole = await inject('POST', `/api/v1/tenants/${tenantId}/invitations`, owner, { email: 'x@example.com', role: 'role_01jabcdefghjkmnpqrstvwxyz0' });
    expect(badRole.statusCode).toBe(400);
    expect(problemOf(badRole).errors?.[0]?.pointer).toBe('/role');
  });
});

describe('a new tenant', () => {
  it('invites the administrator named at its creation to own it, and accepting makes them its owner', async () => {
    staff = await t.signIn();
    const created = await inject('POST', '/api/v1/tenants', staff, { organizationName: 'Globex', domain: 'globex.example.com', adminEmail: 'Hank@Globex.example.com' });
    expect(created.statusCode, created.body).toBe(201);
    const globex = created.json().id as string;
    // The invitation follows the tenant.created event (delivered by the workers).
    await expect.poll(() => tokenMailedTo('hank@globex.example.com').catch(() => undefined), { timeout: 20_000, interval: 200 }).toBeDefined();
    const invitations = (await inject('GET', `/api/v1/tenants/${globex}/invitations`, staff)).json().data;
    expect(invitations).toEqual([expect.objectContaining({ email: 'hank@globex.example.com', role: 'owner', status: 'open', invitedBy: 'admin@example.com' })]);
    const accepted = await inject('POST', '/api/v1/invitations/accept', {}, { token: await tokenMailedTo('hank@globex.example.com'), password: PASSWORD });
    expect(accepted.statusCode, accepted.body).toBe(200);
    const members = (await inject('GET', `/api/v1/tenants/${globex}/members`, staff)).json().data;
    expect(members).toEqual([expect.objectContaining({ email: 'hank@globex.example.com', role: 'owner' })]);
  });
});

describe('password rules on acceptance', () => {
  // Earlier tests move the clock days ahead: sign in afresh.
  beforeAll(async () => {
    staff = await t.signIn();
    owner = await t.signIn('owner@initech.example.com', PASSWORD);
  });

  it('holds a new account to the inviting tenant’s password policy', async () => {
    const strict = (await inject('POST', '/api/v1/tenants', staff, {
      organizationName: 'Strictco',
      domain: 'strictco.example.com',
      adminEmail: 'ops@strictco.example.com',
      settings: { authentication: { passwordPolicy: { minLength: 30, requireSpecialChars: true, requireNumbers: true, maxAge: 0 } } },
    })).json().id as string;
    expect((await inject('POST', `/api/v1/tenants/${strict}/invitations`, staff, { email: 'careful@example.com', role: 'member' })).statusCode).toBe(201);
    const token = await tokenMailedTo('careful@example.com');
    const weak = await inject('POST', '/api/v1/invitations/accept', {}, { token, password: PASSWORD });
    expect(weak.statusCode).toBe(400);
    expect(problemOf(weak).errors?.map((e) => e.message)).toEqual(['must be at least 30 characters', 'must contain a number', 'must contain a special character']);
    expect((await inject('POST', '/api/v1/invitations/accept', {}, { token, password: 'a passphrase with 30+ characters!' })).statusCode).toBe(200);
  });

  it('counts a wrong password for an existing account as a failed sign-in, up to the lockout', async () => {
    await t.platform.identity.service.createUser({ email: 'guessed@example.com', password: PASSWORD }, systemContext('test'));
    await inject('POST', `/api/v1/tenants/${tenantId}/invitations`, owner, { email: 'guessed@example.com', role: 'member' });
    const token = await tokenMailedTo('guessed@example.com');
    for (let i = 0; i < 5; i++) expect((await inject('POST', '/api/v1/invitations/accept', {}, { token, password: `guess ${i} is wrong` })).statusCode).toBe(401);
    const locked = await inject('POST', '/api/v1/invitations/accept', {}, { token, password: PASSWORD });
    expect(locked.statusCode).toBe(423);
    expect(problemOf(locked).code).toBe('PLAT_ACCOUNT_LOCKED');
    expect((await t.platform.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', payload: { email: 'guessed@example.com', password: PASSWORD } })).statusCode).toBe(423);
  });
});
