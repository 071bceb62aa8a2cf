// The web apps in a real browser against a real platform on a fresh database: an administrator
// signs in, creates a tenant (after an inline validation error), edits its quotas (including a
// conflicting edit made behind the page's back), suspends it through the confirmation dialog and
// finds the suspension in the audit trail. Portal and partner must show their sign-in pages. MFA is
// mandatory for staff: signing in takes a real TOTP code (computed from the enrolled secret, as an
// authenticator app would), and a staff member without MFA is walked through enrolment first.
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, addMember, ADMIN_PASSWORD, startTestPlatform, totpCode, type SignedInHeaders, type TestPlatform } from '../support/platform.js';
import { generate } from 'otplib';
import { systemContext } from '../../src/kernel/context.js';
import { WEB_DIST, assertWebAppsBuilt, launchChromium, signInThroughUi, watchConsole } from './browser.js';

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
  await page.getByTestId('mfa-verify-page').waitFor();
  await page.getByTestId('mfa-code').fill(await totpCode(t.totpSecret(email)!));
  await page.getByTestId('mfa-submit').click();
}

async function textOf(page: Page, testId: string): Promise<string> {
  return (await page.getByTestId(testId).first().textContent())?.trim() ?? '';
}

describe('admin console in a browser', () => {
  it('signs in, creates, edits and suspends a tenant, and shows the audit trail', { timeout: 90_000 }, async () => {
    const { context, page, consoleProblems } = await newPage();
    try {
      await page.goto(`${baseUrl}/admin`);
      await page.getByTestId('sign-in-page').waitFor();
      await signInThroughUi(page, ADMIN_EMAIL, ADMIN_PASSWORD);
      // The second step: nothing of the app shows until a right code is entered.
      await page.getByTestId('mfa-verify-page').waitFor();
      expect(await page.getByTestId('app-shell').count()).toBe(0);
      await page.getByTestId('mfa-code').fill('000000');
      await page.getByTestId('mfa-submit').click();
      await page.getByTestId('mfa-error').waitFor();
      expect(await textOf(page, 'mfa-error')).toContain('wrong');
      await page.getByTestId('mfa-code').fill(await totpCode(t.totpSecret(ADMIN_EMAIL)!));
      await page.getByTestId('mfa-submit').click();
      await page.waitForURL(`${baseUrl}/admin/tenants`);
      expect(await textOf(page, 'signed-in-user')).toBe(ADMIN_EMAIL);
      expect(await textOf(page, 'page-title')).toBe('Tenants');

      // An invalid domain comes back as a problem whose pointer puts the message next to the field.
      await page.getByTestId('new-tenant').click();
      await page.getByTestId('tenant-organizationName').fill('Acme Corporation');
      await page.getByTestId('tenant-domain').fill('not a domain');
      await page.getByTestId('tenant-adminEmail').fill('ops@acme.example.com');
      await page.getByTestId('create-tenant-submit').click();
      await page.getByTestId('tenant-domain-error').waitFor();
      expect(await textOf(page, 'tenant-domain-error')).toContain('domain name such as acme.example.com');
      expect(await page.getByTestId('tenant-domain').getAttribute('aria-invalid')).toBe('true');
      expect(page.url()).toBe(`${baseUrl}/admin/tenants/new`);

      await page.getByTestId('tenant-domain').fill('acme.example.com');
      await page.getByTestId('tenant-tier').fill('enterprise');
      await page.getByTestId('create-tenant-submit').click();
      await page.getByTestId('tenant-detail').waitFor();
      const tenantId = await page.getByTestId('tenant-detail').getAttribute('data-tenant-id');
      expect(tenantId).toMatch(/^ten/);

      // Back to the list, find it with the search box, and open it from there.
      await page.getByTestId('nav-tenants').click();
      await page.getByTestId('tenant-search').fill('acme');
      await page.getByTestId('tenant-search-submit').click();
      await page.waitForURL(`${baseUrl}/admin/tenants?q=acme`);
      await page.locator(`[data-testid="tenant-row"][data-tenant-id="${tenantId}"]`).waitFor();
      await page.getByTestId('tenant-link').filter({ hasText: 'Acme Corporation' }).click();
      await page.getByTestId('tenant-detail').waitFor();
      expect(await textOf(page, 'tenant-status')).toBe('active');
      expect(await textOf(page, 'tenant-admin-email')).toBe('ops@acme.example.com');
      expect(await textOf(page, 'tenant-tier')).toBe('enterprise');

      // Quotas: a plain save, then a save over a change made elsewhere, which If-Match refuses (412).
      await page.getByTestId('quota-maxUsers').fill('250');
      await page.getByTestId('quotas-save').click();
      await page.getByTestId('tenant-notice').filter({ hasText: 'Quotas saved.' }).waitFor();
      expect(await page.getByTestId('quota-maxUsers').inputValue()).toBe('250');

      const current = await t.platform.app.inject({ method: 'GET', url: `/api/v1/tenants/${tenantId}`, headers: apiHeaders });
      const elsewhere = await t.platform.app.inject({
        method: 'PUT',
        url: `/api/v1/tenants/${tenantId}/quotas`,
        headers: apiHeaders,
        payload: { ...(current.json() as { quotas: Record<string, unknown> }).quotas, maxUsers: 300 },
      });
      expect(elsewhere.statusCode).toBe(200);
      await page.getByTestId('quota-maxUsers').fill('275');
      await page.getByTestId('quotas-save').click();
      await page.getByTestId('tenant-notice').filter({ hasText: 'Someone else changed this tenant' }).waitFor();
      expect(await page.getByTestId('quota-maxUsers').inputValue()).toBe('300');

      // Suspension needs a reason, given in the confirmation dialog.
      await page.getByTestId('action-suspend').click();
      const dialog = page.getByTestId('suspend-dialog');
      await dialog.waitFor();
      expect(await page.getByTestId('suspend-dialog-confirm').isDisabled()).toBe(true);
      await page.getByTestId('suspend-reason').fill('Invoices unpaid for 90 days');
      await page.getByTestId('suspend-dialog-confirm').click();
      await page.getByTestId('tenant-status').filter({ hasText: 'suspended' }).waitFor();
      expect(await dialog.isVisible()).toBe(false);
      expect(await textOf(page, 'tenant-status-reason')).toBe('Invoices unpaid for 90 days');
      expect(await page.getByTestId('action-reactivate').isVisible()).toBe(true);

      // The audit trail, newest first, now starts with the suspension.
      await page.getByTestId('audit-action').filter({ hasText: 'tenant.suspended' }).waitFor();
      const actions = await page.getByTestId('audit-action').allTextContents();
      // (The invitation of the administrator it names joins the trail too, as its event is handled.)
      expect(actions.filter((action) => action.startsWith('tenant.'))).toEqual(['tenant.suspended', 'tenant.updated', 'tenant.updated', 'tenant.created']);
      expect(await page.getByTestId('audit-row').first().textContent()).toContain(ADMIN_EMAIL);

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
      await page.getByTestId('tenant-row').first().waitFor();
      expect(await page.getByTestId('tenant-row').count()).toBe(20);
      expect(await textOf(page, 'tenant-link')).toBe('Paged 21');
      expect(await page.getByTestId('page-previous').isDisabled()).toBe(true);

      await page.getByTestId('page-next').click();
      await page.getByTestId('tenant-page-number').filter({ hasText: 'Page 2' }).waitFor();
      await page.getByTestId('tenant-link').filter({ hasText: 'Acme Corporation' }).waitFor();
      expect(await page.getByTestId('tenant-link').allTextContents()).toEqual(['Paged 01', 'Acme Corporation']);
      expect(await page.getByTestId('page-next').isDisabled()).toBe(true);

      await page.getByTestId('page-previous').click();
      await page.getByTestId('tenant-page-number').filter({ hasText: 'Page 1' }).waitFor();
      await page.getByTestId('tenant-link').filter({ hasText: 'Paged 21' }).waitFor();
      expect(await page.getByTestId('tenant-row').count()).toBe(20);

      // The status filter narrows the list to the suspended tenant.
      await page.getByTestId('tenant-status-filter').selectOption('suspended');
      await page.waitForURL(`${baseUrl}/admin/tenants?status=suspended`);
      await page.getByTestId('tenant-link').filter({ hasText: 'Acme Corporation' }).waitFor();
      expect(await page.getByTestId('tenant-link').allTextContents()).toEqual(['Acme Corporation']);
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
      await page.getByTestId('mfa-enrol-page').waitFor();
      await page.getByTestId('mfa-qr').waitFor();
      // A real, decoded image: the browser rendered the QR code's PNG.
      expect(await page.getByTestId('mfa-qr').evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(100);
      const secret = await textOf(page, 'mfa-secret');
      expect(secret).toMatch(/^[A-Z2-7]{32}$/);
      expect(await page.getByTestId('app-shell').count()).toBe(0);

      await page.getByTestId('mfa-enrol-code').fill(await generate({ secret }));
      await page.getByTestId('mfa-enrol-submit').click();
      await page.getByTestId('recovery-codes').waitFor();
      const codes = await page.getByTestId('recovery-code').allTextContents();
      expect(codes).toHaveLength(10);
      expect(codes.every((code) => /^[a-z0-9]{5}-[a-z0-9]{5}$/.test(code))).toBe(true);
      await page.getByTestId('recovery-codes-done').click();
      await page.getByTestId('app-shell').waitFor();
      expect(await textOf(page, 'signed-in-user')).toBe('newops@example.com');

      // Signing in again asks for a code; a recovery code shown above works (once).
      await page.getByTestId('sign-out').click();
      await page.getByTestId('sign-in-page').waitFor();
      await signInThroughUi(page, 'newops@example.com', ADMIN_PASSWORD);
      await page.getByTestId('mfa-verify-page').waitFor();
      await page.getByTestId('mfa-toggle-recovery').click();
      await page.getByTestId('mfa-code').fill(codes[0]!);
      await page.getByTestId('mfa-submit').click();
      await page.getByTestId('app-shell').waitFor();
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
      await page.getByTestId('sign-in-error').waitFor();
      expect(await textOf(page, 'sign-in-error')).not.toBe('');
      expect(await page.getByTestId('app-shell').count()).toBe(0);
      expect(consoleProblems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it.each([
    // Staff without a tenant administer no organisation here (the admin console is theirs): no Organisation.
    { app: 'portal', sections: ['Products', 'Cart', 'Orders', 'Invoices', 'Account'], announced: 'nav-invoices' },
    // The partner portal admits only partner roles (staff get a page sending them to the admin
    // console, test/e2e/consoles.e2e.test.ts): a partner agent visits it.
    { app: 'partner', sections: ['Customers', 'Commissions', 'Account'], announced: undefined },
  ])('$app shows its sign-in page, then its sections, unshipped ones as announcements', async ({ app, sections, announced }) => {
    const email = app === 'partner' ? await partnerAgent(`visitor-${app}`) : await anotherAdmin(`visitor-${app}`);
    const { context, page, consoleProblems } = await newPage();
    try {
      await page.goto(`${baseUrl}/${app}`);
      await page.getByTestId('sign-in-page').waitFor();
      expect(await page.title()).toContain('Platforma');
      if (app === 'partner') await signInThroughUi(page, email, ADMIN_PASSWORD);
      else await signInWithMfa(page, email);
      await page.getByTestId('app-shell').waitFor();
      expect(await page.locator('.nav-link').allTextContents()).toEqual(sections);
      if (announced) await page.getByTestId(announced).click();
      expect(await textOf(page, 'coming-soon')).toContain('arrive in a later release');

      await page.getByTestId('sign-out').click();
      await page.getByTestId('sign-in-page').waitFor();
      expect(consoleProblems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
