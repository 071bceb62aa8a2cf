// A tenant's members and invitations on its page in the admin console, in a real browser against a
// real platform, as an operator (a staff member with the operator role) uses them: the owner
// invited at the tenant's creation waits in the pending invitations and is sent a new link; another
// person is invited and that invitation revoked; a member's role is changed; demoting the last
// owner is refused on the page. Each step is checked in the page and then in the API and database.
// The page is read by roles and names: the section, its tables and form, each cell under its column.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { systemContext } from '../../src/kernel/context.js';
import { addMember } from '../support/platform.js';
import { browserSuite, cellUnder, pageWithSession, rowWithCell, tableNamed } from './browser.js';

const suite = browserSuite();
const PASSWORD = 'tenant members passphrase';

describe('a tenant’s members and invitations in the admin console', () => {
  it('lets an operator resend the owner’s invitation, invite and revoke, and change a member’s role', { timeout: 120_000 }, async () => {
    const { t, browser, base } = suite;
    const inject = (method: string, url: string, headers: Record<string, string>, payload?: object) => t.platform.app.inject({ method: method as 'GET', url, headers, ...(payload ? { payload } : {}) });
    const db = new pg.Client({ connectionString: t.database.ownerUrl });
    await db.connect();
    const mailsTo = async (email: string) =>
      (await db.query<{ text: string }>("select text from notifications.outgoing_mail where \"to\" = $1 and purpose = 'identity.invitation' order by created_at desc, id desc", [email])).rows.map(
        (row) => /#token=([A-Za-z0-9_-]+)/.exec(row.text)?.[1] ?? '',
      );

    await t.signIn(); // the first platform-admin
    await t.platform.identity.service.createUser({ email: 'otto@staff.example.com', password: PASSWORD, platformRole: 'operator' }, systemContext('test'));
    const operator = await t.signIn('otto@staff.example.com', PASSWORD);
    expect((await inject('PATCH', '/api/v1/me', operator, { displayName: 'Otto Operator' })).statusCode).toBe(200);

    const created = await inject('POST', '/api/v1/tenants', operator, { organizationName: 'Harbour', domain: 'harbour.example.com', adminEmail: 'captain@harbour.example.com' });
    expect(created.statusCode, created.body).toBe(201);
    const tenantId = created.json().id as string;
    // The tenant's creation invites its administrator to own it (delivered by the workers).
    await expect.poll(async () => (await mailsTo('captain@harbour.example.com')).length, { timeout: 30_000, interval: 200 }).toBe(1);
    const [firstToken] = await mailsTo('captain@harbour.example.com');
    await t.platform.identity.service.createUser({ email: 'deckhand@harbour.example.com', password: PASSWORD }, systemContext('test'));
    await addMember(t.platform, tenantId, 'deckhand@harbour.example.com', 'developer');
    await t.platform.identity.service.createUser({ email: 'owner@harbour.example.com', password: PASSWORD }, systemContext('test'));
    await addMember(t.platform, tenantId, 'owner@harbour.example.com', 'owner');
    const deckhand = await t.signIn('deckhand@harbour.example.com', PASSWORD);
    expect((await inject('PATCH', '/api/v1/me', deckhand, { displayName: 'Dana Deckhand' })).statusCode).toBe(200);
    const memberRole = async (email: string) =>
      ((await inject('GET', `/api/v1/tenants/${tenantId}/members`, operator)).json().data as { email: string; role: string }[]).find((m) => m.email === email)?.role;
    const invitationsOf = async () => (await inject('GET', `/api/v1/tenants/${tenantId}/invitations`, operator)).json().data as { id: string; email: string; role: string; status: string; sendCount: number }[];

    const { context, page, consoleProblems } = await pageWithSession(browser, base, operator);
    try {
      await page.goto(`${base}/admin/tenants/${tenantId}`);
      const section = page.getByRole('region', { name: 'Members and invitations' });
      await section.waitFor();
      const members = tableNamed(section, 'Members');
      const invitations = tableNamed(section, 'Pending invitations');
      /** The section's notice after a change, announced as a status. */
      const notice = section.getByRole('status');

      // The members, with their names.
      const deckhandRow = rowWithCell(members, 'deckhand@harbour.example.com');
      await deckhandRow.waitFor();
      expect(await cellUnder(deckhandRow, 'Name').textContent()).toBe('Dana Deckhand');
      const deckhandRole = deckhandRow.getByRole('combobox', { name: 'Role of deckhand@harbour.example.com' });
      expect(await deckhandRole.inputValue()).toBe('developer');

      // The owner invited at creation waits among the pending invitations, sent by this operator.
      const captain = rowWithCell(invitations, 'captain@harbour.example.com');
      await captain.waitFor();
      expect(await cellUnder(captain, 'Role').textContent()).toBe('owner');
      expect(await cellUnder(captain, 'Status').textContent()).toBe('open');
      expect(await cellUnder(captain, 'Invited by').textContent()).toBe('Otto Operator');
      const expiresBefore = await cellUnder(captain, 'Expires').textContent();
      expect(expiresBefore).not.toBe('');

      // Resend: a new mail with a new link; the first link stops working.
      await captain.getByRole('button', { name: 'Resend', exact: true }).click();
      await notice.filter({ hasText: 'captain@harbour.example.com' }).waitFor();
      expect(await notice.textContent()).toContain('no longer works');
      await cellUnder(captain, 'Last sent').filter({ hasText: '2 times' }).waitFor();
      const tokens = await mailsTo('captain@harbour.example.com');
      expect(tokens).toHaveLength(2);
      expect(tokens[0]).not.toBe(firstToken);
      expect((await inject('POST', '/api/v1/invitations/preview', {}, { token: firstToken })).statusCode).toBe(404);
      expect((await inject('POST', '/api/v1/invitations/preview', {}, { token: tokens[0] })).json()).toMatchObject({ tenantId, role: 'owner' });
      expect((await invitationsOf()).find((i) => i.email === 'captain@harbour.example.com')).toMatchObject({ status: 'open', sendCount: 2 });
      await page.getByRole('table', { name: 'Audit trail' }).getByRole('cell', { name: 'identity.invitation.resent' }).waitFor();

      // Invite another person, as billing.
      const inviteForm = section.getByRole('form', { name: 'Invite someone to this tenant' });
      await inviteForm.getByLabel('Email', { exact: true }).fill('purser@harbour.example.com');
      await inviteForm.getByLabel('Role', { exact: true }).selectOption('billing');
      await inviteForm.getByRole('button', { name: 'Send invitation' }).click();
      const purser = rowWithCell(invitations, 'purser@harbour.example.com');
      await purser.waitFor();
      expect(await cellUnder(purser, 'Role').textContent()).toBe('billing');
      expect(await cellUnder(purser, 'Invited by').textContent()).toBe('Otto Operator');
      expect((await invitationsOf()).find((i) => i.email === 'purser@harbour.example.com')).toMatchObject({ role: 'billing', status: 'open' });
      expect(await mailsTo('purser@harbour.example.com')).toHaveLength(1);

      // Revoke it (confirmed first): it leaves the pending list, and its link no longer works.
      await purser.getByRole('button', { name: 'Revoke', exact: true }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Revoke invitation', exact: true }).click();
      await purser.waitFor({ state: 'detached' });
      expect(await notice.textContent()).toContain('purser@harbour.example.com is revoked');
      expect((await invitationsOf()).find((i) => i.email === 'purser@harbour.example.com')?.status).toBe('revoked');
      expect((await inject('POST', '/api/v1/invitations/preview', {}, { token: (await mailsTo('purser@harbour.example.com'))[0] })).statusCode).toBe(404);

      // Change the developer's role to admin.
      await deckhandRole.selectOption('admin');
      await deckhandRow.getByRole('button', { name: 'Change role', exact: true }).click();
      await notice.filter({ hasText: 'deckhand@harbour.example.com now has the role admin' }).waitFor();
      expect(await memberRole('deckhand@harbour.example.com')).toBe('admin');
      const audit = await db.query("select after from kernel.audit_entries where tenant_id = $1 and action = 'identity.member.role_changed'", [tenantId]);
      expect(audit.rows).toEqual([{ after: { role: 'admin' } }]);

      // The last owner cannot be demoted: the page says why, and nothing changes.
      const ownerRow = rowWithCell(members, 'owner@harbour.example.com');
      await ownerRow.getByRole('combobox', { name: 'Role of owner@harbour.example.com' }).selectOption('member');
      await ownerRow.getByRole('button', { name: 'Change role', exact: true }).click();
      // The refusal is an alert in the members' card, where the change was tried.
      await section.getByRole('region', { name: 'Members', exact: true }).getByRole('alert').filter({ hasText: 'at least one owner' }).waitFor();
      expect(await memberRole('owner@harbour.example.com')).toBe('owner');

      await page.screenshot({ path: '/tmp/tenant-members.png', fullPage: true });
      expect(consoleProblems).toEqual([]);
    } finally {
      await context.close();
      await db.end();
    }
  });
});
