// The web apps in a real browser against a real platform on a fresh database: an administrator
// signs in, creates a tenant (after an inline validation error), edits its quotas (including a
// conflicting edit made behind the page's back), suspends it through the confirmation dialog and
// finds the suspension in the audit trail. Portal and partner must show their sign-in pages. MFA is
// mandatory for staff: signing in takes a real TOTP code (computed from the enrolled secret, as an
// authenticator app would), and a staff member without MFA is walked through enrolment first.
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, addMember, ADMIN_PASSWORD, startTestPlatform, totpCode, type SignedInHeaders, type TestPlatform } from '../support/platform.js';
import { generate } from 'otplib';
import { systemContext } from '../../src/kernel/context.js';
import { WEB_DIST, assertWebAppsBuilt, definitionOf, dialog, launchChromium, navLink, pressInDialog, row, signInThroughUi, watchConsole } from './browser.js';

const SCREENSHOT = '/tmp/admin-tenant.png';

let t: TestPlatform;
let apiHeaders: SignedInHeaders;
let browser: Browser;
let baseUrl: string;

beforeAll(async () => {
  assertWebAppsBuilt();
  t = await startTestPlatform({ start: true, env: { PLATFORMA_WEB_DIST: WEB_DIST } });
  apiHeaders = await t.signIn();
  const address = t.platform.app.server.address() as AddressInfo;
  baseUrl = `http://127.0.0.1:${address.port}`;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

async function newPage(): Promise<{ context: BrowserContext; page: Page; consoleProblems: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  return { context, page, consoleProblems: watchConsole(page) };
}

/**
 * Another platform administrator, enrolled in MFA through the API (each test signs in with its own
 * authenticator, so no two sign-ins compete for the same TOTP time step).
 */
async function anotherAdmin(name: string): Promise<string> {
  const email = `${name}@example.com`;
  await t.platform.identity.service.createUser({ email, password: ADMIN_PASSWORD, platformRole: 'platform-admin' }, systemContext('test'));
  await t.signIn(email, ADMIN_PASSWORD);
  return email;
}

/** A partner agent of a new partner tenant (no second factor owed: not staff, not required by the tenant). */
async function partnerAgent(name: string): Promise<string> {
  const email = `${name}@partner.example.com`;
  const created = await t.platform.app.inject({ method: 'POST', url: '/api/v1/tenants', headers: apiHeaders, payload: { organizationName: `Partner ${name}`, domain: `${name}.partner.example.com`, adminEmail: `ops@${name}.partner.example.com` } });
  expect(created.statusCode, created.body).toBe(201);
  await t.platform.identity.service.createUser({ email, password: ADMIN_PASSWORD }, systemContext('test'));
  await addMember(t.platform, created.json().id, email, 'partner-agent');
  return email;
}

/** Email, then password, then the MFA step with the code the person's authenticator shows now. */
async function signInWithMfa(page: Page, email: string): Promise<void> {
  await signInThroughUi(page, email, ADMIN_PASSWORD);
  await page.getByRole('heading', { name: 'Two-step verification' }).waitFor();
  await page.getByLabel('Authentication code').fill(await totpCode(t.totpSecret(email)!));
  await page.getByRole('button', { name: 'Verify' }).click();
}

async function textOf(locator: Locator): Promise<string> {
  return (await locator.first().textContent())?.trim() ?? '';
}

/** The app itself (not a sign-in step): its main navigation. */
const appShell = (page: Page) => page.getByRole('navigation', { name: 'Main' });
const signInHeading = (page: Page) => page.getByRole('heading', { name: 'Sign in', level: 1 });

describe('admin console in a browser', () => {
  it('signs in, creates, edits and suspends a tenant, and shows the audit trail', { timeout: 90_000 }, async () => {
    const { context, page, consoleProblems } = await newPage();
    try {
      await page.goto(`${baseUrl}/admin`);
      await signInHeading(page).waitFor();
      await signInThroughUi(page, ADMIN_EMAIL, ADMIN_PASSWORD);
      // The second step: nothing of the app shows until a right code is entered.
      await page.getByRole('heading', { name: 'Two-step verification' }).waitFor();
      expect(await appShell(page).count()).toBe(0);
      await page.getByLabel('Authentication code').fill('000000');
      await page.getByRole('button', { name: 'Verify' }).click();
      await page.getByRole('alert').waitFor();
      expect(await textOf(page.getByRole('alert'))).toContain('wrong');
      await page.getByLabel('Authentication code').fill(await totpCode(t.totpSecret(ADMIN_EMAIL)!));
      await page.getByRole('button', { name: 'Verify' }).click();
      await page.waitForURL(`${baseUrl}/admin/tenants`);
      expect(await textOf(page.getByRole('banner'))).toContain(ADMIN_EMAIL);
      expect(await textOf(page.getByRole('heading', { level: 1 }))).toBe('Tenants');

      // An invalid domain comes back as a problem whose pointer puts the message next to the field.
      await page.getByRole('link', { name: 'New tenant' }).click();
      await page.getByLabel('Organization name').fill('Acme Corporation');
      await page.getByLabel('Domain', { exact: true }).fill('not a domain');
      await page.getByLabel('Administrator email').fill('ops@acme.example.com');
      await page.getByRole('button', { name: 'Create tenant' }).click();
      const domainError = page.getByRole('alert').filter({ hasText: 'domain name such as acme.example.com' });
      await domainError.waitFor();
      expect(await page.getByLabel('Domain', { exact: true }).getAttribute('aria-invalid')).toBe('true');
      expect(page.url()).toBe(`${baseUrl}/admin/tenants/new`);

      await page.getByLabel('Domain', { exact: true }).fill('acme.example.com');
      await page.getByLabel('Subscription tier').fill('enterprise');
      await page.getByRole('button', { name: 'Create tenant' }).click();
      await page.waitForURL(/\/admin\/tenants\/ten/);
      const tenantId = page.url().split('/').at(-1);
      expect(tenantId).toMatch(/^ten/);

      // Back to the list, find it with the search box, and open it from there.
      await navLink(page, 'Tenants').click();
      await page.getByRole('searchbox', { name: 'Search tenants' }).fill('acme');
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      await page.waitForURL(`${baseUrl}/admin/tenants?q=acme`);
      await page.getByRole('link', { name: 'Acme Corporation' }).click();
      await page.getByRole('heading', { level: 1, name: /Acme Corporation/ }).waitFor();
      const details = page.getByRole('region', { name: 'Details' });
      expect(await textOf(definitionOf(details, 'Status'))).toBe('active');
      expect(await textOf(definitionOf(details, 'Admin email'))).toBe('ops@acme.example.com');
      expect(await textOf(definitionOf(page.getByRole('region', { name: 'Subscription and usage' }), 'Tier'))).toBe('enterprise');

      // Quotas: a plain save, then a save over a change made elsewhere, which If-Match refuses (412).
      await page.getByLabel('Users', { exact: true }).fill('250');
      await page.getByRole('button', { name: 'Save quotas' }).click();
      await page.getByRole('status').filter({ hasText: 'Quotas saved.' }).waitFor();
      expect(await page.getByLabel('Users', { exact: true }).inputValue()).toBe('250');

      const current = await t.platform.app.inject({ method: 'GET', url: `/api/v1/tenants/${tenantId}`, headers: apiHeaders });
      const elsewhere = await t.platform.app.inject({
        method: 'PUT',
        url: `/api/v1/tenants/${tenantId}/quotas`,
        headers: apiHeaders,
        payload: { ...(current.json() as { quotas: Record<string, unknown> }).quotas, maxUsers: 300 },
      });
      expect(elsewhere.statusCode).toBe(200);
      await page.getByLabel('Users', { exact: true }).fill('275');
      await page.getByRole('button', { name: 'Save quotas' }).click();
      await page.getByRole('status').filter({ hasText: 'Someone else changed this tenant' }).waitFor();
      expect(await page.getByLabel('Users', { exact: true }).inputValue()).toBe('300');

      // Suspension needs a reason, given in the confirmation dialog.
      await page.getByRole('button', { name: 'Suspend' }).click();
      const suspend = dialog(page, 'Suspend this tenant?');
      await suspend.waitFor();
      expect(await suspend.getByRole('button', { name: 'Suspend' }).isDisabled()).toBe(true);
      await suspend.getByLabel('Reason').fill('Invoices unpaid for 90 days');
      await pressInDialog(page, 'Suspend');
      await definitionOf(details, 'Status').filter({ hasText: 'suspended' }).waitFor();
      expect(await suspend.isVisible()).toBe(false);
      expect(await textOf(definitionOf(details, 'Status reason'))).toBe('Invoices unpaid for 90 days');
      expect(await page.getByRole('button', { name: 'Reactivate' }).isVisible()).toBe(true);

      // The audit trail, newest first, now starts with the suspension.
      const audit = page.getByRole('table', { name: 'Audit trail' });
      await audit.getByRole('cell', { name: 'tenant.suspended' }).waitFor();
      const actions = await audit.getByRole('row').locator('code').allTextContents();
      // (The invitation of the administrator it names joins the trail too, as its event is handled.)
      expect(actions.filter((action) => action.startsWith('tenant.'))).toEqual(['tenant.suspended', 'tenant.updated', 'tenant.updated', 'tenant.created']);
      expect(await row(audit, 'tenant.suspended').textContent()).toContain(ADMIN_EMAIL);

      await page.screenshot({ path: SCREENSHOT, fullPage: true });
      expect(consoleProblems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('shows the tenants list page by page', { timeout: 60_000 }, async () => {
    // 21 more tenants: with the one above, a page of 20 and a second page of 2 (newest first).
    for (let i = 1; i <= 21; i++) {
      const response = await t.platform.app.inject({
        method: 'POST',
        url: '/api/v1/tenants',
        headers: apiHeaders,
        payload: { organizationName: `Paged ${String(i).padStart(2, '0')}`, domain: `paged${i}.example.com`, adminEmail: `admin@paged${i}.example.com` },
      });
      expect(response.statusCode).toBe(201);
    }
    const email = await anotherAdmin('pager');
    const { context, page, consoleProblems } = await newPage();
    try {
      await page.goto(`${baseUrl}/admin/tenants`);
      await signInWithMfa(page, email);
      const tenants = page.getByRole('table', { name: 'Tenants' });
      const tenantLinks = tenants.getByRole('link');
      const pages = page.getByRole('navigation', { name: 'Tenants pages' });
      await tenantLinks.first().waitFor();
      expect(await tenantLinks.count()).toBe(20);
      expect(await textOf(tenantLinks)).toBe('Paged 21');
      expect(await pages.getByRole('button', { name: 'Previous' }).isDisabled()).toBe(true);

      await pages.getByRole('button', { name: 'Next' }).click();
      await pages.getByText('Page 2').waitFor();
      await tenants.getByRole('link', { name: 'Acme Corporation' }).waitFor();
      expect(await tenantLinks.allTextContents()).toEqual(['Paged 01', 'Acme Corporation']);
      expect(await pages.getByRole('button', { name: 'Next' }).isDisabled()).toBe(true);

      await pages.getByRole('button', { name: 'Previous' }).click();
      await pages.getByText('Page 1').waitFor();
      await tenants.getByRole('link', { name: 'Paged 21' }).waitFor();
      expect(await tenantLinks.count()).toBe(20);

      // The status filter narrows the list to the suspended tenant.
      await page.getByLabel('Status').selectOption('suspended');
      await page.waitForURL(`${baseUrl}/admin/tenants?status=suspended`);
      await tenants.getByRole('link', { name: 'Acme Corporation' }).waitFor();
      expect(await tenantLinks.allTextContents()).toEqual(['Acme Corporation']);
      expect(consoleProblems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('walks a staff member without MFA through enrolment: QR code, secret, first code, recovery codes shown once', { timeout: 60_000 }, async () => {
    await t.platform.identity.service.createUser({ email: 'newops@example.com', password: ADMIN_PASSWORD, platformRole: 'operator' }, systemContext('test'));
    const { context, page, consoleProblems } = await newPage();
    try {
      await page.goto(`${baseUrl}/admin`);
      await signInThroughUi(page, 'newops@example.com', ADMIN_PASSWORD);
      await page.getByRole('heading', { name: 'Set up two-step verification' }).waitFor();
      const qr = page.getByRole('img', { name: 'QR code to scan with an authenticator app' });
      await qr.waitFor();
      // A real, decoded image: the browser rendered the QR code's PNG.
      expect(await qr.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(100);
      // The key to type by hand is a read-only field named by its label.
      const secret = (await page.getByLabel('Or enter this key by hand').inputValue()).trim();
      expect(secret).toMatch(/^[A-Z2-7]{32}$/);
      expect(await appShell(page).count()).toBe(0);

      await page.getByLabel('Code from the app').fill(await generate({ secret }));
      await page.getByRole('button', { name: 'Turn on two-step verification' }).click();
      const recoveryCodes = page.getByRole('list', { name: 'Recovery codes' });
      await recoveryCodes.waitFor();
      const codes = await recoveryCodes.getByRole('listitem').allTextContents();
      expect(codes).toHaveLength(10);
      expect(codes.every((code) => /^[a-z0-9]{5}-[a-z0-9]{5}$/.test(code))).toBe(true);
      await page.getByRole('button', { name: 'I have saved them — continue' }).click();
      await appShell(page).waitFor();
      expect(await textOf(page.getByRole('banner'))).toContain('newops@example.com');

      // Signing in again asks for a code; a recovery code shown above works (once).
      await page.getByRole('button', { name: 'Sign out' }).click();
      await signInHeading(page).waitFor();
      await signInThroughUi(page, 'newops@example.com', ADMIN_PASSWORD);
      await page.getByRole('heading', { name: 'Two-step verification' }).waitFor();
      await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
      await page.getByLabel('Recovery code').fill(codes[0]!);
      await page.getByRole('button', { name: 'Verify' }).click();
      await appShell(page).waitFor();
      expect(consoleProblems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('rejects a wrong password with the server’s message', async () => {
    const { context, page, consoleProblems } = await newPage();
    try {
      await page.goto(`${baseUrl}/admin`);
      await signInThroughUi(page, ADMIN_EMAIL, 'not the password');
      await page.getByRole('alert').waitFor();
      expect(await textOf(page.getByRole('alert'))).not.toBe('');
      expect(await appShell(page).count()).toBe(0);
      expect(consoleProblems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it.each([
    // Staff without a tenant administer no organisation here (the admin console is theirs): no Organisation.
    { app: 'portal', sections: ['Products', 'Cart', 'Orders', 'Invoices', 'Account'], announced: 'Invoices' },
    // The partner portal admits only partner roles (staff get a page sending them to the admin
    // console, test/e2e/consoles.e2e.test.ts): a partner agent visits it.
    { app: 'partner', sections: ['Customers', 'Commissions', 'Account'], announced: undefined },
  ])('$app shows its sign-in page, then its sections, unshipped ones as announcements', async ({ app, sections, announced }) => {
    const email = app === 'partner' ? await partnerAgent(`visitor-${app}`) : await anotherAdmin(`visitor-${app}`);
    const { context, page, consoleProblems } = await newPage();
    try {
      await page.goto(`${baseUrl}/${app}`);
      await signInHeading(page).waitFor();
      expect(await page.title()).toContain('Platforma');
      if (app === 'partner') await signInThroughUi(page, email, ADMIN_PASSWORD);
      else await signInWithMfa(page, email);
      await appShell(page).waitFor();
      expect(await appShell(page).getByRole('link').allTextContents()).toEqual(sections);
      if (announced) await navLink(page, announced).click();
      expect(await textOf(page.getByRole('heading', { level: 2 }))).toContain('arrive in a later release');

      await page.getByRole('button', { name: 'Sign out' }).click();
      await signInHeading(page).waitFor();
      expect(consoleProblems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
