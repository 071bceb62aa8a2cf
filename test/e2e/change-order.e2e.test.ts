// Changing a live item in a real browser: a customer with a fulfilled order (delivered on 1 November;
// the test's clock stands halfway through the month) opens it in the portal, changes the quantity,
// sees the server's preview with its proration (half the old price credited, half the new one
// charged), confirms, and lands on the change order, in provisioning, which names the item it changes.
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, startTestPlatform, type SignedInHeaders, type TestPlatform } from '../support/platform.js';
import { systemContext } from '../../src/kernel/context.js';
import { ManualClock } from '../../src/kernel/clock.js';
import { WEB_DIST, assertWebAppsBuilt, cellBeside, cellUnder, definitionOf, dialog, launchChromium, rowHeadedBy, watchConsole } from './browser.js';
import { createProduct, perUnitPlan } from '../support/builders.js';

const PASSWORD = 'change order e2e passphrase';
const CUSTOMER = 'owner@changes-e2e.example.com';
const clock = new ManualClock('2026-11-01T00:00:00Z');

let t: TestPlatform;
let browser: Browser;
let baseUrl: string;
let orderId: string;

async function call(method: 'GET' | 'POST' | 'PATCH', url: string, headers: Record<string, string>, payload?: unknown, extra: Record<string, string> = {}) {
  const response = await t.platform.app.inject({ method, url, headers: { ...headers, ...extra }, ...(payload === undefined ? {} : { payload: payload as object }) });
  if (response.statusCode >= 300) throw new Error(`${method} ${url}: ${response.statusCode} ${response.body}`);
  return response.json();
}

beforeAll(async () => {
  assertWebAppsBuilt();
  // Sessions must outlive the clock's jump to mid-period.
  t = await startTestPlatform({ clock, start: true, env: { PLATFORMA_WEB_DIST: WEB_DIST, SESSION_IDLE_SECONDS: '2592000', SESSION_TTL_SECONDS: '2592000' } });
  baseUrl = `http://127.0.0.1:${(t.platform.app.server.address() as AddressInfo).port}`;
  browser = await launchChromium();
  const staff = await t.signIn();
  const tenantId = (await call('POST', '/api/v1/tenants', staff, { organizationName: 'Changes', domain: 'changes-e2e.example.com', adminEmail: 'ops@changes-e2e.example.com' })).id as string;
  await t.platform.identity.service.createUser({ email: CUSTOMER, password: PASSWORD }, systemContext('test'));
  await addMember(t.platform, tenantId, CUSTOMER, 'owner');
  const product = await createProduct(t, staff, {
    code: 'changeable-vm',
    fields: { name: 'Changeable VM', category: 'Compute' },
    content: { pricePlans: [perUnitPlan('small', '10.00', 'Small'), perUnitPlan('large', '30.00', 'Large')] },
  });
  const buyer = await t.signIn(CUSTOMER, PASSWORD);
  orderId = (await call('POST', '/api/v1/orders', buyer, { currency: 'EUR' })).id as string;
  await call('POST', `/api/v1/orders/${orderId}/items`, buyer, { productId: product.id, pricePlan: 'small', quantity: 2 });
  await call('POST', `/api/v1/orders/${orderId}/submit`, buyer, undefined, { 'idempotency-key': 'e2e-submit' });
  await call('POST', `/api/v1/orders/${orderId}/fulfil`, staff);
  clock.advance(15 * 86_400_000);
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

async function customerPage(headers: SignedInHeaders) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const [name, value] = headers.cookie.split('=') as [string, string];
  await context.addCookies([{ name, value, url: baseUrl, httpOnly: true, sameSite: 'Strict' }]);
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  return { context, page, consoleProblems: watchConsole(page) };
}

describe('changing a live item in the portal', () => {
  it('a customer changes the quantity of a fulfilled item, sees the proration, confirms, and sees the change order in provisioning', { timeout: 120_000 }, async () => {
    const { context, page, consoleProblems } = await customerPage(await t.signIn(CUSTOMER, PASSWORD));
    try {
      await page.goto(`${baseUrl}/portal/orders/${orderId}`);
      await page.getByRole('heading', { level: 1, name: /Fulfilled$/ }).waitFor();
      await page.getByRole('button', { name: 'Change Changeable VM' }).click();
      const change = dialog(page, 'Change Changeable VM');
      const placeChangeOrder = change.getByRole('button', { name: 'Place change order' });
      // Nothing changed yet: nothing to confirm.
      expect(await placeChangeOrder.isDisabled()).toBe(true);

      // The server's preview: what the change is and what it costs, term by term.
      const preview = (term: string) => definitionOf(change, term);
      await change.getByLabel('Quantity').fill('3');
      await preview('Change').filter({ hasText: 'Quantity change' }).waitFor();
      // Half of 2 × 10.00 credited, half of 3 × 10.00 charged: 5.00 due now.
      expect(await preview('Change').textContent()).toBe('Quantity change');
      expect(await preview('Price').getByRole('strong').textContent()).toContain('30.00');
      expect(await preview('Credit').textContent()).toContain('10.00');
      expect(await preview('Charge').textContent()).toContain('15.00');
      expect(await preview('Due now').textContent()).toContain('5.00');

      // At the end of the period instead: nothing due now.
      await change.getByLabel('Takes effect').selectOption('at_period_end');
      await preview('Credit').waitFor({ state: 'detached' });
      await preview('Due now').filter({ hasText: '0.00' }).waitFor();
      await change.getByLabel('Takes effect').selectOption('prorate_now');
      await preview('Credit').waitFor();
      await page.screenshot({ path: '/tmp/change-order-preview.png', fullPage: true });

      await placeChangeOrder.click();
      // The change order opens: another order's page.
      await page.waitForURL((url) => /\/portal\/orders\/[^/]+$/.test(url.pathname) && !url.pathname.endsWith(`/${orderId}`));
      const changeOrderId = page.url().split('/').at(-1)!;
      await page.getByRole('heading', { level: 1, name: /Provisioning$/ }).waitFor();
      // What it changes: a region named by its heading, which links the original order.
      const changeOf = page.getByRole('region', { name: /^Changes .+ of order ORD-000001$/ });
      await changeOf.waitFor();
      expect(await changeOf.getByText('Quantity change', { exact: true }).count()).toBe(1);
      expect(await definitionOf(changeOf, 'Due now').textContent()).toContain('5.00');
      const items = page.getByRole('table', { name: 'Items' });
      expect(await cellBeside(items, 'Due now').textContent()).toContain('5.00');
      // One item (a row headed by its product and version), now 3 of it.
      expect(await items.getByRole('rowheader', { name: / v\d+$/ }).count()).toBe(1);
      const quantity = cellUnder(rowHeadedBy(items, 'Changeable VM v1'), 'Quantity');
      expect(await quantity.getByText('3', { exact: true }).count()).toBe(1);
      expect(await quantity.getByText('€10.00 per unit × 3 = €30.00.', { exact: true }).count()).toBe(1);
      // Not live yet, so it cannot be changed itself.
      expect(await page.getByRole('button', { name: 'Change Changeable VM' }).count()).toBe(0);
      await page.screenshot({ path: '/tmp/change-order-placed.png', fullPage: true });

      // Back on the original order, changing the same item again is refused, naming the change order.
      await changeOf.getByRole('link', { name: 'ORD-000001', exact: true }).click();
      await page.getByRole('heading', { level: 1, name: /Fulfilled$/ }).waitFor();
      await page.getByRole('button', { name: 'Change Changeable VM' }).click();
      await change.getByLabel('Quantity').fill('4');
      await change.getByRole('alert').waitFor();
      expect(await change.getByRole('alert').textContent()).toContain(changeOrderId);
      expect(await placeChangeOrder.isDisabled()).toBe(true);
      expect(consoleProblems).toEqual([]);
    } catch (error) {
      await page.screenshot({ path: '/tmp/change-order-failure.png', fullPage: true });
      throw error;
    } finally {
      await context.close();
    }
    const changes = (await call('GET', '/api/v1/orders?limit=10', await t.signIn(CUSTOMER, PASSWORD))).data.filter((order: { changeOf?: unknown }) => order.changeOf);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ status: 'provisioning', changeOf: { orderId, itemId: 'item_1', kind: 'quantity_change' }, items: [{ quantity: 3 }] });
  });
});
