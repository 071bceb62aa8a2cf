// The shop in a real browser: a product that needs approval is published; a tenant owner finds it
// in the portal by category and search, sees its prices in the currency they pick, configures it
// (an invalid value gets the server's message under the field), puts it in the cart and places the
// order; an operator approves it; the customer sees the new status and the timeline.
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type SignedInHeaders, type TestPlatform } from '../support/platform.js';
import { systemContext } from '../../src/kernel/context.js';
import { WEB_DIST, assertWebAppsBuilt, launchChromium, watchConsole } from './browser.js';

const PASSWORD = 'shop test passphrase';
const CUSTOMER = 'buyer@shopper.example.com';

let t: TestPlatform;
let browser: Browser;
let baseUrl: string;
let staff: SignedInHeaders;
let tenantId: string;

async function call(method: 'GET' | 'POST' | 'PATCH', url: string, headers: Record<string, string>, payload?: unknown) {
  const response = await t.platform.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
  if (response.statusCode >= 300) throw new Error(`${method} ${url}: ${response.statusCode} ${response.body}`);
  return response.json();
}

const SERVER_CONTENT = {
  summary: 'Launch',
  configurationSchema: {
    type: 'object',
    required: ['hostname'],
    additionalProperties: false,
    properties: {
      region: { type: 'string', title: 'Region', enum: ['eu-west', 'us-east'], default: 'eu-west' },
      hostname: { type: 'string', title: 'Host name', format: 'hostname', maxLength: 63 },
      disk: { type: 'integer', title: 'Disk (GiB)', minimum: 10, maximum: 500, default: 20 },
    },
  },
  provisioning: { capability: 'compute.server', parameters: { region: { configuration: '/region' }, hostname: { configuration: '/hostname' }, count: { quantity: true } } },
  requiresApproval: true,
  pricePlans: [
    {
      code: 'monthly',
      name: 'Monthly',
      interval: 'month',
      trialDays: 0,
      taxCategory: 'saas',
      setupFee: {},
      prices: { EUR: { model: 'per_unit', unitAmount: '12.50' }, USD: { model: 'per_unit', unitAmount: '13.75' } },
      usage: [],
    },
  ],
};

async function publishedProduct(code: string, name: string, category: string, content: Record<string, unknown> = SERVER_CONTENT): Promise<string> {
  const product = await call('POST', '/api/v1/products', staff, { code, kind: 'compute', name, category, description: `${name} for the shop test` });
  await call('PATCH', `/api/v1/products/${product.id}/versions/1`, staff, content);
  await call('POST', `/api/v1/products/${product.id}/versions/1/publish`, staff);
  return product.id as string;
}

async function browserAs(headers: SignedInHeaders): Promise<{ context: BrowserContext; page: Page; consoleProblems: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const [name, value] = headers.cookie.split('=') as [string, string];
  await context.addCookies([{ name, value, url: baseUrl, httpOnly: true, sameSite: 'Strict' }]);
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  return { context, page, consoleProblems: watchConsole(page) };
}

const text = async (page: Page, testId: string) => (await page.getByTestId(testId).first().textContent())?.trim() ?? '';

beforeAll(async () => {
  assertWebAppsBuilt();
  t = await startTestPlatform({ start: true, env: { PLATFORMA_WEB_DIST: WEB_DIST } });
  baseUrl = `http://127.0.0.1:${(t.platform.app.server.address() as AddressInfo).port}`;
  browser = await launchChromium();
  staff = await t.signIn();
  tenantId = (await call('POST', '/api/v1/tenants', staff, { organizationName: 'Shopper', domain: 'shopper.example.com', adminEmail: 'ops@shopper.example.com' })).id;
  await t.platform.identity.service.createUser({ email: CUSTOMER, password: PASSWORD }, systemContext('test'));
  await call('POST', `/api/v1/tenants/${tenantId}/members`, staff, { email: CUSTOMER, role: 'owner' });
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe('ordering a product that needs approval', () => {
  it('a customer configures and orders it, an operator approves it, the customer sees the new status', { timeout: 180_000 }, async () => {
    const productId = await publishedProduct('approved-server', 'Approved server', 'Compute');
    await publishedProduct('plain-bucket', 'Plain bucket', 'Storage', { ...SERVER_CONTENT, requiresApproval: false, configurationSchema: { type: 'object', properties: {} }, provisioning: null });

    const customer = await t.signIn(CUSTOMER, PASSWORD);
    const { context, page, consoleProblems } = await browserAs(customer);
    try {
      // Browse: a category, then a search.
      await page.goto(`${baseUrl}/portal/products`);
      await page.getByTestId('product-card').first().waitFor();
      expect(await page.getByTestId('product-card').count()).toBe(2);
      await page.locator('[data-testid="category-tab"][data-category="Storage"]').click();
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="product-card"]').length === 1);
      expect(await text(page, 'product-link')).toBe('Plain bucket');
      await page.getByTestId('category-all').click();
      await page.getByTestId('product-search').fill('approved');
      await page.getByTestId('product-search-submit').click();
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="product-card"]').length === 1 && document.querySelector('[data-testid="product-link"]')?.textContent === 'Approved server');
      await page.getByTestId('product-link').click();

      // Prices in the chosen currency, and a live quote.
      await page.getByTestId('product-page').waitFor();
      expect(await text(page, 'plan-price')).toContain('12.50');
      await page.getByTestId('currency-select').selectOption('USD');
      expect(await text(page, 'plan-price')).toContain('13.75');
      await page.getByTestId('currency-select').selectOption('EUR');

      // An invalid host name: the server's message appears under the field.
      await page.getByTestId('config-hostname').fill('not a host!');
      await page.getByTestId('config-hostname-error').waitFor();
      expect(await text(page, 'config-hostname-error')).toMatch(/format "hostname"/);
      await page.getByTestId('add-to-cart').click();
      await page.waitForFunction(() => document.querySelector('[data-testid="add-to-cart"]')?.textContent === 'Add to cart');
      expect(await text(page, 'config-hostname-error')).toMatch(/format "hostname"/);

      await page.getByTestId('config-hostname').fill('web-1');
      await page.getByTestId('config-region').selectOption('us-east');
      await page.getByTestId('quantity').fill('2');
      await page.waitForFunction(() => document.querySelector('[data-testid="live-price-total"]')?.textContent?.includes('25.00'));
      await page.getByTestId('config-hostname-error').waitFor({ state: 'detached' });
      await page.getByTestId('add-to-cart').click();
      await page.getByTestId('added-to-cart').waitFor();

      // The cart, then checkout behind a confirmation.
      await page.getByTestId('nav-cart').click();
      await page.locator('[data-testid="cart"][data-currency="EUR"]').waitFor();
      expect(await text(page, 'cart-total')).toContain('25.00');
      expect(await text(page, 'item-configuration')).toContain('hostname: web-1');
      await page.getByTestId('checkout').click();
      await page.getByTestId('checkout-dialog-confirm').click();
      await page.getByTestId('order-detail').waitFor();
      expect(await page.getByTestId('order-status').getAttribute('data-status')).toBe('pending_approval');
      await page.getByTestId('approval-pending').waitFor();
      const orderId = (await page.getByTestId('order-detail').getAttribute('data-order-id'))!;

      // The operator approves (in the admin's order queue once it exists; through the API here).
      await call('POST', `/api/v1/orders/${orderId}/approve`, staff, { reason: 'Customer verified' });

      // The customer sees it: in the list and on the order, with the timeline.
      await page.getByTestId('nav-orders').click();
      const row = page.locator(`[data-testid="order-row"][data-order-id="${orderId}"]`);
      await row.waitFor();
      expect(await row.getByTestId('order-row-status').getAttribute('data-status')).toBe('provisioning');
      await row.getByTestId('order-link').click();
      await page.getByTestId('order-timeline').waitFor();
      expect(await page.locator('[data-testid="timeline-entry"]').evaluateAll((entries) => entries.map((entry) => entry.getAttribute('data-status')))).toEqual([
        'draft',
        'submitted',
        'pending_approval',
        'awaiting_payment',
        'provisioning',
      ]);
      expect(await text(page, 'approval-decision')).toContain('Customer verified');
      expect(consoleProblems).toEqual([]);
    } finally {
      await context.close();
    }
    const order = (await call('GET', `/api/v1/orders?tenantId=${tenantId}`, staff)).data[0];
    expect(order).toMatchObject({ status: 'provisioning', totalMinor: '2500', items: [{ productId, quantity: 2, configuration: { region: 'us-east', hostname: 'web-1', disk: 20 } }] });
  });
});
