// Each console admits only the people it is for, in a real browser against a real platform: a
// customer who opens the partner portal or the admin console gets a page saying whom it is for and
// where to go instead (never the console's menu), a partner agent gets the partner portal, staff get
// the admin console and are sent back there from the partner portal. And the API behind each
// console refuses the others by authorisation: the admin console's staff-only operations and the
// partner's reach into its customers' tenants answer a customer 403.
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, startTestPlatform, problemOf, type SignedInHeaders, type TestPlatform } from '../support/platform.js';
import { systemContext } from '../../src/kernel/context.js';
import { WEB_DIST, assertWebAppsBuilt, launchChromium, navLink, pageWithSession } from './browser.js';

const PASSWORD = 'consoles test passphrase';

let t: TestPlatform;
let browser: Browser;
let baseUrl: string;
let staff: SignedInHeaders;
let customer: SignedInHeaders;
let agent: SignedInHeaders;
let partnerId: string;
let customerTenantId: string;
let otherTenantId: string;

async function api(method: string, url: string, headers: Record<string, string>, payload?: object) {
  return t.platform.app.inject({ method: method as 'GET', url, headers, ...(payload ? { payload } : {}) });
}

async function tenant(name: string, extra: Record<string, unknown> = {}): Promise<string> {
  const created = await api('POST', '/api/v1/tenants', staff, { organizationName: name, domain: `${name.toLowerCase()}.example.com`, adminEmail: `ops@${name.toLowerCase()}.example.com`, ...extra });
  expect(created.statusCode, created.body).toBe(201);
  return created.json().id as string;
}

async function person(email: string, tenantId: string, role: string): Promise<SignedInHeaders> {
  await t.platform.identity.service.createUser({ email, password: PASSWORD }, systemContext('test'));
  await addMember(t.platform, tenantId, email, role);
  return t.signIn(email, PASSWORD);
}

/** The page that tells someone a console is not for them, by its title ("This console is for partners"). */
const wrongConsole = (page: Page) => page.getByRole('heading', { level: 1, name: /^This console is for / });
/** The console's own main navigation, which such a page never shows. */
const mainNavigation = (page: Page) => page.getByRole('navigation', { name: 'Main' });

async function openAs(headers: SignedInHeaders, path: string): Promise<{ context: BrowserContext; page: Page; consoleProblems: string[] }> {
  const opened = await pageWithSession(browser, baseUrl, headers);
  await opened.page.goto(`${baseUrl}${path}`);
  return opened;
}

beforeAll(async () => {
  assertWebAppsBuilt();
  t = await startTestPlatform({ start: true, env: { PLATFORMA_WEB_DIST: WEB_DIST } });
  baseUrl = `http://127.0.0.1:${(t.platform.app.server.address() as AddressInfo).port}`;
  browser = await launchChromium();
  staff = await t.signIn();
  partnerId = await tenant('Resellr');
  customerTenantId = await tenant('Clientco', { partnerTenantId: partnerId });
  otherTenantId = await tenant('Elsewhere');
  customer = await person('cora@clientco.example.com', customerTenantId, 'owner');
  agent = await person('paul@resellr.example.com', partnerId, 'partner-agent');
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe('who each console admits, in the browser', () => {
  it('shows a customer who opens the partner portal whom it is for and the way to the customer portal, not the console', { timeout: 60_000 }, async () => {
    const { context, page, consoleProblems } = await openAs(customer, '/partner/customers');
    try {
      await wrongConsole(page).waitFor();
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('This console is for partners');
      expect(await page.getByRole('main').textContent()).toContain('cora@clientco.example.com');
      const home = page.getByRole('link', { name: 'Go to the customer portal', exact: true });
      expect(await home.getAttribute('href')).toBe('/portal/');
      expect(await mainNavigation(page).count()).toBe(0);
      expect(await page.getByText('Commissions').count()).toBe(0);
      await home.click();
      await page.waitForURL(`${baseUrl}/portal/**`);
      expect(consoleProblems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('shows a customer who opens the admin console whom it is for, not the console', { timeout: 60_000 }, async () => {
    // A session of its own: this test signs it out.
    const { context, page, consoleProblems } = await openAs(await t.signIn('cora@clientco.example.com', PASSWORD), '/admin/tenants');
    try {
      await wrongConsole(page).waitFor();
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('This console is for platform staff');
      expect(await page.getByRole('link', { name: 'Go to the customer portal', exact: true }).getAttribute('href')).toBe('/portal/');
      expect(await mainNavigation(page).count()).toBe(0);
      // Signing out from there works like anywhere else.
      await page.getByRole('button', { name: 'Sign out', exact: true }).click();
      await page.getByLabel('Email', { exact: true }).waitFor();
      expect(consoleProblems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('admits a partner agent to the partner portal and staff to the admin console; sends staff from the partner portal to theirs', { timeout: 60_000 }, async () => {
    const partner = await openAs(agent, '/partner/');
    try {
      await navLink(partner.page, 'Customers').waitFor();
      expect(await wrongConsole(partner.page).count()).toBe(0);
      expect(partner.consoleProblems).toEqual([]);
    } finally {
      await partner.context.close();
    }
    const admin = await openAs(staff, '/admin/');
    try {
      await navLink(admin.page, 'Tenants').waitFor();
      expect(await wrongConsole(admin.page).count()).toBe(0);
      await admin.page.goto(`${baseUrl}/partner/`);
      await wrongConsole(admin.page).waitFor();
      expect(await admin.page.getByRole('link', { name: 'Go to the admin console', exact: true }).getAttribute('href')).toBe('/admin/');
    } finally {
      await admin.context.close();
    }
  });
});

describe('who the API behind each console admits', () => {
  it('refuses a customer the admin console’s staff-only operations with 403', async () => {
    const operations: [string, string, object?][] = [
      ['GET', '/api/v1/users'],
      ['POST', '/api/v1/staff', { email: 'sneaky@example.com', role: 'platform-admin' }],
      ['GET', '/api/v1/mail'],
      ['POST', '/api/v1/tenants', { organizationName: 'Sneaky', domain: 'sneaky.example.com', adminEmail: 'a@sneaky.example.com' }],
      ['GET', `/api/v1/tenants/${otherTenantId}`],
      ['POST', `/api/v1/tenants/${otherTenantId}/suspend`, { reason: 'no' }],
    ];
    for (const [method, url, payload] of operations) {
      const response = await api(method, url, customer, payload);
      expect(response.statusCode, `${method} ${url}: ${response.body}`).toBe(403);
      expect(problemOf(response).code).toBe('PLAT_FORBIDDEN');
      // Staff are admitted to the same operations (the read ones, to keep the fixture unchanged).
      if (method === 'GET') expect((await api(method, url, staff)).statusCode, `${method} ${url} as staff`).toBe(200);
    }
  });

  it('lets a partner agent reach its customer’s tenant and refuses the same to a customer of another organisation', async () => {
    expect((await api('GET', `/api/v1/tenants/${customerTenantId}`, agent)).statusCode).toBe(200);
    const outsider = await person('otto@elsewhere.example.com', otherTenantId, 'owner');
    const refused = await api('GET', `/api/v1/tenants/${customerTenantId}`, outsider);
    expect(refused.statusCode, refused.body).toBe(403);
    expect(problemOf(refused).code).toBe('PLAT_FORBIDDEN');
    // And nobody but the partner's people reaches it through the partner's tenant either.
    expect((await api('GET', `/api/v1/tenants/${partnerId}`, customer)).statusCode).toBe(403);
  });
});
