// The shop in a real browser: an operator edits a draft's price in the admin catalog editor, sees
// the server's quote change and publishes it; a tenant owner finds the product in the portal by
// category and search, sees its prices in the currency they pick, configures it (an invalid value
// gets the server's message under the field), puts it in the cart and places the order; it needs
// approval, and the operator approves it in the admin order queue; the customer sees the new
// status and the timeline. A second test covers publish problems, the diff view and coupons; another
// has a customer apply a coupon to a cart (a bad code is refused under the field) and remove it.
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, startTestPlatform, type SignedInHeaders, type TestPlatform } from '../support/platform.js';
import { systemContext } from '../../src/kernel/context.js';
import { WEB_DIST, assertWebAppsBuilt, cellBeside, definitionOf, launchChromium, navLink, orderRow, pressInDialog, rowHeadedBy, watchConsole } from './browser.js';
import { createProduct, pricePlan, publishVersion } from '../support/builders.js';
import type { VersionContentPatch } from '../../web/shared/api/types.js';

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
  pricePlans: [pricePlan({ prices: { EUR: { model: 'per_unit', unitAmount: '12.50' }, USD: { model: 'per_unit', unitAmount: '13.75' } } })],
} satisfies VersionContentPatch;

async function draftProduct(code: string, name: string, category: string, content: VersionContentPatch = SERVER_CONTENT): Promise<string> {
  return (await createProduct(t, staff, { code, fields: { name, category, description: `${name} for the shop test` }, content, publish: false })).id;
}

async function publishedProduct(code: string, name: string, category: string, content: VersionContentPatch = SERVER_CONTENT): Promise<string> {
  const id = await draftProduct(code, name, category, content);
  await publishVersion(t, staff, id, 1);
  return id;
}

const withPrice = (unitAmount: string) => ({ ...SERVER_CONTENT, pricePlans: [pricePlan({ ...SERVER_CONTENT.pricePlans[0], prices: { ...SERVER_CONTENT.pricePlans[0]!.prices, EUR: { model: 'per_unit', unitAmount } } })] });

async function browserAs(headers: SignedInHeaders): Promise<{ context: BrowserContext; page: Page; consoleProblems: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const [name, value] = headers.cookie.split('=') as [string, string];
  await context.addCookies([{ name, value, url: baseUrl, httpOnly: true, sameSite: 'Strict' }]);
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  return { context, page, consoleProblems: watchConsole(page) };
}

const text = async (locator: Locator) => (await locator.first().textContent())?.trim() ?? '';

/** Waits for and returns as many matches as are wanted: a list that is loading or filtering again settles. */
async function settlesAt(locator: Locator, count: number): Promise<void> {
  await expect.poll(() => locator.count(), { timeout: 15_000 }).toBe(count);
}

/**
 * Waits for the one problem a form shows and checks that it is the field's: the alert is also what
 * the field's description (aria-describedby) reads out with it.
 */
async function problemOn(form: Locator, field: { role: 'textbox'; name: string | RegExp }): Promise<string> {
  const problem = form.getByRole('alert');
  await problem.waitFor();
  const message = await text(problem);
  expect(message).not.toBe('');
  expect(await form.getByRole(field.role, { name: field.name, description: message }).count()).toBe(1);
  return message;
}

/** The statuses an order's timeline went through, oldest first, as people read them. */
const statusChanges = (page: Page) => page.getByRole('list', { name: 'Status changes' });
/** The approval notice on an order: waiting for one, or the decision with its reason. */
const approvalNotice = (page: Page, start: RegExp) => page.getByRole('status').filter({ hasText: start });

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
      await page.getByRole('searchbox', { name: 'Search products' }).fill('approved');
      await page.getByRole('search', { name: 'Find products' }).getByRole('button', { name: 'Search', exact: true }).click();
      const products = page.getByRole('table', { name: 'Products' });
      // The head row and the one product found.
      await settlesAt(products.getByRole('row'), 2);
      await products.getByRole('link', { name: 'Approved server', exact: true }).click();
      await page.getByRole('link', { name: 'Edit draft v1', exact: true }).click();
      await page.getByRole('heading', { level: 1, name: 'Approved server v1 draft', exact: true }).waitFor();
      // The form customers will get, from the schema.
      const formPreview = page.getByRole('region', { name: 'The form customers get' });
      await formPreview.getByRole('textbox', { name: 'Host name' }).waitFor();
      expect(await formPreview.getByRole('combobox', { name: 'Region' }).inputValue()).toBe('eu-west');
      const quote = page.getByRole('region', { name: 'Quote for the saved draft' });
      await quote.getByRole('combobox', { name: 'Currency' }).selectOption('EUR');
      const perMonth = cellBeside(quote.getByRole('table', { name: 'Quote' }), 'Per month');
      await perMonth.filter({ hasText: '10.00' }).waitFor();
      await page.getByRole('region', { name: 'Plan 1: Monthly' }).getByRole('group', { name: 'EUR', exact: true }).getByRole('textbox', { name: 'Per unit', exact: true }).fill('12.50');
      await page.getByRole('button', { name: 'Save draft', exact: true }).click();
      await page.getByRole('button', { name: 'Saved', exact: true }).waitFor();
      await perMonth.filter({ hasText: '12.50' }).waitFor();
      await quote.getByRole('textbox', { name: 'Quantity' }).fill('3');
      await perMonth.filter({ hasText: '37.50' }).waitFor();
      await page.screenshot({ path: '/tmp/shop-draft-editor.png', fullPage: true });
      await page.getByRole('button', { name: 'Publish…', exact: true }).click();
      await pressInDialog(page, 'Publish');
      await page.getByRole('heading', { level: 1, name: 'Approved server v1 published', exact: true }).waitFor();
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
      // Each product is an article named by its name.
      const cards = page.getByRole('main').getByRole('article');
      await cards.first().waitFor();
      expect(await cards.count()).toBe(2);
      const categories = page.getByRole('navigation', { name: 'Categories' });
      await categories.getByRole('button', { name: 'Storage', exact: true }).click();
      await categories.getByRole('button', { name: 'Storage', exact: true, pressed: true }).waitFor();
      await settlesAt(cards, 1);
      expect(await page.getByRole('article', { name: 'Plain bucket', exact: true }).count()).toBe(1);
      await categories.getByRole('button', { name: 'All', exact: true }).click();
      await page.getByRole('searchbox', { name: 'Search products' }).fill('approved');
      await page.getByRole('search', { name: 'Find products' }).getByRole('button', { name: 'Search', exact: true }).click();
      await expect.poll(async () => (await cards.count()) === 1 && (await page.getByRole('article', { name: 'Approved server', exact: true }).count()) === 1, { timeout: 15_000 }).toBe(true);
      await page.getByRole('article', { name: 'Approved server', exact: true }).getByRole('link', { name: 'Approved server', exact: true }).click();

      // Prices in the chosen currency, and a live quote. Each plan is a radio button named by its plan and price.
      await page.getByRole('heading', { level: 1, name: 'Approved server', exact: true }).waitFor();
      const plans = page.getByRole('region', { name: 'Plans' });
      await plans.getByRole('radio', { name: /^Monthly — .*12\.50/ }).waitFor();
      await plans.getByRole('combobox', { name: 'Currency' }).selectOption('USD');
      await plans.getByRole('radio', { name: /^Monthly — .*13\.75/ }).waitFor();
      await plans.getByRole('combobox', { name: 'Currency' }).selectOption('EUR');

      // An invalid host name: the server's message appears under the field, and is what the field is described by.
      const configure = page.getByRole('region', { name: 'Configure' });
      const hostName = configure.getByRole('textbox', { name: 'Host name' });
      const hostNameRefused = configure.getByRole('textbox', { name: 'Host name', description: /format "hostname"/ });
      await hostName.fill('not a host!');
      await hostNameRefused.waitFor();
      await configure.getByRole('button', { name: 'Add to cart', exact: true }).click();
      await configure.getByRole('button', { name: 'Add to cart', exact: true, disabled: false }).waitFor();
      expect(await hostNameRefused.count()).toBe(1);

      await hostName.fill('web-1');
      await configure.getByRole('combobox', { name: 'Region' }).selectOption('us-east');
      await plans.getByRole('textbox', { name: 'Quantity' }).fill('2');
      await cellBeside(configure.getByRole('table', { name: 'Price' }), 'Per month').filter({ hasText: '25.00' }).waitFor();
      await hostNameRefused.waitFor({ state: 'detached' });
      await page.screenshot({ path: '/tmp/shop-product-page.png', fullPage: true });
      await configure.getByRole('button', { name: 'Add to cart', exact: true }).click();
      await page.getByRole('status').filter({ hasText: 'Added to your EUR cart.' }).waitFor();

      // The cart, then checkout behind a confirmation.
      await navLink(page, 'Cart').click();
      const cart = page.getByRole('region', { name: 'Cart in EUR' });
      await cart.waitFor();
      expect(await text(cart.getByRole('list', { name: 'Totals' }).getByRole('listitem'))).toContain('25.00 per month');
      expect(await text(definitionOf(cart.getByRole('table', { name: 'Items' }), 'Host name'))).toBe('web-1');
      await cart.getByRole('button', { name: 'Place order', exact: true }).click();
      await pressInDialog(page, 'Place order');
      await page.getByRole('heading', { level: 1, name: /Pending approval$/ }).waitFor();
      await approvalNotice(page, /^Waiting for an operator/).waitFor();
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
        await statusChanges(admin).waitFor();
        expect(await text(approvalNotice(admin, /^Waiting for an operator/))).toContain('Approved server requires approval');
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
      await statusChanges(page).waitFor();
      // Each change names its status first, in bold.
      expect(await statusChanges(page).getByRole('listitem').getByRole('strong').allTextContents()).toEqual(['Cart', 'Submitted', 'Pending approval', 'Awaiting payment', 'Provisioning']);
      expect(await text(approvalNotice(page, /^(Approved|Rejected)\b/))).toContain('Customer verified');
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
      const details = page.getByRole('region', { name: 'Details', exact: true });
      await details.getByRole('button', { name: 'Edit details', exact: true }).click();
      await details.getByRole('textbox', { name: /^Stock/ }).fill('lots');
      await details.getByRole('button', { name: 'Save details', exact: true }).click();
      await problemOn(details, { role: 'textbox', name: /^Stock/ });
      await details.getByRole('textbox', { name: /^Stock/ }).fill('');
      await details.getByRole('textbox', { name: 'Category', exact: true }).fill('Servers');
      await details.getByRole('button', { name: 'Save details', exact: true }).click();
      await definitionOf(details, 'Category').waitFor();
      expect(await text(definitionOf(details, 'Category'))).toBe('Servers');
      await page.getByRole('link', { name: 'Edit draft v2', exact: true }).click();
      await page.getByRole('heading', { level: 1, name: 'Diffed server v2 draft', exact: true }).waitFor();
      // A schema with a misspelt type and a second tier that ends below the first: the server names both.
      const schema = page.getByRole('textbox', { name: /^JSON Schema/ });
      const provisioning = page.getByRole('textbox', { name: /^Capability and parameters/ });
      const plan = page.getByRole('region', { name: 'Plan 1: Monthly' });
      const euros = plan.getByRole('group', { name: 'EUR', exact: true });
      await schema.fill(JSON.stringify({ type: 'object', properties: { region: { type: 'strnig' } } }));
      await provisioning.fill('null');
      await euros.getByRole('combobox', { name: 'Model' }).selectOption('graduated');
      await euros.getByRole('button', { name: 'Add tier', exact: true }).click();
      await euros.getByRole('textbox', { name: 'Tier 1 up to' }).fill('10');
      await euros.getByRole('textbox', { name: 'Tier 1 unit amount' }).fill('2.00');
      await euros.getByRole('textbox', { name: 'Tier 2 up to' }).fill('5');
      await euros.getByRole('textbox', { name: 'Tier 2 unit amount' }).fill('1.50');
      await page.getByRole('textbox', { name: 'What changed in this version' }).fill('Graduated pricing');
      await page.getByRole('button', { name: 'Publish…', exact: true }).click();
      await pressInDialog(page, 'Publish');
      // Each problem in the section it concerns.
      const schemaProblems = page.getByRole('region', { name: 'Configuration schema', exact: true }).getByRole('alert');
      await schemaProblems.waitFor();
      expect(await schemaProblems.textContent()).toContain('/configurationSchema/properties/region/type');
      expect(await plan.getByRole('alert').textContent()).toContain('/prices/EUR/tiers/1/upTo');
      expect(await text(page.getByRole('heading', { level: 1 }))).toBe('Diffed server v2 draft');

      // Fixed, it publishes; the diff names what changed in words.
      await schema.fill(JSON.stringify(SERVER_CONTENT.configurationSchema));
      await provisioning.fill(JSON.stringify(SERVER_CONTENT.provisioning));
      await euros.getByRole('textbox', { name: 'Tier 2 up to' }).fill('');
      await page.getByRole('button', { name: 'Publish…', exact: true }).click();
      await pressInDialog(page, 'Publish');
      await page.getByRole('heading', { level: 1, name: 'Diffed server v2 published', exact: true }).waitFor();
      await page.goto(`${baseUrl}/admin/catalog/products/${productId}`);
      await page.getByRole('button', { name: 'Show changes', exact: true }).click();
      // Each change is a row headed by what changed: in words, and as the pointer (code) under them.
      const changes = page.getByRole('table', { name: 'Changes' });
      await changes.waitFor();
      const paths = await changes.getByRole('code').allTextContents();
      expect(paths).toEqual(expect.arrayContaining(['/summary', '/pricePlans/0/prices/EUR/model', '/pricePlans/0/prices/EUR/tiers', '/pricePlans/0/prices/EUR/unitAmount']));
      const change = (path: string) => changes.getByRole('row').filter({ has: page.getByRole('code').filter({ hasText: new RegExp(`^${path}$`) }) });
      expect(await change('/pricePlans/0/prices/EUR/model').getByRole('rowheader').getByText('Price plans › 1 › prices › EUR › model', { exact: true }).count()).toBe(1);
      expect(await change('/summary').textContent()).toContain('Graduated pricing');

      // Retiring the old version asks first.
      await page.goto(`${baseUrl}/admin/catalog/products/${productId}/versions/1`);
      await page.getByRole('button', { name: 'Retire…', exact: true }).click();
      await pressInDialog(page, 'Retire');
      await page.getByRole('heading', { level: 1, name: 'Diffed server v1 retired', exact: true }).waitFor();

      // Coupons: a field error from the server, then created, then archived behind a confirmation.
      await page.goto(`${baseUrl}/admin/catalog/coupons`);
      const newCoupon = page.getByRole('form', { name: 'New coupon' });
      await newCoupon.getByRole('textbox', { name: 'Code', exact: true }).fill('x');
      await newCoupon.getByRole('textbox', { name: 'Name', exact: true }).fill('Spring');
      await newCoupon.getByRole('textbox', { name: 'Percent off' }).fill('15');
      await newCoupon.getByRole('button', { name: 'Create coupon', exact: true }).click();
      await problemOn(newCoupon, { role: 'textbox', name: 'Code' });
      await newCoupon.getByRole('textbox', { name: 'Code', exact: true }).fill('SPRING15');
      await newCoupon.getByRole('button', { name: 'Create coupon', exact: true }).click();
      await page.getByRole('status').filter({ hasText: 'Coupon SPRING15 created.' }).waitFor();
      // A coupon's row is headed by its code (and "archived" once it is).
      const coupons = page.getByRole('table', { name: 'Coupons' });
      const coupon = rowHeadedBy(coupons, 'SPRING15');
      await coupon.waitFor();
      expect(await coupon.textContent()).toContain('15% off');
      await coupon.getByRole('button', { name: 'Archive SPRING15', exact: true }).click();
      await pressInDialog(page, 'Archive');
      await rowHeadedBy(coupons, 'SPRING15 archived').waitFor();

      // Approval rules: created and deleted behind a confirmation.
      await page.getByRole('navigation', { name: 'Catalog' }).getByRole('link', { name: 'Approval rules', exact: true }).click();
      const newRule = page.getByRole('form', { name: 'New rule' });
      await newRule.getByRole('textbox', { name: 'Name', exact: true }).fill('Large orders');
      await newRule.getByRole('textbox', { name: 'Amount', exact: true }).fill('1000.00');
      await newRule.getByRole('button', { name: 'Create rule', exact: true }).click();
      const rules = page.getByRole('table', { name: 'Approval rules' });
      const rule = rowHeadedBy(rules, 'Large orders');
      await rule.waitFor();
      expect(await rules.getByRole('rowheader').allTextContents()).toEqual(['Large orders']);
      await rule.getByRole('button', { name: 'Delete rule Large orders', exact: true }).click();
      await pressInDialog(page, 'Delete');
      await rule.waitFor({ state: 'detached' });
      expect(await rules.getByRole('rowheader').count()).toBe(0);
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
      const decision = approvalNotice(page, /^(Approved|Rejected)\b/);
      await decision.waitFor();
      expect(await text(decision)).toBe('Rejected: Credit check failed');
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
      expect(await statusChanges(page).getByRole('listitem').last().textContent()).toContain('Ordered by mistake');
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
      // The customer has one cart, in euros: its own region, named by its heading.
      const card = page.getByRole('region', { name: 'Cart in EUR' });
      await card.waitFor();
      const totals = card.getByRole('list', { name: 'Totals' });
      const dueNow = totals.getByRole('listitem').last();
      const applied = (code: string | RegExp) => card.getByText(typeof code === 'string' ? `Coupon ${code} applied` : code, { exact: true });
      expect(await totals.textContent()).toContain('30.00');

      // A code that is no coupon: the server's 422 shows under the field (its description), the cart stays as it was.
      const couponCode = card.getByRole('textbox', { name: 'Coupon code', exact: true });
      await couponCode.fill('NOSUCH');
      await card.getByRole('button', { name: 'Apply', exact: true }).click();
      await card.getByRole('textbox', { name: 'Coupon code', description: 'Is not a coupon.', exact: true }).waitFor();
      expect(await applied(/^Coupon \S+ applied$/).count()).toBe(0);
      expect(await totals.textContent()).toContain('30.00');

      // Typed in lower case, applied: 20% off 30.00.
      await couponCode.fill('cart20');
      await card.getByRole('button', { name: 'Apply', exact: true }).click();
      await applied('CART20').waitFor();
      expect(await card.getByRole('alert').count()).toBe(0);
      expect(await dueNow.textContent()).toContain('24.00 due now');
      // A `once` coupon takes 20% off the first month (due now), not off what every month costs.
      expect(await cellBeside(card.getByRole('table', { name: 'Items' }), 'Total per month').textContent()).toContain('30.00 per month');
      const discounts = card.getByRole('table', { name: 'Discounts' });
      expect(await rowHeadedBy(discounts, /Coupon CART20/).count()).toBe(1);
      expect(await cellBeside(discounts, 'Discount').textContent()).toContain('6.00');
      await page.screenshot({ path: '/tmp/shop-cart-coupon.png', fullPage: true });

      // Removed: the full price again.
      await card.getByRole('button', { name: 'Remove coupon CART20', exact: true }).click();
      await applied('CART20').waitFor({ state: 'detached' });
      expect(await dueNow.textContent()).toContain('30.00 due now');
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
