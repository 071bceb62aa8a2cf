// The shop in a real browser: an operator edits a draft's price in the admin catalog editor, sees
// the server's quote change and publishes it; a tenant owner finds the product in the portal by
// category and search, sees its prices in the currency they pick, configures it (an invalid value
// gets the server's message under the field), puts it in the cart and places the order; it needs
// approval, and the operator approves it in the admin order queue; the customer sees the new
// status and the timeline. A second test covers publish problems, the diff view and coupons; another
// has a customer apply a coupon to a cart (a bad code is refused under the field) and remove it.
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, startTestPlatform, type SignedInHeaders, type TestPlatform } from '../support/platform.js';
import { systemContext } from '../../src/kernel/context.js';
import { WEB_DIST, assertWebAppsBuilt, launchChromium, navLink, orderRow, watchConsole } from './browser.js';

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

async function draftProduct(code: string, name: string, category: string, content: Record<string, unknown> = SERVER_CONTENT): Promise<string> {
  const product = await call('POST', '/api/v1/products', staff, { code, kind: 'compute', name, category, description: `${name} for the shop test` });
  await call('PATCH', `/api/v1/products/${product.id}/versions/1`, staff, content);
  return product.id as string;
}

async function publishedProduct(code: string, name: string, category: string, content: Record<string, unknown> = SERVER_CONTENT): Promise<string> {
  const id = await draftProduct(code, name, category, content);
  await call('POST', `/api/v1/products/${id}/versions/1/publish`, staff);
  return id;
}

const withPrice = (unitAmount: string) => ({ ...SERVER_CONTENT, pricePlans: [{ ...SERVER_CONTENT.pricePlans[0]!, prices: { ...SERVER_CONTENT.pricePlans[0]!.prices, EUR: { model: 'per_unit', unitAmount } } }] });

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
  await addMember(t.platform, tenantId, CUSTOMER, 'owner');
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe('ordering a product that needs approval', () => {
  it('an operator publishes it from the editor, a customer configures and orders it, the operator approves it, the customer sees the new status', { timeout: 240_000 }, async () => {
    const productId = await draftProduct('approved-server', 'Approved server', 'Compute', withPrice('10.00'));
    await publishedProduct('plain-bucket', 'Plain bucket', 'Storage', { ...SERVER_CONTENT, requiresApproval: false, configurationSchema: { type: 'object', properties: {} }, provisioning: null });

    // The operator changes the draft's EUR price, sees the quote follow, and publishes.
    const operator = await browserAs(staff);
    try {
      const { page } = operator;
      await page.goto(`${baseUrl}/admin/catalog/products`);
      await page.getByTestId('catalog-search').fill('approved');
      await page.getByTestId('catalog-search-submit').click();
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="product-row"]').length === 1);
      await page.getByTestId('product-link').click();
      await page.getByTestId('open-draft').click();
      await page.getByTestId('version-page').waitFor();
      // The form customers will get, from the schema.
      await page.getByTestId('form-preview-hostname').waitFor();
      expect(await page.getByTestId('form-preview-region').inputValue()).toBe('eu-west');
      await page.getByTestId('preview-currency').selectOption('EUR');
      await page.waitForFunction(() => document.querySelector('[data-testid="preview-lines-recurring"]')?.textContent?.includes('10.00'));
      await page.getByTestId('plan-0-price-EUR-unitAmount').fill('12.50');
      await page.getByTestId('draft-save').click();
      await page.waitForFunction(() => document.querySelector('[data-testid="draft-save"]')?.textContent === 'Saved');
      await page.waitForFunction(() => document.querySelector('[data-testid="preview-lines-recurring"]')?.textContent?.includes('12.50'));
      await page.getByTestId('preview-quantity').fill('3');
      await page.waitForFunction(() => document.querySelector('[data-testid="preview-lines-recurring"]')?.textContent?.includes('37.50'));
      await page.screenshot({ path: '/tmp/shop-draft-editor.png', fullPage: true });
      await page.getByTestId('draft-publish').click();
      await page.getByRole('dialog').getByRole('button', { name: 'Publish', exact: true }).click();
      await page.locator('[data-testid="version-page"][data-status="published"]').waitFor();
      expect(operator.consoleProblems).toEqual([]);
    } catch (error) {
      await operator.page.screenshot({ path: '/tmp/shop-operator-failure.png' });
      throw error;
    }

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
      await page.waitForFunction(() => document.querySelector('[data-testid="live-price-recurring"]')?.textContent?.includes('25.00'));
      await page.getByTestId('config-hostname-error').waitFor({ state: 'detached' });
      await page.screenshot({ path: '/tmp/shop-product-page.png', fullPage: true });
      await page.getByTestId('add-to-cart').click();
      await page.getByTestId('added-to-cart').waitFor();

      // The cart, then checkout behind a confirmation.
      await navLink(page, 'Cart').click();
      await page.locator('[data-testid="cart"][data-currency="EUR"]').waitFor();
      expect(await text(page, 'cart-recurring-month')).toContain('25.00 per month');
      expect(await page.locator('[data-testid="configuration-entry"][data-key="hostname"]').textContent()).toBe('Host nameweb-1');
      await page.getByTestId('checkout').click();
      await page.getByRole('dialog').getByRole('button', { name: 'Place order', exact: true }).click();
      await page.getByRole('heading', { level: 1, name: /Pending approval$/ }).waitFor();
      await page.getByTestId('approval-pending').waitFor();
      const orderNumber = (await page.getByRole('heading', { level: 1 }).textContent())!.match(/ORD-\d+/)![0];

      // The operator finds it in the queue (pending approval is the default view) and approves it.
      {
        const admin = operator.page;
        await navLink(admin, 'Orders').click();
        const queued = orderRow(admin, orderNumber);
        await queued.waitFor();
        expect(await queued.getByRole('cell').nth(3).textContent()).toBe('Pending approval');
        await admin.getByLabel('Tenant').selectOption(tenantId);
        await queued.waitFor();
        await queued.getByRole('link', { name: orderNumber }).click();
        await admin.getByTestId('order-timeline').waitFor();
        expect(await admin.getByTestId('approval-pending').textContent()).toContain('Approved server requires approval');
        await admin.getByRole('button', { name: 'Approve' }).click();
        await admin.getByRole('dialog').getByLabel('Reason').fill('Customer verified');
        await admin.getByRole('dialog').getByRole('button', { name: 'Approve', exact: true }).click();
        await admin.getByRole('status').filter({ hasText: 'Order approved.' }).waitFor();
        await admin.getByRole('heading', { level: 1, name: /Provisioning$/ }).waitFor();
        expect(await admin.getByRole('button', { name: 'Mark delivered' }).isVisible()).toBe(true);
        expect(operator.consoleProblems).toEqual([]);
        await operator.context.close();
      }

      // The customer sees it: in the list and on the order, with the timeline.
      await navLink(page, 'Orders').click();
      const row = orderRow(page, orderNumber);
      await row.waitFor();
      expect(await row.getByRole('cell').nth(2).textContent()).toBe('Provisioning');
      await row.getByRole('link', { name: orderNumber }).click();
      await page.getByTestId('order-timeline').waitFor();
      expect(await page.locator('[data-testid="timeline-entry"]').evaluateAll((entries) => entries.map((entry) => entry.getAttribute('data-status')))).toEqual([
        'draft',
        'submitted',
        'pending_approval',
        'awaiting_payment',
        'provisioning',
      ]);
      expect(await text(page, 'approval-decision')).toContain('Customer verified');
      await page.screenshot({ path: '/tmp/shop-my-order.png', fullPage: true });
      expect(consoleProblems).toEqual([]);
    } finally {
      await context.close();
    }
    const order = (await call('GET', `/api/v1/orders?tenantId=${tenantId}`, staff)).data[0];
    expect(order).toMatchObject({ status: 'provisioning', totalMinor: '2500', items: [{ productId, quantity: 2, configuration: { region: 'us-east', hostname: 'web-1', disk: 20 } }] });
  });
});

describe('the admin catalog editor', () => {
  it('edits a product’s details, shows publish problems by section and the changes between two versions, and manages coupons and approval rules', { timeout: 180_000 }, async () => {
    const productId = await publishedProduct('diffed-server', 'Diffed server', 'Compute', { ...SERVER_CONTENT, requiresApproval: false });
    await call('POST', `/api/v1/products/${productId}/versions`, staff, {});
    const { context, page, consoleProblems } = await browserAs(staff);
    try {
      await page.goto(`${baseUrl}/admin/catalog/products/${productId}`);
      // The product's details: a stock that is no number is refused on its field; a new category is kept.
      await page.getByTestId('details-edit').click();
      await page.getByTestId('details-capacity').fill('lots');
      await page.getByTestId('details-save').click();
      await page.getByTestId('details-capacity-error').waitFor();
      await page.getByTestId('details-capacity').fill('');
      await page.getByTestId('details-category').fill('Servers');
      await page.getByTestId('details-save').click();
      await page.getByTestId('details-category-value').waitFor();
      expect(await text(page, 'details-category-value')).toBe('Servers');
      await page.getByTestId('open-draft').click();
      await page.locator('[data-testid="version-page"][data-version="2"]').waitFor();
      // A schema with a misspelt type and a second tier that ends below the first: the server names both.
      await page.getByTestId('draft-schema').fill(JSON.stringify({ type: 'object', properties: { region: { type: 'strnig' } } }));
      await page.getByTestId('draft-provisioning').fill('null');
      await page.getByTestId('plan-0-price-EUR-model').selectOption('graduated');
      await page.getByTestId('plan-0-price-EUR-add-tier').click();
      await page.getByTestId('plan-0-price-EUR-tier-0-upTo').fill('10');
      await page.getByTestId('plan-0-price-EUR-tier-0-unitAmount').fill('2.00');
      await page.getByTestId('plan-0-price-EUR-tier-1-upTo').fill('5');
      await page.getByTestId('plan-0-price-EUR-tier-1-unitAmount').fill('1.50');
      await page.getByTestId('draft-summary').fill('Graduated pricing');
      await page.getByTestId('draft-publish').click();
      await page.getByRole('dialog').getByRole('button', { name: 'Publish', exact: true }).click();
      await page.getByTestId('section-schema-problems').waitFor();
      expect(await page.getByTestId('section-schema-problems').textContent()).toContain('/configurationSchema/properties/region/type');
      expect(await page.getByTestId('plan-0-problems').textContent()).toContain('/prices/EUR/tiers/1/upTo');
      expect(await page.getByTestId('version-page').getAttribute('data-status')).toBe('draft');

      // Fixed, it publishes; the diff names what changed in words.
      await page.getByTestId('draft-schema').fill(JSON.stringify(SERVER_CONTENT.configurationSchema));
      await page.getByTestId('draft-provisioning').fill(JSON.stringify(SERVER_CONTENT.provisioning));
      await page.getByTestId('plan-0-price-EUR-tier-1-upTo').fill('');
      await page.getByTestId('draft-publish').click();
      await page.getByRole('dialog').getByRole('button', { name: 'Publish', exact: true }).click();
      await page.locator('[data-testid="version-page"][data-status="published"]').waitFor();
      await page.goto(`${baseUrl}/admin/catalog/products/${productId}`);
      await page.getByTestId('diff-open').click();
      await page.getByTestId('diff-table').waitFor();
      const paths = await page.locator('[data-testid="diff-change"]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-path')));
      expect(paths).toEqual(expect.arrayContaining(['/summary', '/pricePlans/0/prices/EUR/model', '/pricePlans/0/prices/EUR/tiers', '/pricePlans/0/prices/EUR/unitAmount']));
      expect(await page.locator('[data-testid="diff-change"][data-path="/pricePlans/0/prices/EUR/model"] [data-testid="diff-path"]').textContent()).toBe('Price plans › 1 › prices › EUR › model');
      expect(await page.locator('[data-testid="diff-change"][data-path="/summary"]').textContent()).toContain('Graduated pricing');

      // Retiring the old version asks first.
      await page.goto(`${baseUrl}/admin/catalog/products/${productId}/versions/1`);
      await page.getByTestId('version-retire').click();
      await page.getByRole('dialog').getByRole('button', { name: 'Retire', exact: true }).click();
      await page.locator('[data-testid="version-page"][data-status="retired"]').waitFor();

      // Coupons: a field error from the server, then created, then archived behind a confirmation.
      await page.goto(`${baseUrl}/admin/catalog/coupons`);
      await page.getByTestId('coupon-code').fill('x');
      await page.getByTestId('coupon-name').fill('Spring');
      await page.getByTestId('coupon-percent').fill('15');
      await page.getByTestId('coupon-submit').click();
      await page.getByTestId('coupon-code-error').waitFor();
      await page.getByTestId('coupon-code').fill('SPRING15');
      await page.getByTestId('coupon-submit').click();
      await page.getByTestId('coupon-created').waitFor();
      const coupon = page.locator('[data-testid="coupon-row"][data-code="SPRING15"]');
      await coupon.waitFor();
      expect(await coupon.textContent()).toContain('15% off');
      await coupon.getByTestId('coupon-archive').click();
      await page.getByRole('dialog').getByRole('button', { name: 'Archive', exact: true }).click();
      await page.locator('[data-testid="coupon-row"][data-code="SPRING15"][data-archived="true"]').waitFor();

      // Approval rules: created and deleted behind a confirmation.
      await page.getByTestId('tab-approval-rules').click();
      await page.getByTestId('rule-name').fill('Large orders');
      await page.getByTestId('rule-amount').fill('1000.00');
      await page.getByTestId('rule-submit').click();
      await page.getByTestId('rule-row').waitFor();
      expect(await page.getByTestId('rule-row').textContent()).toContain('Large orders');
      await page.getByTestId('rule-delete').click();
      await page.getByRole('dialog').getByRole('button', { name: 'Delete', exact: true }).click();
      await page.getByTestId('rule-row').waitFor({ state: 'detached' });
      expect(consoleProblems).toEqual([]);
    } catch (error) {
      await page.screenshot({ path: '/tmp/shop-editor-failure.png' });
      throw error;
    } finally {
      await context.close();
    }
    expect(await call('GET', `/api/v1/products/${productId}`, staff)).toMatchObject({ category: 'Servers', capacity: null });
    expect((await call('GET', '/api/v1/coupons', staff)).data[0]).toMatchObject({ code: 'SPRING15', archived: true, discount: { type: 'percent', percentOff: '15' } });
    expect(await call('GET', '/api/v1/approval-rules', staff)).toEqual([]);
  });
});

describe('refusals and cancellations', () => {
  it('an operator rejects an order only with a reason, the customer sees why; a customer cancels an order behind a confirmation', { timeout: 180_000 }, async () => {
    const productId = await publishedProduct('refused-server', 'Refused server', 'Compute');
    const customer = await t.signIn(CUSTOMER, PASSWORD);
    const placed: string[] = [];
    for (let index = 0; index < 2; index += 1) {
      const cart = await call('POST', '/api/v1/orders', customer, { currency: 'USD' });
      await call('POST', `/api/v1/orders/${cart.id}/items`, customer, { productId, pricePlan: 'monthly', quantity: 1, configuration: { hostname: `db-${index}` } });
      const submitted = await t.platform.app.inject({ method: 'POST', url: `/api/v1/orders/${cart.id}/submit`, headers: { ...customer, 'idempotency-key': `refusal-${index}` }, payload: {} });
      expect(submitted.json().status).toBe('pending_approval');
      placed.push(cart.id as string);
    }
    const [rejectedId, cancelledId] = placed as [string, string];

    const operator = await browserAs(staff);
    try {
      const { page } = operator;
      await page.goto(`${baseUrl}/admin/orders/${rejectedId}`);
      await page.getByRole('button', { name: 'Reject' }).click();
      expect(await page.getByRole('dialog').getByRole('button', { name: 'Reject', exact: true }).isDisabled()).toBe(true);
      await page.getByRole('dialog').getByLabel('Reason').fill('Credit check failed');
      await page.getByRole('dialog').getByRole('button', { name: 'Reject', exact: true }).click();
      await page.getByRole('status').filter({ hasText: 'Order rejected.' }).waitFor();
      await page.getByRole('heading', { level: 1, name: /Cancelled$/ }).waitFor();
      expect(operator.consoleProblems).toEqual([]);
    } finally {
      await operator.context.close();
    }

    const { context, page, consoleProblems } = await browserAs(customer);
    try {
      await page.goto(`${baseUrl}/portal/orders/${rejectedId}`);
      await page.getByTestId('approval-decision').waitFor();
      expect(await text(page, 'approval-decision')).toBe('Rejected: Credit check failed');
      expect(await page.getByRole('button', { name: 'Cancel order' }).count()).toBe(0);

      await page.goto(`${baseUrl}/portal/orders/${cancelledId}`);
      await page.getByRole('button', { name: 'Cancel order' }).click();
      await page.getByRole('dialog').getByLabel('Reason').fill('Ordered by mistake');
      await page.getByRole('dialog').getByRole('button', { name: 'Cancel', exact: true }).click();
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toMatch(/Pending approval$/);
      await page.getByRole('button', { name: 'Cancel order' }).click();
      await page.getByRole('dialog').getByLabel('Reason').fill('Ordered by mistake');
      await page.getByRole('dialog').getByRole('button', { name: 'Cancel order', exact: true }).click();
      await page.getByRole('heading', { level: 1, name: /Cancelled$/ }).waitFor();
      expect(await page.locator('[data-testid="timeline-entry"]').last().textContent()).toContain('Ordered by mistake');
      await page.screenshot({ path: '/tmp/shop-cancelled-order.png', fullPage: true });
      expect(consoleProblems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe('a coupon in the cart', () => {
  it('a customer applies a coupon to the cart and sees the discounted total; a bad code is refused under the field; removing it restores the total', { timeout: 120_000 }, async () => {
    const productId = await publishedProduct('coupon-server', 'Coupon server', 'Compute', { ...withPrice('10.00'), requiresApproval: false });
    await call('POST', '/api/v1/coupons', staff, { code: 'CART20', name: 'Twenty off the cart', discount: { type: 'percent', percentOff: '20' }, duration: { type: 'once' } });
    const customer = await t.signIn(CUSTOMER, PASSWORD);
    const cart = await call('POST', '/api/v1/orders', customer, { currency: 'EUR' });
    await call('POST', `/api/v1/orders/${cart.id}/items`, customer, { productId, pricePlan: 'monthly', quantity: 3, configuration: { hostname: 'coupon-1' } });

    const { context, page, consoleProblems } = await browserAs(customer);
    try {
      await page.goto(`${baseUrl}/portal/cart`);
      const card = page.locator(`[data-testid="cart"][data-order-id="${cart.id}"]`);
      await card.waitFor();
      expect(await card.getByTestId('cart-total').textContent()).toContain('30.00');

      // A code that is no coupon: the server's 422 shows under the field, the cart stays as it was.
      await card.getByTestId('cart-coupon-code').fill('NOSUCH');
      await card.getByTestId('cart-coupon-apply').click();
      await card.getByTestId('coupon-code-EUR-error').waitFor();
      expect(await card.getByTestId('coupon-code-EUR-error').textContent()).toBe('Is not a coupon.');
      expect(await card.getByTestId('cart-coupon-applied').count()).toBe(0);
      expect(await card.getByTestId('cart-total').textContent()).toContain('30.00');

      // Typed in lower case, applied: 20% off 30.00.
      await card.getByTestId('cart-coupon-code').fill('cart20');
      await card.getByTestId('cart-coupon-apply').click();
      await card.locator('[data-testid="cart-coupon-applied"][data-code="CART20"]').waitFor();
      expect(await card.getByTestId('coupon-code-EUR-error').count()).toBe(0);
      expect(await card.getByTestId('cart-due-now').textContent()).toContain('24.00 due now');
      // A `once` coupon takes 20% off the first month (due now), not off what every month costs.
      expect(await card.getByTestId('order-recurring-month').textContent()).toContain('30.00 per month');
      expect(await card.getByTestId('cart-discount-line').textContent()).toContain('Coupon CART20');
      expect(await card.getByTestId('cart-discount-total').textContent()).toContain('6.00');
      await page.screenshot({ path: '/tmp/shop-cart-coupon.png', fullPage: true });

      // Removed: the full price again.
      await card.getByTestId('cart-coupon-remove').click();
      await card.getByTestId('cart-coupon-applied').waitFor({ state: 'detached' });
      expect(await card.getByTestId('cart-due-now').textContent()).toContain('30.00 due now');
      expect(consoleProblems).toEqual([]);
    } catch (error) {
      await page.screenshot({ path: '/tmp/shop-cart-coupon-failure.png', fullPage: true });
      throw error;
    } finally {
      await context.close();
    }
    expect(await call('GET', `/api/v1/orders/${cart.id}`, customer)).toMatchObject({ status: 'draft', couponCode: null, totalMinor: '3000' });
  });
});
