// Tenant administration in the customer portal, in a real browser against a real platform: an owner
// invites someone, changes a member's role, writes a custom role with the policy editor (fixing an
// inline error first), tests the draft and gives it to a member, adds an existing account and
// removes a member (whose session ends at once); creates a service API key whose secret the page
// shows once, uses it from this script, revokes it in the page and sees the very next call refused;
// registers an OAuth client whose secret works at the token endpoint. A plain member sees no
// Organisation menu, gets the no-access page at every organisation address, and the API refuses
// the same calls from their browser. People are signed in by their session cookie (the sign-in page
// is tested elsewhere).
import type { AddressInfo } from 'node:net';
import * as oauth from 'openid-client';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, startTestPlatform, type SignedInHeaders, type TestPlatform } from '../support/platform.js';
import { discoverOAuth } from '../support/oauth.js';
import { registerSecret } from '../support/suite-log.js';
import { systemContext } from '../../src/kernel/context.js';
import { WEB_DIST, assertWebAppsBuilt, launchChromium, watchConsole } from './browser.js';

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
      await page.getByTestId('members-page').waitFor();
      expect(await page.locator('.nav-link').allTextContents()).toEqual(['Products', 'Cart', 'Orders', 'Invoices', 'Organisation', 'Account']);
      expect(await page.locator('.subnav-link').allTextContents()).toEqual(['Members', 'Invitations', 'Roles', 'API keys', 'OAuth clients', 'Single sign-on']);
      await page.locator('[data-testid="member-row"][data-email="mark@orchard.example.com"]').waitFor();

      // Invite: a malformed address is refused next to the field, then a right one is sent.
      await page.getByTestId('subnav-invitations').click();
      await page.getByTestId('invite-email').fill('not-an-address');
      await page.getByTestId('invite-submit').click();
      await page.getByTestId('invite-email-error').waitFor();
      await page.getByTestId('invite-email').fill('nina@orchard.example.com');
      await page.getByTestId('invite-role').selectOption('developer');
      await page.getByTestId('invite-submit').click();
      await page.getByTestId('invitations-notice').waitFor();
      const invitation = page.locator('[data-testid="invitation-row"][data-email="nina@orchard.example.com"]');
      expect(await invitation.getByTestId('invitation-status').textContent()).toBe('open');
      // Beside the invitation the tenant's creation sent its administrator, to own it.
      const invitations = (await api('GET', `/api/v1/tenants/${tenantId}/invitations`, staff)).json().data as { email: string }[];
      expect(invitations.filter((sent) => sent.email === 'nina@orchard.example.com')).toMatchObject([{ email: 'nina@orchard.example.com', role: 'developer', status: 'open' }]);

      // Change Mark's role to billing.
      await page.getByTestId('subnav-members').click();
      const markRow = page.locator('[data-testid="member-row"][data-email="mark@orchard.example.com"]');
      await markRow.getByTestId('member-role').selectOption('billing');
      await markRow.getByTestId('member-role-save').click();
      await page.getByTestId('members-notice').waitFor();
      expect(await roleOf(mark.id)).toBe('billing');

      // A custom role with two statements; the second first names another tenant (refused inline).
      await page.getByTestId('subnav-roles').click();
      await page.locator('[data-testid="builtin-role-row"][data-name="owner"]').waitFor();
      await page.getByTestId('new-role').click();
      await page.getByTestId('role-name').fill('Support desk');
      await page.getByTestId('role-description').fill('Sees the people; may not remove anyone');
      await page.getByTestId('statement-0-action-0').fill('identity:member.*');
      await page.getByTestId('statement-0-action-add').click();
      await page.getByTestId('statement-0-action-1').fill('identity:invitation.list');
      await page.getByTestId('add-statement').click();
      await page.getByTestId('statement-1-effect').selectOption('deny');
      await page.getByTestId('statement-1-action-0').fill('identity:member.delete');
      await page.getByTestId('statement-1-resource-0').fill('prn:ten_someoneelse:member/*');
      await page.getByTestId('role-save').click();
      await page.getByTestId('statement-1-resource-0-error').waitFor();
      expect(await page.getByTestId('statement-1-resource-0-error').textContent()).toContain(tenantId);
      expect(await page.getByTestId('statement-0-resource-0-error').count()).toBe(0);
      await page.getByTestId('statement-1-resource-0').fill('prn:${tenant}:member/*');
      // Test the draft before saving it: the deny wins for removing people, listing them is allowed.
      await page.getByTestId('policy-test-action').fill('identity:member.delete');
      await page.getByTestId('policy-test-resource').fill(`prn:${tenantId}:member/${mark.id}`);
      await page.getByTestId('policy-test-submit').click();
      await page.locator('[data-testid="policy-test-result"][data-allowed="false"]').waitFor();
      expect(await page.getByTestId('policy-test-result').textContent()).toContain('#2 denies it');
      await page.getByTestId('policy-test-action').fill('identity:member.list');
      await page.getByTestId('policy-test-submit').click();
      await page.locator('[data-testid="policy-test-result"][data-allowed="true"]').waitFor();
      await page.screenshot({ path: `${SCREENSHOTS}-role-editor.png`, fullPage: true });
      await page.getByTestId('role-save').click();
      await page.getByTestId('roles-notice').waitFor();
      const row = page.locator('[data-testid="custom-role-row"][data-name="Support desk"]');
      expect(await row.getByTestId('custom-role-statements').textContent()).toContain('identity:member.delete');
      const roles = (await api('GET', `/api/v1/tenants/${tenantId}/roles`, staff)).json().data as { id: string; name: string; statements: unknown[] }[];
      const supportDesk = roles.find((r) => r.name === 'Support desk');
      expect(supportDesk?.statements).toEqual([
        { effect: 'allow', actions: ['identity:member.*', 'identity:invitation.list'], resources: ['prn:${tenant}:*/*'] },
        { effect: 'deny', actions: ['identity:member.delete'], resources: ['prn:${tenant}:member/*'] },
      ]);

      // Give it to Mark; from his next request he may list members but not remove them.
      await page.getByTestId('subnav-members').click();
      await markRow.getByTestId('member-role').selectOption({ label: 'Support desk (custom)' });
      await markRow.getByTestId('member-role-save').click();
      await page.getByTestId('members-notice').waitFor();
      expect(await roleOf(mark.id)).toBe(supportDesk?.id);
      await page.screenshot({ path: `${SCREENSHOTS}-members.png`, fullPage: true });
      const permissions = (await api('GET', '/api/v1/me/permissions?action=identity:member.list&action=identity:member.delete', mark.headers)).json().data;
      expect(permissions.map((p: { allowed: boolean }) => p.allowed)).toEqual([true, false]);

      // Nobody is added without their consent: the page offers no way to attach an existing account.
      expect(await page.getByTestId('add-member-form').count()).toBe(0);
      // Remove Mark: confirmed first, and his session ends at once.
      await markRow.getByTestId('member-remove').click();
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
      await page.getByTestId('api-keys-page').waitFor();
      await page.getByTestId('api-key-name').fill('Nightly export');
      await page.getByTestId('api-key-scopes').fill('tenants:tenant.read');
      await page.getByTestId('api-key-submit').click();
      await page.getByTestId('api-key-reveal').waitFor();
      const secret = ((await page.getByTestId('api-key-secret').textContent()) ?? '').trim();
      registerSecret('API key', secret);
      expect(secret).toMatch(/^pk_[0-9a-z]{8}_[A-Za-z0-9_-]{43}$/);
      await page.screenshot({ path: `${SCREENSHOTS}-api-key-secret.png`, fullPage: true });

      const call = () => fetch(`${baseUrl}/api/v1/tenants/${tenantId}`, { headers: { authorization: `Bearer ${secret}` } });
      const first = await call();
      expect(first.status).toBe(200);
      expect(((await first.json()) as { id: string }).id).toBe(tenantId);

      // Once stored, the secret is gone from the page; the list shows only its prefix.
      await page.getByTestId('api-key-done').click();
      await page.getByTestId('api-key-reveal').waitFor({ state: 'detached' });
      expect(await page.content()).not.toContain(secret);
      const row = page.locator('[data-testid="api-key-row"][data-name="Nightly export"]');
      expect(secret.startsWith(((await row.getByTestId('api-key-prefix').textContent()) ?? '').replace('…', ''))).toBe(true);

      await row.getByTestId('api-key-revoke').click();
      await page.getByRole('dialog').waitFor();
      await page.getByRole('dialog').getByRole('button', { name: 'Revoke key', exact: true }).click();
      await page.getByTestId('api-keys-notice').waitFor();
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
      await page.getByTestId('oauth-clients-page').waitFor();
      // An authorization-code client without a redirect URI is refused next to the field.
      await page.getByTestId('oauth-client-name').fill('Reporting');
      await page.getByTestId('oauth-client-grantType').selectOption('authorization_code');
      await page.getByTestId('oauth-client-submit').click();
      await page.getByTestId('oauth-client-redirectUris-error').waitFor();
      await page.getByTestId('oauth-client-grantType').selectOption('client_credentials');
      await page.getByTestId('oauth-client-scopes').fill('tenants:read');
      await page.getByTestId('oauth-client-submit').click();
      await page.getByTestId('oauth-client-reveal').waitFor();
      const clientSecret = ((await page.getByTestId('oauth-client-secret').textContent()) ?? '').trim();
      registerSecret('OAuth client secret', clientSecret);
      const clientId = ((await page.getByTestId('oauth-client-id').textContent()) ?? '').trim();
      const issuer = ((await page.getByTestId('oauth-client-issuer').textContent()) ?? '').trim();
      const listed = (await api('GET', `/api/v1/tenants/${tenantId}/oauth-clients`, staff)).json().data as { clientId: string; issuer: string; grantType: string }[];
      expect(listed).toMatchObject([{ clientId, issuer, grantType: 'client_credentials' }]);

      const config = await discoverOAuth(t.platform.app, issuer, clientId, clientSecret);
      const token = (await oauth.clientCredentialsGrant(config, { scope: 'tenants:read' })).access_token;
      registerSecret('OAuth token', token);
      expect((await fetch(`${baseUrl}/api/v1/tenants/${tenantId}`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);

      await page.getByTestId('oauth-client-done').click();
      await page.getByTestId('oauth-client-reveal').waitFor({ state: 'detached' });
      expect(await page.content()).not.toContain(clientSecret);
      await page.locator('[data-testid="oauth-client-row"][data-name="Reporting"]').waitFor();
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
      const row = page.locator('[data-testid="custom-role-row"][data-name="Auditor"]');
      await row.getByTestId('role-edit').click();
      await page.getByTestId('role-editor').waitFor();
      expect(await page.getByTestId('role-name').inputValue()).toBe('Auditor');
      await page.getByTestId('statement-0-action-add').click();
      await page.getByTestId('statement-0-action-1').fill('tenants:tenant.read');
      await page.getByTestId('statement-0-mfa').selectOption('true');
      await page.getByTestId('role-save').click();
      await page.getByTestId('roles-notice').waitFor();
      const saved = ((await api('GET', `/api/v1/tenants/${tenantId}/roles`, staff)).json().data as { id: string; statements: unknown[] }[]).find((r) => r.id === roleId);
      expect(saved?.statements).toEqual([{ effect: 'allow', actions: ['tenants:audit-event.list', 'tenants:tenant.read'], resources: ['prn:${tenant}:*/*'], conditions: { mfa: true } }]);

      // Hal still has it: the server refuses, and the dialog says why.
      await row.getByTestId('role-delete').click();
      await page.getByRole('dialog').getByRole('button', { name: 'Delete role', exact: true }).click();
      await page.getByRole('dialog').getByRole('alert').waitFor();
      expect(await page.getByRole('dialog').getByRole('alert').textContent()).toContain('still have this role');
      await page.getByRole('dialog').getByRole('button', { name: 'Cancel', exact: true }).click();
      expect((await api('PUT', `/api/v1/tenants/${tenantId}/members/${holder.id}`, staff, { role: 'member' })).statusCode).toBe(200);
      await row.getByTestId('role-delete').click();
      await page.getByRole('dialog').getByRole('button', { name: 'Delete role', exact: true }).click();
      await row.waitFor({ state: 'detached' });
      expect(((await api('GET', `/api/v1/tenants/${tenantId}/roles`, staff)).json().data as { id: string }[]).some((r) => r.id === roleId)).toBe(false);

      await page.getByTestId('subnav-oauth-clients').click();
      const clientRow = page.locator('[data-testid="oauth-client-row"][data-name="Old sync job"]');
      await clientRow.getByTestId('oauth-client-delete').click();
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
      await page.getByTestId('no-access').waitFor();
      await page.screenshot({ path: `${SCREENSHOTS}-no-access.png` });
      expect(await page.locator('.nav-link').allTextContents()).toEqual(['Products', 'Cart', 'Orders', 'Invoices', 'Account']);
      expect(await page.getByTestId('members-page').count()).toBe(0);
      for (const path of ['roles', 'api-keys', 'sso', 'invitations', 'oauth-clients']) {
        await page.goto(`${baseUrl}/portal/organization/${path}`);
        await page.getByTestId('no-access').waitFor();
        expect(await page.getByTestId('organization-subnav').count(), path).toBe(0);
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
      await page.getByTestId('api-keys-page').waitFor();
      expect(await page.locator('.subnav-link').allTextContents()).toEqual(['API keys', 'OAuth clients']);
      await page.goto(`${baseUrl}/portal/organization/members`);
      await page.getByTestId('no-access').waitFor();
      expect(consoleProblems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
