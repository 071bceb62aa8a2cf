// A tenant's members and invitations as operators manage them from the admin console (and owners
// from the portal): resending an invitation, names in the lists, role changes, the last owner.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/kernel/clock.js';
import { systemContext } from '../../src/kernel/context.js';
import { addMember, startTestPlatform, problemOf, type TestPlatform, type SignedInHeaders } from '../support/platform.js';

const clock = new ManualClock(new Date());
let t: TestPlatform;
let db: pg.Client;
let operator: SignedInHeaders;
let operatorId: string;
const PASSWORD = 'a long enough passphrase';
const DAY = 86_400_000;

const inject = (method: string, url: string, headers: Record<string, string>, payload?: unknown) =>
  t.platform.app.inject({ method: method as 'GET', url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });

/** The invitation mails to this address, newest first, with the token each carries. */
async function mailsTo(email: string): Promise<{ token: string; text: string }[]> {
  const { rows } = await db.query<{ text: string }>("select text from notifications.outgoing_mail where \"to\" = $1 and purpose = 'identity.invitation' order by created_at desc, id desc", [email]);
  return rows.map((row) => ({ text: row.text, token: /#token=([A-Za-z0-9_-]+)/.exec(row.text)?.[1] ?? '' }));
}

async function invitationRow(id: string) {
  return (await db.query('select token_hash, expires_at, send_count, revoked_at, accepted_at from identity.invitations where id = $1', [id])).rows[0];
}

async function person(email: string, memberships: [string, string][] = [], displayName?: string): Promise<{ id: string; headers: SignedInHeaders }> {
  const user = await t.platform.identity.service.createUser({ email, password: PASSWORD }, systemContext('test'));
  for (const [tenantId, role] of memberships) await addMember(t.platform, tenantId, email, role);
  const headers = await t.signIn(email, PASSWORD);
  if (displayName) expect((await inject('PATCH', '/api/v1/me', headers, { displayName })).statusCode).toBe(200);
  return { id: user.id, headers };
}

async function createTenant(name: string, adminEmail: string): Promise<string> {
  const created = await inject('POST', '/api/v1/tenants', operator, { organizationName: name, domain: `${name.toLowerCase()}.example.com`, adminEmail });
  expect(created.statusCode, created.body).toBe(201);
  return created.json().id;
}

/** The owner's invitation, sent once the tenant.created event is delivered. */
async function firstInvitation(tenantId: string, email: string) {
  await expect.poll(async () => (await inject('GET', `/api/v1/tenants/${tenantId}/invitations`, operator)).json().data?.length, { timeout: 45_000, interval: 200 }).toBe(1);
  const [invitation] = (await inject('GET', `/api/v1/tenants/${tenantId}/invitations`, operator)).json().data;
  expect(invitation.email).toBe(email);
  return invitation;
}

beforeAll(async () => {
  t = await startTestPlatform({ clock, start: true, env: { PUBLIC_URL: 'https://platforma.example.com' } });
  db = new pg.Client({ connectionString: t.database.ownerUrl });
  await db.connect();
  await t.signIn(); // the first platform-admin exists
  const olga = await t.platform.identity.service.createUser({ email: 'olga@staff.example.com', password: PASSWORD, platformRole: 'operator' }, systemContext('test'));
  operatorId = olga.id;
  operator = await t.signIn('olga@staff.example.com', PASSWORD);
  expect((await inject('PATCH', '/api/v1/me', operator, { displayName: 'Olga Operator' })).statusCode).toBe(200);
});
afterAll(async () => {
  await db?.end();
  await t.close();
});

describe('resending an invitation', () => {
  it('lets an operator resend the owner’s invitation: a new mail with a new link, the old link refused, a new expiry, audited', async () => {
    const tenantId = await createTenant('Resendco', 'Boss@Resendco.example.com');
    const invitation = await firstInvitation(tenantId, 'boss@resendco.example.com');
    expect(invitation).toMatchObject({ role: 'owner', status: 'open', invitedBy: 'olga@staff.example.com', invitedByName: 'Olga Operator', sendCount: 1 });
    const [first] = await mailsTo('boss@resendco.example.com');
    expect(first?.token).toMatch(/^[A-Za-z0-9_-]{40,}$/);

    clock.advance(2 * DAY);
    operator = await t.signIn('olga@staff.example.com', PASSWORD);
    const resent = await inject('POST', `/api/v1/tenants/${tenantId}/invitations/${invitation.id}/resend`, operator);
    expect(resent.statusCode, resent.body).toBe(200);
    const now = clock.now().getTime();
    expect(resent.json()).toMatchObject({ id: invitation.id, email: 'boss@resendco.example.com', role: 'owner', status: 'open', sendCount: 2, invitedByName: 'Olga Operator' });
    expect(new Date(resent.json().expiresAt).getTime()).toBe(now + 7 * DAY);
    expect(new Date(resent.json().lastSentAt).getTime()).toBe(now);

    // A second mail, with another link; the first link no longer works, the new one does.
    const mails = await mailsTo('boss@resendco.example.com');
    expect(mails).toHaveLength(2);
    expect(mails[0]?.token).not.toBe(first?.token);
    expect(mails[0]?.text).toContain('replaces the one sent before');
    expect((await inject('POST', '/api/v1/invitations/preview', {}, { token: first?.token })).statusCode).toBe(404);
    expect((await inject('POST', '/api/v1/invitations/accept', {}, { token: first?.token, password: PASSWORD })).statusCode).toBe(404);
    expect((await inject('POST', '/api/v1/invitations/preview', {}, { token: mails[0]?.token })).json()).toMatchObject({ tenantId, role: 'owner' });

    // Audited on the tenant's chain, naming the operator.
    const audit = await db.query("select actor_id, tenant_id, before, after from kernel.audit_entries where action = 'identity.invitation.resent' and target_id = $1", [invitation.id]);
    expect(audit.rows).toEqual([
      {
        actor_id: operatorId,
        tenant_id: tenantId,
        before: { status: 'open', expiresAt: invitation.expiresAt },
        after: { email: 'boss@resendco.example.com', role: 'owner', expiresAt: resent.json().expiresAt, sendCount: 2 },
      },
    ]);

    // The new link makes its holder the owner.
    expect((await inject('POST', '/api/v1/invitations/accept', {}, { token: mails[0]?.token, password: PASSWORD })).statusCode).toBe(200);
    const members = (await inject('GET', `/api/v1/tenants/${tenantId}/members`, operator)).json().data;
    expect(members).toEqual([expect.objectContaining({ email: 'boss@resendco.example.com', name: null, role: 'owner' })]);
  });

  it('gives an expired invitation a new week, and refuses accepted, revoked and unknown ones, changing nothing', async () => {
    const tenantId = await createTenant('Lateco', 'ops@lateco.example.com');
    await firstInvitation(tenantId, 'ops@lateco.example.com');
    const invited = (await inject('POST', `/api/v1/tenants/${tenantId}/invitations`, operator, { email: 'slow@lateco.example.com', role: 'developer' })).json();
    clock.advance(8 * DAY);
    operator = await t.signIn('olga@staff.example.com', PASSWORD);
    const list = (await inject('GET', `/api/v1/tenants/${tenantId}/invitations`, operator)).json().data;
    expect(list.find((i: { id: string }) => i.id === invited.id).status).toBe('expired');
    const resent = await inject('POST', `/api/v1/tenants/${tenantId}/invitations/${invited.id}/resend`, operator);
    expect(resent.statusCode, resent.body).toBe(200);
    expect(resent.json()).toMatchObject({ status: 'open', sendCount: 2 });
    expect(new Date(resent.json().expiresAt).getTime()).toBe(clock.now().getTime() + 7 * DAY);

    // Revoked: stays revoked, nothing mailed.
    expect((await inject('DELETE', `/api/v1/tenants/${tenantId}/invitations/${invited.id}`, operator)).statusCode).toBe(204);
    const before = await invitationRow(invited.id);
    const refused = await inject('POST', `/api/v1/tenants/${tenantId}/invitations/${invited.id}/resend`, operator);
    expect(refused.statusCode).toBe(409);
    expect(problemOf(refused)).toMatchObject({ code: 'PLAT_CONFLICT' });
    expect(problemOf(refused).detail).toContain('revoked');
    expect(await invitationRow(invited.id)).toEqual(before);
    expect(await mailsTo('slow@lateco.example.com')).toHaveLength(2);

    // Accepted: the person is a member; no new link for them.
    const owner = (await inject('GET', `/api/v1/tenants/${tenantId}/invitations`, operator)).json().data.find((i: { email: string }) => i.email === 'ops@lateco.example.com');
    expect((await inject('POST', `/api/v1/tenants/${tenantId}/invitations/${owner.id}/resend`, operator)).statusCode).toBe(200); // it had expired too
    expect((await inject('POST', '/api/v1/invitations/accept', {}, { token: (await mailsTo('ops@lateco.example.com'))[0]?.token, password: PASSWORD })).statusCode).toBe(200);
    const accepted = await inject('POST', `/api/v1/tenants/${tenantId}/invitations/${owner.id}/resend`, operator);
    expect(accepted.statusCode).toBe(409);
    expect(problemOf(accepted).detail).toContain('accepted');

    const unknown = await inject('POST', `/api/v1/tenants/${tenantId}/invitations/ivt_01jaaaaaaaaaaaaaaaaaaaaaaa/resend`, operator);
    expect(unknown.statusCode).toBe(404);
    expect(problemOf(unknown).code).toBe('PLAT_NOT_FOUND');
    const malformed = await inject('POST', `/api/v1/tenants/${tenantId}/invitations/not-an-id/resend`, operator);
    expect(malformed.statusCode).toBe(400);
    expect(problemOf(malformed).code).toBe('PLAT_VALIDATION_FAILED');
  });

  it('is the tenant’s owner’s to do as well, and never a customer of another tenant’s or a plain member’s', async () => {
    const tenantId = await createTenant('Guardedco', 'ops@guardedco.example.com');
    const invitation = await firstInvitation(tenantId, 'ops@guardedco.example.com');
    const otherTenant = await createTenant('Otherco', 'ops@otherco.example.com');
    const stranger = await person('owner@otherco.example.com', [[otherTenant, 'owner']]);
    const member = await person('plain@guardedco.example.com', [[tenantId, 'member']]);
    const owner = await person('owner@guardedco.example.com', [[tenantId, 'owner']]);
    const before = await invitationRow(invitation.id);
    for (const who of [stranger.headers, member.headers]) {
      const refused = await inject('POST', `/api/v1/tenants/${tenantId}/invitations/${invitation.id}/resend`, who);
      expect(refused.statusCode).toBe(403);
      expect(problemOf(refused).code).toBe('PLAT_FORBIDDEN');
    }
    expect(await invitationRow(invitation.id)).toEqual(before);
    expect(await mailsTo('ops@guardedco.example.com')).toHaveLength(1);
    // Through their own tenant's path, the stranger reaches nothing of this invitation either.
    expect((await inject('POST', `/api/v1/tenants/${otherTenant}/invitations/${invitation.id}/resend`, stranger.headers)).statusCode).toBe(404);

    const byOwner = await inject('POST', `/api/v1/tenants/${tenantId}/invitations/${invitation.id}/resend`, owner.headers);
    expect(byOwner.statusCode, byOwner.body).toBe(200);
    expect(await mailsTo('ops@guardedco.example.com')).toHaveLength(2);
  });
});

describe('an operator managing a tenant’s members', () => {
  it('lists members with their names and changes a role, audited, applying at once', async () => {
    const tenantId = await createTenant('Rolesco', 'ops@rolesco.example.com');
    const owner = await person('owner@rolesco.example.com', [[tenantId, 'owner']], 'Oona Owner');
    const dev = await person('dev@rolesco.example.com', [[tenantId, 'developer']], 'Dev Eloper');
    const listed = (await inject('GET', `/api/v1/tenants/${tenantId}/members`, operator)).json().data;
    expect(listed).toEqual([
      expect.objectContaining({ userId: owner.id, email: 'owner@rolesco.example.com', name: 'Oona Owner', role: 'owner' }),
      expect.objectContaining({ userId: dev.id, email: 'dev@rolesco.example.com', name: 'Dev Eloper', role: 'developer' }),
    ]);
    expect((await inject('GET', `/api/v1/tenants/${tenantId}/members`, dev.headers)).statusCode).toBe(403);

    const changed = await inject('PUT', `/api/v1/tenants/${tenantId}/members/${dev.id}`, operator, { role: 'admin' });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toMatchObject({ userId: dev.id, name: 'Dev Eloper', role: 'admin' });
    // The new role applies from the member's next request.
    expect((await inject('GET', `/api/v1/tenants/${tenantId}/members`, dev.headers)).statusCode).toBe(200);
    const audit = await db.query("select actor_id, before, after from kernel.audit_entries where action = 'identity.member.role_changed' and target_id = $1 and tenant_id = $2", [dev.id, tenantId]);
    expect(audit.rows).toEqual([{ actor_id: operatorId, before: { role: 'developer' }, after: { role: 'admin' } }]);

    const unknownRole = await inject('PUT', `/api/v1/tenants/${tenantId}/members/${dev.id}`, operator, { role: 'role_01jaaaaaaaaaaaaaaaaaaaaaaa' });
    expect(unknownRole.statusCode).toBe(400);
    expect(problemOf(unknownRole).errors?.[0]?.pointer).toBe('/role');
  });

  it('never demotes or removes the last owner', async () => {
    const tenantId = await createTenant('Lastco', 'ops@lastco.example.com');
    const owner = await person('owner@lastco.example.com', [[tenantId, 'owner']]);
    for (const [method, payload] of [
      ['PUT', { role: 'admin' }],
      ['DELETE', undefined],
    ] as const) {
      const refused = await inject(method, `/api/v1/tenants/${tenantId}/members/${owner.id}`, operator, payload);
      expect(refused.statusCode).toBe(409);
      expect(problemOf(refused).code).toBe('PLAT_CONFLICT');
    }
    expect((await inject('GET', `/api/v1/tenants/${tenantId}/members`, operator)).json().data).toEqual([expect.objectContaining({ userId: owner.id, role: 'owner' })]);
  });

  it('keeps an owner when two owners demote each other at the same moment', async () => {
    // Several rounds: without the owners' rows locked while counting, the two checks interleave.
    for (let round = 0; round < 5; round++) {
      const tenantId = await createTenant(`Race${round}`, `ops@race${round}.example.com`);
      const a = await person(`a@race${round}.example.com`, [[tenantId, 'owner']]);
      const b = await person(`b@race${round}.example.com`, [[tenantId, 'owner']]);
      const answers = await Promise.all([
        inject('PUT', `/api/v1/tenants/${tenantId}/members/${b.id}`, a.headers, { role: 'member' }),
        inject('PUT', `/api/v1/tenants/${tenantId}/members/${a.id}`, b.headers, { role: 'member' }),
      ]);
      const owners = (await db.query("select user_id from identity.memberships where tenant_id = $1 and role = 'owner'", [tenantId])).rows;
      expect(owners, `round ${round}`).toHaveLength(1);
      // One demotion wins. The other is refused: as a conflict (a would be left without an owner)
      // when both were authorized before either committed, or as forbidden when the loser's
      // request was authorized after the winner's commit had already made it a plain member.
      const statuses = answers.map((answer) => answer.statusCode).sort();
      expect([[200, 403], [200, 409]], `round ${round}: ${statuses.join(', ')}`).toContainEqual(statuses);
    }
  });
});
