// The admin console's people pages in a real browser against a real platform: a platform
// administrator searches a user, opens their page, acts as them in their tenant with a stated
// reason (the portal then shows the impersonation banner) and stops; grants another user a staff
// role and finds them in the staff list; and reads mail in the outbox — an invitation as text, and
// an HTML message in a sandboxed frame where its script does not run. The browser carries the
// administrator's session cookie (signed in through the API, MFA included). The pages are read by
// roles and names: tables and cards named by their headings, an account's facts by their terms.
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, ADMIN_EMAIL, startTestPlatform, type SignedInHeaders, type TestPlatform } from '../support/platform.js';
import { systemContext } from '../../src/kernel/context.js';
import { inTransaction } from '../../src/kernel/db/database.js';
import { WEB_DIST, assertWebAppsBuilt, bodyRows, cellUnder, definitionOf, launchChromium, navLink, rowWithCell, tableNamed, watchConsole } from './browser.js';

const PASSWORD = 'people pages passphrase';
const SCREENSHOTS = { user: '/tmp/people-user.png', impersonate: '/tmp/people-impersonate.png', staff: '/tmp/people-staff.png', mail: '/tmp/people-mail.png' };

let t: TestPlatform;
let admin: SignedInHeaders;
let browser: Browser;
let baseUrl: string;
let tenantId: string;

beforeAll(async () => {
  assertWebAppsBuilt();
  t = await startTestPlatform({ start: true, env: { PLATFORMA_WEB_DIST: WEB_DIST, SIGN_IN_MAX_FAILURES: '2' } });
  baseUrl = `http://127.0.0.1:${(t.platform.app.server.address() as AddressInfo).port}`;
  admin = await t.signIn();
  const tenant = await t.platform.app.inject({ method: 'POST', url: '/api/v1/tenants', headers: admin, payload: { organizationName: 'Peoplecorp', domain: 'peoplecorp.example.com', adminEmail: 'ops@peoplecorp.example.com' } });
  tenantId = tenant.json().id as string;
  for (const email of ['mia@peoplecorp.example.com', 'ben@peoplecorp.example.com']) await t.platform.identity.service.createUser({ email, password: PASSWORD }, systemContext('test'));
  // Mia is a customer; Ben, who becomes staff below, belongs to no tenant (members do not become staff).
  await addMember(t.platform, tenantId, 'mia@peoplecorp.example.com', 'member');
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

/** A browser page signed in as the administrator (their session cookie, as the server set it). */
async function adminPage(): Promise<{ context: BrowserContext; page: Page; consoleProblems: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const [name, value] = admin.cookie.split('=') as [string, string];
  await context.addCookies([{ name, value, url: baseUrl, httpOnly: true, sameSite: 'Strict' }]);
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  return { context, page, consoleProblems: watchConsole(page) };
}

describe('the people pages', () => {
  it('find a user, open their page, act as them in the portal with a reason, and stop', { timeout: 90_000 }, async () => {
    const { context, page, consoleProblems } = await adminPage();
    try {
      await page.goto(`${baseUrl}/admin/people`);
      const search = page.getByRole('search');
      await search.getByRole('searchbox', { name: 'Search users by email' }).fill('mia@');
      await search.getByRole('button', { name: 'Search', exact: true }).click();
      await page.waitForURL(/q=mia/);
      const users = tableNamed(page, 'Users');
      await expect.poll(() => bodyRows(users).count()).toBe(1);
      await users.getByRole('link', { name: 'mia@peoplecorp.example.com', exact: true }).click();

      await page.getByRole('region', { name: 'Account' }).waitFor();
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain('mia@peoplecorp.example.com');
      expect(await bodyRows(tableNamed(page, 'Tenants')).textContent()).toContain('Peoplecorp');
      expect(await definitionOf(page, 'MFA').textContent()).toBe('Off');
      await page.screenshot({ path: SCREENSHOTS.user, fullPage: true });

      await page.getByRole('button', { name: 'Act as this user', exact: true }).click();
      await page.getByRole('dialog').waitFor();
      // The reason is required before anything can start.
      expect(await page.getByRole('dialog').getByRole('button', { name: 'Act as this user', exact: true }).isDisabled()).toBe(true);
      await page.getByRole('dialog').getByLabel('Reason').fill('Ticket 512: portal shows no orders');
      await page.screenshot({ path: SCREENSHOTS.impersonate });
      await page.getByRole('dialog').getByRole('button', { name: 'Act as this user', exact: true }).click();

      await page.waitForURL(`${baseUrl}/portal/**`);
      const banner = page.getByRole('status').filter({ hasText: 'You are acting as' });
      await banner.waitFor();
      expect(await banner.textContent()).toContain(`You are acting as mia@peoplecorp.example.com (signed in as ${ADMIN_EMAIL}; reason: Ticket 512`);
      await page.getByRole('button', { name: 'Stop impersonating' }).click();
      await banner.waitFor({ state: 'detached' });
      await page.getByRole('banner').getByText(ADMIN_EMAIL, { exact: true }).waitFor();
      expect(consoleProblems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('unlock a locked account and grant a staff role from a user’s page, and the staff list shows it', { timeout: 90_000 }, async () => {
    for (let i = 0; i < 3; i++) await t.platform.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', payload: { email: 'ben@peoplecorp.example.com', password: 'not his password' } });
    const { context, page, consoleProblems } = await adminPage();
    try {
      await page.goto(`${baseUrl}/admin/people?q=ben%40`);
      await tableNamed(page, 'Users').getByRole('link', { name: 'ben@peoplecorp.example.com', exact: true }).click();
      await page.getByRole('region', { name: 'Account' }).waitFor();
      const platformRole = definitionOf(page, 'Platform role');
      const signIn = definitionOf(page, 'Sign-in');
      expect(await platformRole.textContent()).toBe('Not staff');
      expect(await signIn.textContent()).toContain('Locked after failed sign-ins');
      await signIn.getByRole('button', { name: 'Unlock now' }).click();
      await page.getByRole('status').filter({ hasText: 'The account is unlocked' }).waitFor();
      await expect.poll(() => signIn.textContent()).toBe('Not locked');

      await page.getByRole('button', { name: 'Change platform role' }).click();
      await page.getByRole('dialog').waitFor();
      await page.getByRole('dialog').getByLabel('Platform role').selectOption('operator');
      await page.getByRole('dialog').getByRole('button', { name: 'Change role', exact: true }).click();
      await page.getByRole('status').filter({ hasText: 'ben@peoplecorp.example.com is now Operator' }).waitFor();
      await expect.poll(() => platformRole.textContent()).toBe('Operator');
      // Staff cannot be impersonated: the page no longer offers it.
      expect(await page.getByRole('button', { name: 'Act as this user', exact: true }).count()).toBe(0);

      await navLink(page, 'People').click();
      await page.getByRole('navigation', { name: 'People' }).getByRole('link', { name: 'Staff', exact: true }).click();
      const staff = tableNamed(page, 'Staff');
      const row = rowWithCell(staff, 'ben@peoplecorp.example.com');
      await row.waitFor();
      expect(await cellUnder(row, 'Role').textContent()).toBe('Operator');
      await page.screenshot({ path: SCREENSHOTS.staff, fullPage: true });
      expect(await cellUnder(rowWithCell(staff, ADMIN_EMAIL), 'Role').textContent()).toBe('Platform admin');
      expect(consoleProblems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('read an invitation in the mail outbox, and an HTML message in a sandboxed frame where its script does not run', { timeout: 90_000 }, async () => {
    const invited = await t.platform.app.inject({ method: 'POST', url: `/api/v1/tenants/${tenantId}/invitations`, headers: admin, payload: { email: 'newcomer@peoplecorp.example.com', role: 'member' } });
    expect(invited.statusCode, invited.body).toBe(201);
    const html = await inTransaction(t.platform.kernel.db, { scope: { kind: 'platform' }, actorId: 'test' }, (tx) =>
      t.platform.notifications.mailer.enqueue(tx, {
        to: 'html@peoplecorp.example.com',
        subject: 'Your monthly summary',
        text: 'Your monthly summary (plain text).',
        html: '<h1 id="greeting">Hello from HTML</h1><script>document.body.setAttribute("data-ran", "yes"); parent.document.title = "pwned";</script>',
        purpose: 'test.html',
      }),
    );

    const { context, page, consoleProblems } = await adminPage();
    try {
      await page.goto(`${baseUrl}/admin/mail`);
      const messages = tableNamed(page, 'Messages');
      const invitationRow = rowWithCell(messages, 'newcomer@peoplecorp.example.com');
      await invitationRow.waitFor();
      expect(await invitationRow.textContent()).toContain('You are invited to Peoplecorp on Platforma');
      expect(await cellUnder(invitationRow, 'Status').textContent()).toBe('stored');
      await invitationRow.getByRole('link', { name: 'You are invited to Peoplecorp on Platforma', exact: true }).click();
      await page.getByRole('heading', { level: 1, name: 'You are invited to Peoplecorp on Platforma' }).waitFor();
      expect(await definitionOf(page, 'To').textContent()).toBe('newcomer@peoplecorp.example.com');
      const body = page.getByRole('region', { name: 'Body' });
      await body.getByText('Accept the invitation: http').waitFor();

      await page.goto(`${baseUrl}/admin/mail/${html.id}`);
      // The frame is named by its title; the pressed toggle says which version of the body shows.
      const frameElement = page.getByTitle('HTML body of “Your monthly summary”', { exact: true });
      await frameElement.waitFor();
      expect(await body.getByRole('button', { name: 'HTML', exact: true, pressed: true }).count()).toBe(1);
      expect(await frameElement.getAttribute('sandbox')).toBe('');
      const frame = frameElement.contentFrame();
      expect(await frame.getByRole('heading', { level: 1 }).textContent()).toBe('Hello from HTML');
      expect(await frame.locator('body').getAttribute('data-ran')).toBeNull();
      expect(await page.title()).not.toBe('pwned');
      await page.screenshot({ path: SCREENSHOTS.mail, fullPage: true });
      await body.getByRole('button', { name: 'Plain text', exact: true }).click();
      await body.getByText('Your monthly summary (plain text).', { exact: true }).waitFor();
      expect(await body.getByRole('button', { name: 'Plain text', exact: true, pressed: true }).count()).toBe(1);
      expect(await frameElement.count()).toBe(0);
      // Chromium reports the refused script; anything else is a failure.
      expect(consoleProblems.filter((problem) => !/Blocked script execution in 'about:srcdoc'/.test(problem))).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
