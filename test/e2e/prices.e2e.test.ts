// Prices and orders as customers and operators read them, in Chromium: a product card's "from"
// price; a flat plan with a setup fee in the cart, its monthly amount and its one-time setup fee
// apart (no "× 2" beside an amount that was not multiplied, and a sentence on what the quantity
// does); the configuration by the schema's titles; the operator's message instead of a regular
// expression; leaving unsaved edits asks first; the order's number in the portal and in the admin
// (found by it), and the people in its timeline by name.
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { addMember, type SignedInHeaders } from '../support/platform.js';
import { createProduct, pricePlan } from '../support/builders.js';
import type { VersionContentPatch } from '../../web/shared/api/types.js';
import { systemContext } from '../../src/kernel/context.js';
import { browserSuite, cellBeside, definitionOf, dialog, navLink, orderRow, pageWithSession, pressInDialog, rowHeadedBy } from './browser.js';

const suite = browserSuite();
const PASSWORD = 'prices e2e passphrase';
const CUSTOMER = 'buyer@priced.example.com';

async function call(method: 'GET' | 'POST' | 'PATCH', url: string, headers: Record<string, string>, payload?: unknown) {
  const response = await suite.t.platform.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
  if (response.statusCode >= 300) throw new Error(`${method} ${url}: ${response.statusCode} ${response.body}`);
  return response.json();
}

const text = async (locator: Locator) => (await locator.first().textContent()) ?? '';

/** The order's timeline: its status changes, oldest first. */
const statusChanges = (page: Page) => page.getByRole('list', { name: 'Status changes' });

/** Who moved the order, at each change that names someone ("… · by Paula Priced"), as the timeline reads. */
async function actors(page: Page): Promise<string[]> {
  const entries = await statusChanges(page).getByRole('listitem').allInnerTexts();
  return entries.flatMap((entry) => /· by (.+)$/m.exec(entry)?.[1] ?? []);
}

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
    pricePlan({ code: 'flat', name: 'Flat', setupFee: { EUR: '10.00' }, prices: { EUR: { model: 'flat', amount: '40.00' } } }),
    pricePlan({ code: 'per-unit', name: 'Per unit', prices: { EUR: { model: 'per_unit', unitAmount: '45.00' } } }),
  ],
} satisfies VersionContentPatch;

describe('prices and orders for people', () => {
  it('shows the from price, recurring and one-time apart, titles, the operator’s message, asks before unsaved edits are lost, and names orders and people', { timeout: 240_000 }, async () => {
    const { t, browser, base } = suite;
    const staff: SignedInHeaders = await t.signIn();
    const tenant = await call('POST', '/api/v1/tenants', staff, { organizationName: 'Priced', domain: 'priced.example.com', adminEmail: 'ops@priced.example.com' });
    await t.platform.identity.service.createUser({ email: CUSTOMER, password: PASSWORD }, systemContext('test'));
    await addMember(t.platform, tenant.id, CUSTOMER, 'owner');
    await call('PATCH', '/api/v1/me', await t.signIn(CUSTOMER, PASSWORD), { displayName: 'Paula Priced' });
    const product = await createProduct(t, staff, { code: 'priced-server', fields: { name: 'Priced server', category: 'Compute', description: 'A server' }, content: CONTENT });
    const customer = await t.signIn(CUSTOMER, PASSWORD);

    const { context, page, consoleProblems } = await pageWithSession(browser, base, customer);
    let orderNumber = '';
    let orderId = '';
    try {
      // The card says what it costs at least, and per what.
      await page.goto(`${base}/portal/products`);
      const card = page.getByRole('article', { name: 'Priced server', exact: true });
      await card.waitFor();
      const from = card.getByText(/^from /);
      expect(await from.textContent()).toMatch(/^from €40\.00 per month/);
      expect(await from.textContent()).toContain('€10.00 setup');
      await card.getByRole('link', { name: 'Priced server', exact: true }).click();

      // The operator's message, never the pattern: it is what the field is described by.
      await page.getByRole('heading', { level: 1, name: 'Priced server', exact: true }).waitFor();
      expect(await page.getByRole('main').textContent()).not.toContain('^[a-z]');
      const configure = page.getByRole('region', { name: 'Configure' });
      const serverName = configure.getByRole('textbox', { name: 'Server name' });
      await serverName.fill('Web 1');
      await configure.getByRole('button', { name: 'Add to cart', exact: true }).click();
      await configure.getByRole('textbox', { name: 'Server name *', description: 'Use 3 to 63 lower-case letters, digits and dashes, starting with a letter.', exact: true }).waitFor();

      // Leaving with unsaved edits asks; Cancel stays with the edits.
      await navLink(page, 'Orders').click();
      const leave = dialog(page, 'Leave without adding to your cart?');
      await leave.waitFor();
      expect(await leave.textContent()).toContain('not in your cart yet');
      await pressInDialog(page, 'Cancel');
      expect(page.url()).toContain(`/portal/products/${product.id}`);
      expect(await serverName.inputValue()).toBe('Web 1');
      // Closing or reloading the tab makes the browser ask too.
      const asked = new Promise<string>((resolve) => page.once('dialog', (dialog) => void dialog.dismiss().then(() => resolve(dialog.type()))));
      await serverName.click();
      await page.evaluate(() => window.location.reload());
      expect(await asked).toBe('beforeunload');
      expect(await serverName.inputValue()).toBe('Web 1');

      // A flat plan for 2: the quote never puts the setup fee into "per month" and never says "× 2".
      // Its totals are rows headed by what they are ("Per month", "Once").
      await serverName.fill('web-1');
      await page.getByRole('region', { name: 'Plans' }).getByRole('textbox', { name: 'Quantity' }).fill('2');
      const price = configure.getByRole('table', { name: 'Price' });
      await cellBeside(price, 'Per month').filter({ hasText: /^€40\.00 per month$/ }).waitFor();
      expect(await text(cellBeside(price, 'Once'))).toBe('€10.00 once (setup)');
      expect(await price.textContent()).not.toContain('× 2');
      expect(await price.getByText('Flat price: the quantity does not change the amount').count()).toBeGreaterThan(0);
      await configure.getByRole('button', { name: 'Add to cart', exact: true }).click();
      await page.getByRole('status').filter({ hasText: 'Added to your EUR cart.' }).waitFor();
      // Once in the cart, leaving asks nothing.
      await navLink(page, 'Cart').click();

      const cart = page.getByRole('region', { name: 'Cart in EUR' });
      await cart.waitFor();
      expect(await cart.getByRole('list', { name: 'Totals' }).getByRole('listitem').allTextContents()).toEqual(['€40.00 per month', '€10.00 once', '€50.00 due now']);
      // The item's row is headed by its product; the order's totals by their names.
      const items = cart.getByRole('table', { name: 'Items' });
      const item = rowHeadedBy(items, 'Priced server v1');
      expect(await item.getByText('€40.00 per month', { exact: true }).count()).toBe(1);
      expect(await item.getByText('€10.00 once (setup)', { exact: true }).count()).toBe(1);
      expect(await text(cellBeside(items, 'Total per month'))).toBe('€40.00 per month');
      expect(await text(cellBeside(items, 'Total once'))).toBe('€10.00 once');
      expect(await text(cellBeside(items, 'Due now'))).toBe('€50.00');
      expect(await item.getByText('does not change the amount').count()).toBe(1);
      expect(await items.textContent()).not.toContain('×');
      // The configuration by the schema's titles, with the default filled in; no raw keys.
      const titles = await item.getByRole('term').allTextContents();
      const values = await item.getByRole('definition').allTextContents();
      expect(titles.map((title, index) => [title, values[index]])).toEqual([
        ['Server name', 'web-1'],
        ['Processors', '4'],
      ]);
      expect(await items.textContent()).not.toMatch(/cpus|hostname/);

      // A typed coupon code that is not applied is an unsaved edit too.
      const couponCode = cart.getByRole('textbox', { name: 'Coupon code', exact: true });
      await couponCode.fill('SOMETHING');
      await navLink(page, 'Products').click();
      await dialog(page).waitFor();
      await pressInDialog(page, 'Cancel');
      await couponCode.fill('');

      await cart.getByRole('button', { name: 'Place order', exact: true }).click();
      await pressInDialog(page, 'Place order');
      await page.waitForURL(/\/portal\/orders\/[^/]+$/);
      orderId = page.url().split('/').at(-1)!;
      await page.getByRole('heading', { level: 1, name: /ORD-\d+/ }).waitFor();
      orderNumber = (await page.getByRole('heading', { level: 1 }).textContent())!.match(/ORD-\d+/)![0];
      expect(orderNumber).toBe('ORD-000001');
      expect(await page.getByRole('heading', { level: 1 }).textContent()).not.toContain(orderId);
      expect(await text(definitionOf(page, 'Order number'))).toBe('ORD-000001');
      const named = await actors(page);
      expect(named.length).toBeGreaterThan(0);
      expect(new Set(named)).toEqual(new Set(['Paula Priced']));
      expect(await statusChanges(page).textContent()).not.toContain('usr_');

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
      await statusChanges(admin.page).waitFor();
      expect(await admin.page.getByRole('heading', { level: 1 }).textContent()).toContain(orderNumber);
      expect((await actors(admin.page))[0]).toBe('Paula Priced');
      expect(await statusChanges(admin.page).textContent()).not.toContain('usr_');
      await admin.page.screenshot({ path: '/tmp/prices-admin-order.png', fullPage: true });
      expect(admin.consoleProblems).toEqual([]);
    } finally {
      await admin.context.close();
    }
  });
});
