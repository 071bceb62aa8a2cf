// The three apps at a phone's width (390 × 844, an iPhone 12-15): no page is wider than the screen
// (tables scroll inside their card, forms stack, the top bar wraps), and the main navigation is
// behind a menu button that opens it and takes you to another section.
import { describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { addMember, type SignedInHeaders } from '../support/platform.js';
import { createProduct, pricePlan } from '../support/builders.js';
import { systemContext } from '../../src/kernel/context.js';
import { browserSuite, navLink, watchConsole } from './browser.js';

const PHONE = { width: 390, height: 844 };
const PASSWORD = 'mobile layout passphrase';
const suite = browserSuite();

async function call(method: 'GET' | 'POST' | 'PATCH', url: string, headers: Record<string, string>, payload?: unknown) {
  const response = await suite.t.platform.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
  if (response.statusCode >= 300) throw new Error(`${method} ${url}: ${response.statusCode} ${response.body}`);
  return response.json();
}

/** What shows that a page is there. */
type Ready = (page: Page) => Locator;
const signInPage: Ready = (page) => page.getByRole('heading', { level: 1, name: 'Sign in', exact: true });
/** The signed-in frame: on a phone its navigation is folded away behind the menu button. */
const appShell: Ready = (page) => page.getByRole('button', { name: 'Menu', exact: true });
const securityPage: Ready = (page) => page.getByRole('heading', { level: 2, name: 'Two-step verification', exact: true });

async function phone(browser: Browser, session?: SignedInHeaders): Promise<{ context: BrowserContext; page: Page; consoleProblems: string[] }> {
  const context = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  if (session) {
    const cookie = session.cookie;
    await context.addCookies([{ name: cookie.slice(0, cookie.indexOf('=')), value: cookie.slice(cookie.indexOf('=') + 1), url: suite.base, httpOnly: true, sameSite: 'Strict' }]);
  }
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  return { context, page, consoleProblems: watchConsole(page) };
}

/**
 * Opens the page and asserts that nothing makes the document wider than the phone. On failure the
 * message names the elements that stick out, which is what one needs to fix it.
 */
async function expectFitsThePhone(page: Page, path: string, ready: Ready): Promise<void> {
  await page.goto(`${suite.base}${path}`);
  await ready(page).first().waitFor();
  await page.waitForLoadState('networkidle');
  const overflow = await page.evaluate((width) => {
    const scrollWidth = document.documentElement.scrollWidth;
    if (scrollWidth <= width) return null;
    // The outermost elements whose right edge passes the screen's (their descendants are no news).
    const culprits = [...document.querySelectorAll('body *')]
      .filter((element) => element.getBoundingClientRect().right > width + 0.5)
      .filter((element) => !(element.parentElement && element.parentElement.getBoundingClientRect().right > width + 0.5))
      .slice(0, 8)
      .map((element) => `${element.tagName.toLowerCase()}${element.id ? `#${element.id}` : ''}.${[...element.classList].join('.')} right=${Math.round(element.getBoundingClientRect().right)}`);
    return { scrollWidth, culprits };
  }, PHONE.width);
  expect(overflow, `${path} is wider than ${PHONE.width}px`).toBeNull();
  await page.screenshot({ path: `/tmp/mobile${path.replace(/[^a-z0-9]+/gi, '-')}.png`, fullPage: true });
}

/** The main navigation is behind the menu button: it opens (and says so), and a link in it leads to its page. */
async function expectMenuLeadsTo(page: Page, section: string, ready: Ready): Promise<void> {
  const link = navLink(page, section);
  expect(await link.isVisible(), 'the navigation is folded away until the menu opens').toBe(false);
  await page.getByRole('button', { name: 'Menu', exact: true, expanded: false }).click();
  await page.getByRole('button', { name: 'Close', exact: true, expanded: true }).waitFor();
  await page.screenshot({ path: `/tmp/mobile-menu-open-${section.toLowerCase()}.png` });
  await link.click();
  await ready(page).first().waitFor();
  // Choosing a section folds the menu away again.
  await expect.poll(() => link.isVisible()).toBe(false);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
}

describe('the apps at a phone’s width (390 px)', () => {
  it('sign-in and the customer portal: shop, cart, orders, organisation members and account fit the screen, the menu leads around', { timeout: 180_000 }, async () => {
    const { t, browser } = suite;
    const staff = await t.signIn();
    const tenantId = (await call('POST', '/api/v1/tenants', staff, { organizationName: 'Pocket Hosting With A Rather Long Organisation Name', domain: 'pocket.example.com', adminEmail: 'ops@pocket.example.com' })).id as string;
    const email = 'owner.with.a.long.address@pocket.example.com';
    await t.platform.identity.service.createUser({ email, password: PASSWORD }, systemContext('test'));
    await addMember(t.platform, tenantId, email, 'owner');
    const product = await createProduct(t, staff, {
      code: 'pocket-server',
      fields: { name: 'Pocket server with a long product name', category: 'Compute', description: 'A server for the phone layout test' },
      content: {
        configurationSchema: { type: 'object', properties: { region: { type: 'string', enum: ['eu-west', 'us-east'], default: 'eu-west' } }, additionalProperties: false },
        provisioning: null,
        requiresApproval: true,
        pricePlans: [pricePlan({ prices: { EUR: { model: 'per_unit', unitAmount: '12.50' } } })],
      },
    });
    const owner = await t.signIn(email, PASSWORD);
    // One order placed (awaiting approval) and one in the cart.
    const placed = await call('POST', '/api/v1/orders', owner, { currency: 'EUR' });
    await call('POST', `/api/v1/orders/${placed.id}/items`, owner, { productId: product.id, pricePlan: 'monthly', quantity: 2 });
    const submitted = await suite.t.platform.app.inject({ method: 'POST', url: `/api/v1/orders/${placed.id}/submit`, headers: { ...owner, 'idempotency-key': `submit-${placed.id}` } });
    expect(submitted.statusCode, submitted.body).toBeLessThan(300);
    const cart = await call('POST', '/api/v1/orders', owner, { currency: 'EUR' });
    await call('POST', `/api/v1/orders/${cart.id}/items`, owner, { productId: product.id, pricePlan: 'monthly', quantity: 1 });

    const signIn = await phone(browser);
    try {
      await expectFitsThePhone(signIn.page, '/portal/', signInPage);
      await expectFitsThePhone(signIn.page, '/admin/', signInPage);
      await expectFitsThePhone(signIn.page, '/partner/', signInPage);
      expect(signIn.consoleProblems).toEqual([]);
    } finally {
      await signIn.context.close();
    }

    const { context, page, consoleProblems } = await phone(browser, owner);
    try {
      await expectFitsThePhone(page, '/portal/products', appShell);
      await expectFitsThePhone(page, `/portal/products/${product.id}`, appShell);
      await expectFitsThePhone(page, '/portal/cart', appShell);
      await expectFitsThePhone(page, '/portal/orders', appShell);
      await expectFitsThePhone(page, `/portal/orders/${placed.id}`, appShell);
      await expectFitsThePhone(page, '/portal/organization/members', appShell);
      await expectFitsThePhone(page, '/portal/account', appShell);
      await expectFitsThePhone(page, '/portal/account/security', securityPage);
      await expectFitsThePhone(page, '/portal/account/sessions', appShell);
      await expectMenuLeadsTo(page, 'Orders', appShell);
      expect(new URL(page.url()).pathname).toBe('/portal/orders');
      await expectMenuLeadsTo(page, 'Cart', appShell);
      expect(new URL(page.url()).pathname).toBe('/portal/cart');
      expect(consoleProblems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('the admin console: tenants, a tenant, catalog products, orders and people fit the screen, the menu leads around', { timeout: 180_000 }, async () => {
    const { t, browser } = suite;
    const staff = await t.signIn();
    const tenantId = (await call('POST', '/api/v1/tenants', staff, { organizationName: 'Admin Phone Check Incorporated', domain: 'admin-phone.example.com', adminEmail: 'ops@admin-phone.example.com' })).id as string;
    const { context, page, consoleProblems } = await phone(browser, staff);
    try {
      await expectFitsThePhone(page, '/admin/tenants', appShell);
      await expectFitsThePhone(page, `/admin/tenants/${tenantId}`, appShell);
      await expectFitsThePhone(page, '/admin/tenants/new', appShell);
      await expectFitsThePhone(page, '/admin/catalog/products', appShell);
      await expectFitsThePhone(page, '/admin/orders', appShell);
      await expectFitsThePhone(page, '/admin/people', appShell);
      await expectFitsThePhone(page, '/admin/account', appShell);
      await expectMenuLeadsTo(page, 'People', appShell);
      expect(new URL(page.url()).pathname).toMatch(/^\/admin\/people/);
      await expectMenuLeadsTo(page, 'Tenants', appShell);
      expect(new URL(page.url()).pathname).toBe('/admin/tenants');
      expect(consoleProblems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('the partner portal: its home and account fit the screen, the menu leads around', { timeout: 120_000 }, async () => {
    const { t, browser } = suite;
    const staff = await t.signIn();
    const partnerId = (await call('POST', '/api/v1/tenants', staff, { organizationName: 'Phone Partner', domain: 'phone-partner.example.com', adminEmail: 'ops@phone-partner.example.com' })).id as string;
    await t.platform.identity.service.createUser({ email: 'agent@phone-partner.example.com', password: PASSWORD }, systemContext('test'));
    await addMember(t.platform, partnerId, 'agent@phone-partner.example.com', 'partner-admin');
    const { context, page, consoleProblems } = await phone(browser, await t.signIn('agent@phone-partner.example.com', PASSWORD));
    try {
      await expectFitsThePhone(page, '/partner/', appShell);
      await expectFitsThePhone(page, '/partner/account', appShell);
      await expectMenuLeadsTo(page, 'Commissions', appShell);
      expect(new URL(page.url()).pathname).toBe('/partner/commissions');
      expect(consoleProblems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
