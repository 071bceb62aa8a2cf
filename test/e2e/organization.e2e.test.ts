// Tenant administration in the customer portal, in a real browser against a real platform: an owner
// invites someone, changes a member's role, writes a custom role with the policy editor (fixing an
// inline error first), tests the draft and gives it to a member, adds an existing account and
// removes a member (whose session ends at once); creates a service API key whose secret the page
// shows once, uses it from this script, revokes it in the page and sees the very next call refused;
// registers an OAuth client whose secret works at the token endpoint. A plain member sees no
// Organisation menu, gets the no-access page at every organisation address, and the API refuses
// the same calls from their browser. People are signed in by their session cookie (the sign-in page
// is tested elsewhere). The page is read as assistive technology reads it: landmarks, tables,
// forms and fields by their names, notices as statuses and problems as alerts.
import type { AddressInfo } from 'node:net';
import * as oauth from 'openid-client';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, startTestPlatform, type SignedInHeaders, type TestPlatform } from '../support/platform.js';
import { discoverOAuth } from '../support/oauth.js';
import { registerSecret } from '../support/suite-log.js';
import { systemContext } from '../../src/kernel/context.js';
import { WEB_DIST, assertWebAppsBuilt, cellUnder, definitionOf, launchChromium, rowWithCell, tableNamed, watchConsole } from './browser.js';

const PASSWORD = 'organisation test passphrase';
const SCREENSHOTS = '/tmp/organization';

let t: TestPlatform;
let browser: Browser;
let baseUrl: string;
let staff: SignedInHeaders;
let tenantId: string;
let owner: SignedInHeaders;

async function api(method: string, url: string, headers: Record<string, string>, payload?: object) {
  return t.platform.app.inject({ method: method as 'GET', url, headers, ...(payload ? { payload } : {}) });
}

async function person(email: string, role: string): Promise<{ id: string; headers: SignedInHeaders }> {
  const user = await t.platform.identity.service.createUser({ email, password: PASSWORD }, systemContext('test'));
  await addMember(t.platform, tenantId, email, role);
  return { id: user.id, headers: await t.signIn(email, PASSWORD) };
}

async function openAs(headers: SignedInHeaders, path: string): Promise<{ context: BrowserContext; page: Page; consoleProblems: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const [name, value] = headers.cookie.split('=') as [string, string];
  await context.addCookies([{ name, value, url: baseUrl, httpOnly: true, sameSite: 'Strict' }]);
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const consoleProblems = watchConsole(page);
  await page.goto(`${baseUrl}${path}`);
  return { context, page, consoleProblems };
}

const mainNav = (page: Page) => page.getByRole('navigation', { name: 'Main' });
const subNav = (page: Page) => page.getByRole('navigation', { name: 'Organisation' });
const noAccess = (page: Page) => page.getByRole('region', { name: 'You do not have access to this page' });
/** The notice a change leaves above the page, announced as a status. */
const notice = (page: Page, text: string) => page.getByRole('status').filter({ hasText: text });
/** The secret a one-time reveal shows. */
const secretIn = async (reveal: Locator) => ((await reveal.getByRole('group', { name: 'Secret' }).getByRole('code').textContent()) ?? '').trim();

async function roleOf(userId: string): Promise<string | undefined> {
  const members = (await api('GET', `/api/v1/tenants/${tenantId}/members`, staff)).json().data as { userId: string; role: string }[];
  return members.find((m) => m.userId === userId)?.role;
}

beforeAll(async () => {
  assertWebAppsBuilt();
  t = await startTestPlatform({ start: true, env: { PLATFORMA_WEB_DIST: WEB_DIST } });
  baseUrl = `http://127.0.0.1:${(t.platform.app.server.address() as AddressInfo).port}`;
  browser = await launchChromium();
  staff = await t.signIn();
  const tenant = await api('POST', '/api/v1/tenants', staff, { organizationName: 'Orchard', domain: 'orchard.example.com', adminEmail: 'ops@orchard.example.com' });
  tenantId = tenant.json().id;
  owner = (await person('olga@orchard.example.com', 'owner')).headers;
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe('the organisation pages for a tenant owner', () => {
  it('invites someone, changes a member’s role, writes a custom role in the policy editor and gives it to a member', { timeout: 120_000 }, async () => {
    const mark = await person('mark@orchard.example.com', 'member');
    const { context, page, consoleProblems } = await openAs(owner, '/portal/organization');
    try {
      const members = tableNamed(page, 'Members');
      await members.waitFor();
      expect(await mainNav(page).getByRole('link').allTextContents()).toEqual(['Products', 'Cart', 'Orders', 'Invoices', 'Organisation', 'Account']);
      expect(await subNav(page).getByRole('link').allTextContents()).toEqual(['Members', 'Invitations', 'Roles', 'API keys', 'OAuth clients', 'Single sign-on']);
      const markRow = rowWithCell(members, 'mark@orchard.example.com');
      await markRow.waitFor();
      const markRole = markRow.getByRole('combobox', { name: 'Role of mark@orchard.example.com' });

      // Invite: a malformed address is refused next to the field, then a right one is sent.
      await subNav(page).getByRole('link', { name: 'Invitations' }).click();
      const inviteForm = page.getByRole('form', { name: 'Invite someone' });
      const inviteEmail = inviteForm.getByLabel('Email', { exact: true });
      await inviteEmail.fill('not-an-address');
      await inviteForm.getByRole('button', { name: 'Send invitation' }).click();
      await inviteForm.getByRole('alert').waitFor();
      expect(await inviteEmail.getAttribute('aria-invalid')).toBe('true');
      await inviteEmail.fill('nina@orchard.example.com');
      await inviteForm.getByLabel('Role', { exact: true }).selectOption('developer');
      await inviteForm.getByRole('button', { name: 'Send invitation' }).click();
      await notice(page, 'is on its way to nina@orchard.example.com').waitFor();
      const invitationsTable = tableNamed(page, 'Invitations');
      const invitation = rowWithCell(invitationsTable, 'nina@orchard.example.com');
      expect(await cellUnder(invitation, 'Status').textContent()).toBe('open');
      // Beside the invitation the tenant's creation sent its administrator, to own it.
      const invitations = (await api('GET', `/api/v1/tenants/${tenantId}/invitations`, staff)).json().data as { email: string }[];
      expect(invitations.filter((sent) => sent.email === 'nina@orchard.example.com')).toMatchObject([{ email: 'nina@orchard.example.com', role: 'developer', status: 'open' }]);

      // Change Mark's role to billing.
      await subNav(page).getByRole('link', { name: 'Members' }).click();
      await markRole.selectOption('billing');
      await markRow.getByRole('button', { name: 'Change role' }).click();
      await notice(page, 'mark@orchard.example.com now has the role').waitFor();
      expect(await roleOf(mark.id)).toBe('billing');

      // A custom role with two statements; the second first names another tenant (refused inline).
      await subNav(page).getByRole('link', { name: 'Roles' }).click();
      await rowWithCell(tableNamed(page, 'Built-in roles'), 'owner').waitFor();
      await page.getByRole('link', { name: 'New role' }).click();
      const editor = page.getByRole('form', { name: 'New custom role' });
      // Each statement is a group named by its heading; its entries are named by their list and number.
      const statement = (n: number) => editor.getByRole('group', { name: `Statement ${n}`, exact: true });
      await editor.getByLabel('Name', { exact: true }).fill('Support desk');
      await editor.getByLabel('Description').fill('Sees the people; may not remove anyone');
      await statement(1).getByLabel('Actions 1', { exact: true }).fill('identity:member.*');
      await statement(1).getByRole('button', { name: 'Add action' }).click();
      await statement(1).getByLabel('Actions 2', { exact: true }).fill('identity:invitation.list');
      await editor.getByRole('button', { name: 'Add statement' }).click();
      await statement(2).getByLabel('Effect').selectOption('deny');
      await statement(2).getByLabel('Actions 1', { exact: true }).fill('identity:member.delete');
      const otherTenantsResource = statement(2).getByLabel('Resources 1', { exact: true });
      await otherTenantsResource.fill('prn:ten_someoneelse:member/*');
      await editor.getByRole('button', { name: 'Create role' }).click();
      // Refused at the entry it concerns: the alert in the second statement, that entry marked invalid, nothing in the first.
      const resourceError = statement(2).getByRole('alert');
      await resourceError.waitFor();
      expect(await resourceError.textContent()).toContain(tenantId);
      expect(await otherTenantsResource.getAttribute('aria-invalid')).toBe('true');
      expect(await statement(1).getByRole('alert').count()).toBe(0);
      await otherTenantsResource.fill('prn:${tenant}:member/*');
      // Test the draft before saving it: the deny wins for removing people, listing them is allowed.
      const tester = page.getByRole('region', { name: 'Test this policy' });
      const decision = tester.getByRole('status');
      await tester.getByLabel('Action', { exact: true }).fill('identity:member.delete');
      await tester.getByLabel('Resource', { exact: true }).fill(`prn:${tenantId}:member/${mark.id}`);
      await tester.getByRole('button', { name: 'Test', exact: true }).click();
      await decision.filter({ hasText: /^Denied/ }).waitFor();
      expect(await decision.textContent()).toContain('#2 denies it');
      await tester.getByLabel('Action', { exact: true }).fill('identity:member.list');
      await tester.getByRole('button', { name: 'Test', exact: true }).click();
      await decision.filter({ hasText: /^Allowed/ }).waitFor();
      await page.screenshot({ path: `${SCREENSHOTS}-role-editor.png`, fullPage: true });
      await editor.getByRole('button', { name: 'Create role' }).click();
      await notice(page, 'The role Support desk is created').waitFor();
      const row = tableNamed(page, 'Custom roles').getByRole('row').filter({ hasText: 'Support desk' });
      expect(await row.getByRole('list').textContent()).toContain('identity:member.delete');
      const roles = (await api('GET', `/api/v1/tenants/${tenantId}/roles`, staff)).json().data as { id: string; name: string; statements: unknown[] }[];
      const supportDesk = roles.find((r) => r.name === 'Support desk');
      expect(supportDesk?.statements).toEqual([
        { effect: 'allow', actions: ['identity:member.*', 'identity:invitation.list'], resources: ['prn:${tenant}:*/*'] },
        { effect: 'deny', actions: ['identity:member.delete'], resources: ['prn:${tenant}:member/*'] },
      ]);

      // Give it to Mark; from his next request he may list members but not remove them.
      await subNav(page).getByRole('link', { name: 'Members' }).click();
      await markRole.selectOption({ label: 'Support desk (custom)' });
      await markRow.getByRole('button', { name: 'Change role' }).click();
      await notice(page, 'mark@orchard.example.com now has the role Support desk').waitFor();
      expect(await roleOf(mark.id)).toBe(supportDesk?.id);
      await page.screenshot({ path: `${SCREENSHOTS}-members.png`, fullPage: true });
      const permissions = (await api('GET', '/api/v1/me/permissions?action=identity:member.list&action=identity:member.delete', mark.headers)).json().data;
      expect(permissions.map((p: { allowed: boolean }) => p.allowed)).toEqual([true, false]);

      // Nobody is added without their consent: the page offers no way to attach an existing account
      // (no form, nowhere to type an address).
      expect(await page.getByRole('main').getByRole('form').count()).toBe(0);
      expect(await page.getByRole('main').getByRole('textbox').count()).toBe(0);
      // Remove Mark: confirmed first, and his session ends at once.
      await markRow.getByRole('button', { name: 'Remove', exact: true }).click();
      await page.getByRole('dialog').waitFor();
      expect(await page.getByRole('dialog').textContent()).toContain('every session they have in it ends now');
      await page.getByRole('dialog').getByRole('button', { name: 'Remove member', exact: true }).click();
      await markRow.waitFor({ state: 'detached' });
      expect((await api('GET', `/api/v1/tenants/${tenantId}`, mark.headers)).statusCode).toBe(401);
      expect(consoleProblems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('creates a service API key whose secret is shown once and works, and revokes it so the very next call is refused', { timeout: 90_000 }, async () => {
    const { context, page, consoleProblems } = await openAs(owner, '/portal/organization/api-keys');
    try {
      const keys = tableNamed(page, 'Service API keys');
      await keys.waitFor();
      const form = page.getByRole('form', { name: 'Create a service API key' });
      await form.getByLabel('Name', { exact: true }).fill('Nightly export');
      await form.getByLabel('Scopes').fill('tenants:tenant.read');
      await form.getByRole('button', { name: 'Create key' }).click();
      const reveal = page.getByRole('region', { name: 'Your new key “Nightly export”' });
      await reveal.waitFor();
      const secret = await secretIn(reveal);
      registerSecret('API key', secret);
      expect(secret).toMatch(/^pk_[0-9a-z]{8}_[A-Za-z0-9_-]{43}$/);
      await page.screenshot({ path: `${SCREENSHOTS}-api-key-secret.png`, fullPage: true });

      const call = () => fetch(`${baseUrl}/api/v1/tenants/${tenantId}`, { headers: { authorization: `Bearer ${secret}` } });
      const first = await call();
      expect(first.status).toBe(200);
      expect(((await first.json()) as { id: string }).id).toBe(tenantId);

      // Once stored, the secret is gone from the page; the list shows only its prefix.
      await reveal.getByRole('button', { name: 'I have stored it' }).click();
      await reveal.waitFor({ state: 'detached' });
      expect(await page.content()).not.toContain(secret);
      const row = rowWithCell(keys, 'Nightly export');
      const prefix = ((await cellUnder(row, 'Key').textContent()) ?? '').replace('…', '');
      expect(prefix).not.toBe('');
      expect(secret.startsWith(prefix)).toBe(true);

      await row.getByRole('button', { name: 'Revoke', exact: true }).click();
      await page.getByRole('dialog').waitFor();
      await page.getByRole('dialog').getByRole('button', { name: 'Revoke key', exact: true }).click();
      await notice(page, 'The key Nightly export').waitFor();
      expect((await call()).status).toBe(401);
      await row.waitFor({ state: 'detached' });
      expect(consoleProblems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('registers an OAuth client and shows its secret once, with the issuer, and the secret gets a token', { timeout: 90_000 }, async () => {
    const { context, page, consoleProblems } = await openAs(owner, '/portal/organization/oauth-clients');
    try {
      const clients = tableNamed(page, 'OAuth clients');
      await clients.waitFor();
      // An authorization-code client without a redirect URI is refused next to the field.
      const form = page.getByRole('form', { name: 'Register an OAuth client' });
      await form.getByLabel('Name', { exact: true }).fill('Reporting');
      await form.getByLabel('Grant type').selectOption('authorization_code');
      await form.getByRole('button', { name: 'Register client' }).click();
      await form.getByRole('alert').waitFor();
      expect(await form.getByLabel('Redirect URIs').getAttribute('aria-invalid')).toBe('true');
      await form.getByLabel('Grant type').selectOption('client_credentials');
      await form.getByLabel('Scopes').fill('tenants:read');
      await form.getByRole('button', { name: 'Register client' }).click();
      const reveal = page.getByRole('region', { name: 'Client secret of “Reporting”' });
      await reveal.waitFor();
      const clientSecret = await secretIn(reveal);
      registerSecret('OAuth client secret', clientSecret);
      const clientId = ((await definitionOf(reveal, 'Client id').textContent()) ?? '').trim();
      const issuer = ((await definitionOf(reveal, 'Issuer').textContent()) ?? '').trim();
      const listed = (await api('GET', `/api/v1/tenants/${tenantId}/oauth-clients`, staff)).json().data as { clientId: string; issuer: string; grantType: string }[];
      expect(listed).toMatchObject([{ clientId, issuer, grantType: 'client_credentials' }]);

      const config = await discoverOAuth(t.platform.app, issuer, clientId, clientSecret);
      const token = (await oauth.clientCredentialsGrant(config, { scope: 'tenants:read' })).access_token;
      registerSecret('OAuth token', token);
      expect((await fetch(`${baseUrl}/api/v1/tenants/${tenantId}`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);

      await reveal.getByRole('button', { name: 'I have stored it' }).click();
      await reveal.waitFor({ state: 'detached' });
      expect(await page.content()).not.toContain(clientSecret);
      await rowWithCell(clients, 'Reporting').waitFor();
      expect(consoleProblems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe('changing and deleting what exists', () => {
  it('edits a custom role, refuses to delete one still held, deletes it once free, and deletes an OAuth client after confirming', { timeout: 90_000 }, async () => {
    const role = await api('POST', `/api/v1/tenants/${tenantId}/roles`, staff, {
      name: 'Auditor',
      statements: [{ effect: 'allow', actions: ['tenants:audit-event.list'], resources: ['prn:${tenant}:*/*'] }],
    });
    const roleId = role.json().id as string;
    const holder = await person('hal@orchard.example.com', roleId);
    const client = await api('POST', `/api/v1/tenants/${tenantId}/oauth-clients`, staff, { name: 'Old sync job' });
    registerSecret('OAuth client secret', client.json().clientSecret);
    const { context, page, consoleProblems } = await openAs(owner, '/portal/organization/roles');
    try {
      const row = tableNamed(page, 'Custom roles').getByRole('row').filter({ hasText: 'Auditor' });
      await row.getByRole('link', { name: 'Edit', exact: true }).click();
      const editor = page.getByRole('form', { name: 'Edit Auditor' });
      await editor.waitFor();
      expect(await editor.getByLabel('Name', { exact: true }).inputValue()).toBe('Auditor');
      const statement = editor.getByRole('group', { name: 'Statement 1', exact: true });
      await statement.getByRole('button', { name: 'Add action' }).click();
      await statement.getByLabel('Actions 2', { exact: true }).fill('tenants:tenant.read');
      await statement.getByLabel('Multi-factor authentication').selectOption('true');
      await editor.getByRole('button', { name: 'Save role' }).click();
      await notice(page, 'The role Auditor is saved').waitFor();
      const saved = ((await api('GET', `/api/v1/tenants/${tenantId}/roles`, staff)).json().data as { id: string; statements: unknown[] }[]).find((r) => r.id === roleId);
      expect(saved?.statements).toEqual([{ effect: 'allow', actions: ['tenants:audit-event.list', 'tenants:tenant.read'], resources: ['prn:${tenant}:*/*'], conditions: { mfa: true } }]);

      // Hal still has it: the server refuses, and the dialog says why.
      await row.getByRole('button', { name: 'Delete', exact: true }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Delete role', exact: true }).click();
      await page.getByRole('dialog').getByRole('alert').waitFor();
      expect(await page.getByRole('dialog').getByRole('alert').textContent()).toContain('still have this role');
      await page.getByRole('dialog').getByRole('button', { name: 'Cancel', exact: true }).click();
      expect((await api('PUT', `/api/v1/tenants/${tenantId}/members/${holder.id}`, staff, { role: 'member' })).statusCode).toBe(200);
      await row.getByRole('button', { name: 'Delete', exact: true }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Delete role', exact: true }).click();
      await row.waitFor({ state: 'detached' });
      expect(((await api('GET', `/api/v1/tenants/${tenantId}/roles`, staff)).json().data as { id: string }[]).some((r) => r.id === roleId)).toBe(false);

      await subNav(page).getByRole('link', { name: 'OAuth clients' }).click();
      const clientRow = rowWithCell(tableNamed(page, 'OAuth clients'), 'Old sync job');
      await clientRow.getByRole('button', { name: 'Delete', exact: true }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Delete client', exact: true }).click();
      await clientRow.waitFor({ state: 'detached' });
      const remaining = (await api('GET', `/api/v1/tenants/${tenantId}/oauth-clients`, staff)).json().data as { clientId: string }[];
      expect(remaining.some((c) => c.clientId === client.json().clientId)).toBe(false);
      expect(consoleProblems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe('the organisation pages for people without tenant administration', () => {
  it('hide the menu from a member, answer every organisation address with the no-access page, and the API refuses the same calls', { timeout: 90_000 }, async () => {
    const mick = await person('mick@orchard.example.com', 'member');
    const { context, page, consoleProblems } = await openAs(mick.headers, '/portal/organization/members');
    try {
      await noAccess(page).waitFor();
      await page.screenshot({ path: `${SCREENSHOTS}-no-access.png` });
      expect(await mainNav(page).getByRole('link').allTextContents()).toEqual(['Products', 'Cart', 'Orders', 'Invoices', 'Account']);
      expect(await tableNamed(page, 'Members').count()).toBe(0);
      for (const path of ['roles', 'api-keys', 'sso', 'invitations', 'oauth-clients']) {
        await page.goto(`${baseUrl}/portal/organization/${path}`);
        await noAccess(page).waitFor();
        expect(await subNav(page).count(), path).toBe(0);
      }
      // The same session, from the page: the API refuses it too.
      const statuses = await page.evaluate(async (tenant) => {
        const paths = ['members', 'roles', 'invitations', 'api-keys', 'oauth-clients', 'identity-providers'];
        return Promise.all(paths.map(async (path) => [path, (await fetch(`/api/v1/tenants/${tenant}/${path}`)).status] as const));
      }, tenantId);
      for (const [path, status] of statuses) expect([403, 404], `${path}: ${status}`).toContain(status);
      expect(Object.fromEntries(statuses)).toMatchObject({ members: 403, roles: 403, invitations: 403, 'api-keys': 403, 'oauth-clients': 403 });
      expect(consoleProblems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('show a developer only API keys and OAuth clients, as their role allows', { timeout: 60_000 }, async () => {
    const dev = await person('dev@orchard.example.com', 'developer');
    const { context, page, consoleProblems } = await openAs(dev.headers, '/portal/organization');
    try {
      await tableNamed(page, 'Service API keys').waitFor();
      expect(await subNav(page).getByRole('link').allTextContents()).toEqual(['API keys', 'OAuth clients']);
      await page.goto(`${baseUrl}/portal/organization/members`);
      await noAccess(page).waitFor();
      expect(consoleProblems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
