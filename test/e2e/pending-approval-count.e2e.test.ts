// The admin console counts the orders waiting for approval beside "Orders" in the sidebar, and the
// count drops as soon as an operator decides one (approving or rejecting), without reloading.
import { describe, expect, it } from 'vitest';
import { systemContext } from '../../src/kernel/context.js';
import { addMember } from '../support/platform.js';
import { browserSuite, pageWithSession } from './browser.js';

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
    const product = await call('POST', '/api/v1/products', staff, { code: 'held-server', kind: 'compute', name: 'Held server', category: 'count-test' });
    await call('PATCH', `/api/v1/products/${product.id}/versions/1`, staff, {
      requiresApproval: true,
      pricePlans: [{ code: 'monthly', name: 'Monthly', interval: 'month', trialDays: 0, taxCategory: 'saas', setupFee: {}, prices: { EUR: { model: 'flat', amount: '50.00' } }, usage: [] }],
    });
    await call('POST', `/api/v1/products/${product.id}/versions/1/publish`, staff);
    const orderIds: string[] = [];
    for (const key of ['first', 'second']) {
      const order = await call('POST', '/api/v1/orders', buyer, { currency: 'EUR' });
      await call('POST', `/api/v1/orders/${order.id}/items`, buyer, { productId: product.id, pricePlan: 'monthly', quantity: 1 });
      expect((await call('POST', `/api/v1/orders/${order.id}/submit`, buyer, undefined, { 'idempotency-key': key })).status).toBe('pending_approval');
      orderIds.push(order.id);
    }

    const { context, page, consoleProblems } = await pageWithSession(browser, base, staff);
    try {
      await page.goto(`${base}/admin/tenants`);
      const count = page.getByTestId('nav-orders').getByTestId('pending-approval-count');
      await expect.poll(() => count.getAttribute('data-count'), { timeout: 15_000 }).toBe('2');
      expect(await count.textContent()).toContain('2 orders wait for approval');

      // The count sits on the link to the list it counts.
      await page.getByTestId('nav-orders').click();
      for (const id of orderIds) await page.locator(`[data-testid="order-row"][data-order-id="${id}"]`).waitFor();
      expect(await page.getByTestId('order-status-filter').inputValue()).toBe('pending_approval');

      await page.locator(`[data-testid="order-row"][data-order-id="${orderIds[0]}"]`).getByTestId('order-link').click();
      await page.getByTestId('order-action-approve').click();
      await page.getByTestId('approve-dialog-confirm').click();
      await page.getByTestId('order-notice').waitFor();
      await expect.poll(() => count.getAttribute('data-count'), { timeout: 15_000 }).toBe('1');
      expect(await count.textContent()).toContain('1 order waits for approval');

      await page.goto(`${base}/admin/orders/${orderIds[1]}`);
      await page.getByTestId('order-action-reject').click();
      await page.getByTestId('reject-reason').fill('Not this time');
      await page.getByTestId('reject-dialog-confirm').click();
      await page.getByTestId('order-notice').waitFor();
      // None wait any more: no count at all.
      await expect.poll(() => count.count(), { timeout: 15_000 }).toBe(0);
      expect(consoleProblems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
