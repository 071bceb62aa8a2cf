// The admin console counts the orders waiting for approval beside "Orders" in the sidebar, and the
// count drops as soon as an operator decides one (approving or rejecting), without reloading.
import { describe, expect, it } from 'vitest';
import { systemContext } from '../../src/kernel/context.js';
import { addMember } from '../support/platform.js';
import { createProduct, pricePlan } from '../support/builders.js';
import { browserSuite, dialog, navLink, pageWithSession, pressInDialog } from './browser.js';

const suite = browserSuite();
const PASSWORD = 'approval count passphrase';

describe('the pending-approval count in the admin console', () => {
  it('shows how many orders wait for approval and drops after approving and rejecting', { timeout: 120_000 }, async () => {
    const { t, browser, base } = suite;
    const staff = await t.signIn();
    const call = async (method: 'GET' | 'POST' | 'PATCH', url: string, headers: Record<string, string>, payload?: object, extra: Record<string, string> = {}) => {
      const response = await t.platform.app.inject({ method, url, headers: { ...headers, ...extra }, ...(payload ? { payload } : {}) });
      expect(response.statusCode, `${method} ${url}: ${response.body}`).toBeLessThan(300);
      return response.json();
    };
    const tenant = await call('POST', '/api/v1/tenants', staff, { organizationName: 'Waiting Co', domain: 'waiting.example.com', adminEmail: 'ops@waiting.example.com' });
    await t.platform.identity.service.createUser({ email: 'buyer@waiting.example.com', password: PASSWORD }, systemContext('test'));
    await addMember(t.platform, tenant.id, 'buyer@waiting.example.com', 'owner');
    const buyer = await t.signIn('buyer@waiting.example.com', PASSWORD);
    const product = await createProduct(t, staff, {
      code: 'held-server',
      fields: { name: 'Held server', category: 'count-test' },
      content: { requiresApproval: true, pricePlans: [pricePlan({ prices: { EUR: { model: 'flat', amount: '50.00' } } })] },
    });
    const orderNumbers: string[] = [];
    const orderIds: string[] = [];
    for (const key of ['first', 'second']) {
      const order = await call('POST', '/api/v1/orders', buyer, { currency: 'EUR' });
      await call('POST', `/api/v1/orders/${order.id}/items`, buyer, { productId: product.id, pricePlan: 'monthly', quantity: 1 });
      const submitted = await call('POST', `/api/v1/orders/${order.id}/submit`, buyer, undefined, { 'idempotency-key': key });
      expect(submitted.status).toBe('pending_approval');
      orderNumbers.push(submitted.number);
      orderIds.push(order.id);
    }

    const { context, page, consoleProblems } = await pageWithSession(browser, base, staff);
    try {
      await page.goto(`${base}/admin/tenants`);
      // The count is part of the Orders link's name: what is read out is what is counted.
      const orders = navLink(page, 'Orders');
      await expect.poll(() => orders.textContent(), { timeout: 15_000 }).toContain('2 orders wait for approval');

      // The count sits on the link to the list it counts.
      await orders.click();
      const table = page.getByRole('table', { name: 'Orders' });
      for (const number of orderNumbers) await table.getByRole('link', { name: number }).waitFor();
      expect(await page.getByLabel('Status').inputValue()).toBe('pending_approval');

      await table.getByRole('link', { name: orderNumbers[0] }).click();
      await page.getByRole('button', { name: 'Approve' }).click();
      await pressInDialog(page, 'Approve');
      await page.getByRole('status').filter({ hasText: 'Order approved.' }).waitFor();
      await expect.poll(() => orders.textContent(), { timeout: 15_000 }).toContain('1 order waits for approval');

      await page.goto(`${base}/admin/orders/${orderIds[1]}`);
      await page.getByRole('button', { name: 'Reject' }).click();
      await dialog(page, 'Reject this order?').getByLabel('Reason').fill('Not this time');
      await pressInDialog(page, 'Reject');
      await page.getByRole('status').filter({ hasText: 'Order rejected.' }).waitFor();
      // None wait any more: no count at all.
      await expect.poll(() => orders.textContent(), { timeout: 15_000 }).not.toContain('wait');
      expect(consoleProblems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
