// Prices and orders as customers and operators read them, in Chromium: a product card's "from"
// price; a flat plan with a setup fee in the cart, its monthly amount and its one-time setup fee
// apart (no "× 2" beside an amount that was not multiplied, and a sentence on what the quantity
// does); the configuration by the schema's titles; the operator's message instead of a regular
// expression; leaving unsaved edits asks first; the order's number in the portal and in the admin
// (found by it), and the people in its timeline by name.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { addMember, type SignedInHeaders } from '../support/platform.js';
import { systemContext } from '../../src/kernel/context.js';
import { browserSuite, dialog, navLink, orderRow, pageWithSession, pressInDialog } from './browser.js';

const suite = browserSuite();
const PASSWORD = 'prices e2e passphrase';
const CUSTOMER = 'buyer@priced.example.com';

async function call(method: 'GET' | 'POST' | 'PATCH', url: string, headers: Record<string, string>, payload?: unknown) {
  const response = await suite.t.platform.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
  if (response.statusCode >= 300) throw new Error(`${method} ${url}: ${response.statusCode} ${response.body}`);
  return response.json();
}

const text = async (page: Page, testId: string) => (await page.getByTestId(testId).first().textContent()) ?? '';

const CONTENT = {
  summary: 'Launch',
  configurationSchema: {
    type: 'object',
    required: ['hostname'],
    additionalProperties: false,
    properties: {
      hostname: { type: 'string', title: 'Server name', description: 'Lower-case letters, digits and dashes', pattern: '^[a-z][a-z0-9-]{2,62}$', 'x-errorMessage': 'Use 3 to 63 lower-case letters, digits and dashes, starting with a letter.' },
      cpus: { type: 'integer', title: 'Processors', minimum: 1, maximum: 16, default: 4 },
    },
  },
  availability: { regions: [], providers: [], tenantTiers: [], minQuantity: 1, maxQuantity: null, prerequisites: [] },
  provisioning: null,
  requiresApproval: false,
  quotaConsumption: {},
  pricePlans: [
    { code: 'flat', name: 'Flat', interval: 'month', trialDays: 0, taxCategory: 'saas', setupFee: { EUR: '10.00' }, prices: { EUR: { model: 'flat', amount: '40.00' } }, usage: [] },
    { code: 'per-unit', name: 'Per unit', interval: 'month', trialDays: 0, taxCategory: 'saas', setupFee: {}, prices: { EUR: { model: 'per_unit', unitAmount: '45.00' } }, usage: [] },
  ],
};

describe('prices and orders for people', () => {
  it('shows the from price, recurring and one-time apart, titles, the operator’s message, asks before unsaved edits are lost, and names orders and people', { timeout: 240_000 }, async () => {
    const { t, browser, base } = suite;
    const staff: SignedInHeaders = await t.signIn();
    const tenant = await call('POST', '/api/v1/tenants', staff, { organizationName: 'Priced', domain: 'priced.example.com', adminEmail: 'ops@priced.example.com' });
    await t.platform.identity.service.createUser({ email: CUSTOMER, password: PASSWORD }, systemContext('test'));
    await addMember(t.platform, tenant.id, CUSTOMER, 'owner');
    await call('PATCH', '/api/v1/me', await t.signIn(CUSTOMER, PASSWORD), { displayName: 'Paula Priced' });
    const product = await call('POST', '/api/v1/products', staff, { code: 'priced-server', kind: 'compute', name: 'Priced server', category: 'Compute', description: 'A server' });
    await call('PATCH', `/api/v1/products/${product.id}/versions/1`, staff, CONTENT);
    await call('POST', `/api/v1/products/${product.id}/versions/1/publish`, staff);
    const customer = await t.signIn(CUSTOMER, PASSWORD);

    const { context, page, consoleProblems } = await pageWithSession(browser, base, customer);
    let orderNumber = '';
    let orderId = '';
    try {
      // The card says what it costs at least, and per what.
      await page.goto(`${base}/portal/products`);
      const card = page.locator(`[data-testid="product-card"][data-product-id="${product.id}"]`);
      await card.waitFor();
      const from = card.getByTestId('product-from-price');
      expect(await from.textContent()).toMatch(/^from €40\.00 per month/);
      expect(await from.textContent()).toContain('€10.00 setup');
      await card.getByTestId('product-link').click();

      // The operator's message, never the pattern.
      await page.getByTestId('product-page').waitFor();
      expect(await page.getByTestId('product-page').textContent()).not.toContain('^[a-z]');
      await page.getByTestId('config-hostname').fill('Web 1');
      await page.getByTestId('add-to-cart').click();
      await page.getByTestId('config-hostname-error').waitFor();
      expect(await text(page, 'config-hostname-error')).toBe('Use 3 to 63 lower-case letters, digits and dashes, starting with a letter.');

      // Leaving with unsaved edits asks; Cancel stays with the edits.
      await navLink(page, 'Orders').click();
      const leave = dialog(page, 'Leave without adding to your cart?');
      await leave.waitFor();
      expect(await leave.textContent()).toContain('not in your cart yet');
      await pressInDialog(page, 'Cancel');
      expect(page.url()).toContain(`/portal/products/${product.id}`);
      expect(await page.getByTestId('config-hostname').inputValue()).toBe('Web 1');
      // Closing or reloading the tab makes the browser ask too.
      const asked = new Promise<string>((resolve) => page.once('dialog', (dialog) => void dialog.dismiss().then(() => resolve(dialog.type()))));
      await page.getByTestId('config-hostname').click();
      await page.evaluate(() => window.location.reload());
      expect(await asked).toBe('beforeunload');
      expect(await page.getByTestId('config-hostname').inputValue()).toBe('Web 1');

      // A flat plan for 2: the quote never puts the setup fee into "per month" and never says "× 2".
      await page.getByTestId('config-hostname').fill('web-1');
      await page.getByTestId('quantity').fill('2');
      await page.waitForFunction(() => document.querySelector('[data-testid="live-price-recurring"]')?.textContent === '€40.00 per month');
      expect(await text(page, 'live-price-one-time')).toBe('€10.00 once (setup)');
      expect(await page.getByTestId('live-price').textContent()).not.toContain('× 2');
      expect(await text(page, 'quantity-effect')).toContain('Flat price: the quantity does not change the amount');
      await page.getByTestId('add-to-cart').click();
      await page.getByTestId('added-to-cart').waitFor();
      // Once in the cart, leaving asks nothing.
      await navLink(page, 'Cart').click();

      const cart = page.locator('[data-testid="cart"][data-currency="EUR"]');
      await cart.waitFor();
      expect(await cart.getByTestId('cart-recurring-month').textContent()).toBe('€40.00 per month');
      expect(await cart.getByTestId('cart-one-time').textContent()).toBe('€10.00 once');
      expect(await cart.getByTestId('item-recurring').textContent()).toBe('€40.00 per month');
      expect(await cart.getByTestId('item-one-time').textContent()).toBe('€10.00 once (setup)');
      expect(await cart.getByTestId('order-recurring-month').textContent()).toBe('€40.00 per month');
      expect(await cart.getByTestId('order-one-time').textContent()).toBe('€10.00 once');
      expect(await cart.getByTestId('order-due-now').textContent()).toBe('€50.00');
      expect(await cart.getByTestId('item-quantity-effect').textContent()).toContain('does not change the amount');
      expect(await cart.getByTestId('order-items').textContent()).not.toContain('×');
      // The configuration by the schema's titles, with the default filled in; no raw keys.
      const entries = await cart.getByTestId('configuration-entry').evaluateAll((nodes) => nodes.map((node) => [node.querySelector('dt')?.textContent, node.querySelector('dd')?.textContent]));
      expect(entries).toEqual([
        ['Server name', 'web-1'],
        ['Processors', '4'],
      ]);
      expect(await cart.getByTestId('item-configuration').textContent()).not.toMatch(/cpus|hostname/);

      // A typed coupon code that is not applied is an unsaved edit too.
      await cart.getByTestId('cart-coupon-code').fill('SOMETHING');
      await navLink(page, 'Products').click();
      await dialog(page).waitFor();
      await pressInDialog(page, 'Cancel');
      await cart.getByTestId('cart-coupon-code').fill('');

      await cart.getByTestId('checkout').click();
      await page.getByRole('dialog').getByRole('button', { name: 'Place order', exact: true }).click();
      await page.waitForURL(/\/portal\/orders\/[^/]+$/);
      orderId = page.url().split('/').at(-1)!;
      await page.getByRole('heading', { level: 1, name: /ORD-\d+/ }).waitFor();
      orderNumber = (await page.getByRole('heading', { level: 1 }).textContent())!.match(/ORD-\d+/)![0];
      expect(orderNumber).toBe('ORD-000001');
      expect(await page.locator('h1').first().textContent()).not.toContain(orderId);
      expect(await text(page, 'order-number')).toBe('ORD-000001');
      const actors = await page.getByTestId('timeline-actor').allTextContents();
      expect(actors.length).toBeGreaterThan(0);
      expect(new Set(actors)).toEqual(new Set(['Paula Priced']));
      expect(await page.getByTestId('order-timeline').textContent()).not.toContain('usr_');

      await navLink(page, 'Orders').click();
      const row = orderRow(page, 'ORD-000001');
      await row.waitFor();
      expect(await row.textContent()).toContain('€40.00 per month + €10.00 once');
      expect(await row.textContent()).not.toContain(orderId);
      expect(consoleProblems).toEqual([]);
    } finally {
      await context.close();
    }

    // The operator finds the order by its number and sees who placed it, by name.
    const admin = await pageWithSession(browser, base, staff);
    try {
      await admin.page.goto(`${base}/admin/orders`);
      await admin.page.getByRole('searchbox', { name: 'Order number' }).fill('ORD-000001');
      await admin.page.getByRole('button', { name: 'Find' }).click();
      const row = orderRow(admin.page, orderNumber);
      await row.waitFor();
      // The head row and this order's.
      expect(await admin.page.getByRole('table', { name: 'Orders' }).getByRole('row').count()).toBe(2);
      await row.getByRole('link', { name: orderNumber }).click();
      await admin.page.getByTestId('order-timeline').waitFor();
      expect(await admin.page.getByRole('heading', { level: 1 }).textContent()).toContain(orderNumber);
      expect(await admin.page.getByTestId('timeline-actor').first().textContent()).toBe('Paula Priced');
      expect(await admin.page.getByTestId('order-timeline').textContent()).not.toContain('usr_');
      await admin.page.screenshot({ path: '/tmp/prices-admin-order.png', fullPage: true });
      expect(admin.consoleProblems).toEqual([]);
    } finally {
      await admin.context.close();
    }
  });
});
