// Changes to a live item (upgrade, downgrade, quantity change) priced with their proration, on a
// clock the test moves: halfway through a monthly period, prorate_now credits half the old price and
// charges half the new one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, problemOf, type TestPlatform, type SignedInHeaders } from '../support/platform.js';
import { ManualClock } from '../../src/kernel/clock.js';
import { createMember, createOrder, createProduct, createTenant, perUnitPlan } from '../support/builders.js';

const clock = new ManualClock('2026-11-01T00:00:00Z');
let t: TestPlatform;
let staff: SignedInHeaders;
let buyer: SignedInHeaders;
let orderId: string;
let productId: string;
const PASSWORD = 'order changes passphrase';
const DAY = 86_400_000;

async function call(method: string, url: string, headers: Record<string, string>, payload?: unknown, extra: Record<string, string> = {}) {
  return t.platform.app.inject({ method: method as 'GET', url, headers: { ...headers, ...extra }, ...(payload === undefined ? {} : { payload: payload as object }) });
}

beforeAll(async () => {
  t = await startTestPlatform({ clock });
  staff = await t.signIn();
  const tenantId = (await createTenant(t, staff, { organizationName: 'Changer', domain: 'changer.example.com' })).id;
  buyer = (await createMember(t, tenantId, { email: 'owner@changer.example.com', role: 'owner', password: PASSWORD })).session;
  productId = (await createProduct(t, staff, { code: 'vm-plans', fields: { name: 'VM', category: 'servers' }, content: { pricePlans: [perUnitPlan('small', '10.00'), perUnitPlan('large', '30.00')] } })).id;
  const submitted = await createOrder(t, buyer, [{ productId, pricePlan: 'small', quantity: 2 }]);
  orderId = submitted.id;
  expect(submitted.status).toBe('provisioning');
  expect((await call('POST', `/api/v1/orders/${orderId}/fulfil`, staff)).json().status).toBe('fulfilled');
  clock.advance(15 * DAY); // halfway through November's 30 days
  buyer = await t.signIn('owner@changer.example.com', PASSWORD); // the earlier session has idled out meanwhile
});
afterAll(async () => {
  await t?.close();
});

const preview = (body: Record<string, unknown>) => call('POST', `/api/v1/orders/${orderId}/items/item_1/change-preview`, buyer, { prorationMode: 'prorate_now', ...body });

describe('changing a live item', () => {
  it('prices an upgrade with prorate_now: half the old credited, half the new charged', async () => {
    const response = await preview({ pricePlan: 'large' });
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json();
    expect(body.kind).toBe('upgrade');
    expect(body.current.totalMinor).toBe('2000');
    expect(body.proposed.totalMinor).toBe('6000');
    expect(body.proration).toMatchObject({ periodStart: '2026-11-01T00:00:00.000Z', periodEnd: '2026-12-01T00:00:00.000Z', remainingFraction: '0.5', creditMinor: '1000', chargeMinor: '3000', dueNow: '20.00' });
  });

  it('tells a downgrade and a quantity change apart, and honours the other modes', async () => {
    const down = (await preview({ quantity: 1 })).json();
    expect(down.kind).toBe('quantity_change');
    expect(down.proration).toMatchObject({ creditMinor: '1000', chargeMinor: '500', dueNowMinor: '0' });
    const later = (await preview({ pricePlan: 'large', prorationMode: 'at_period_end' })).json();
    expect(later.proration).toMatchObject({ dueNowMinor: '0', newPriceFrom: '2026-12-01T00:00:00.000Z' });
    const none = (await preview({ pricePlan: 'large', prorationMode: 'none' })).json();
    expect(none.proration).toMatchObject({ dueNowMinor: '0', creditMinor: '0', chargeMinor: '0' });
  });

  it('refuses items that are not live, unknown plans and modes, and writes nothing', async () => {
    const draft = (await call('POST', '/api/v1/orders', buyer, { currency: 'EUR' })).json().id;
    await call('POST', `/api/v1/orders/${draft}/items`, buyer, { productId, pricePlan: 'small', quantity: 1 });
    expect((await call('POST', `/api/v1/orders/${draft}/items/item_1/change-preview`, buyer, { prorationMode: 'none', quantity: 3 })).statusCode).toBe(409);
    expect(problemOf(await preview({ pricePlan: 'huge' })).errors).toEqual([{ pointer: '/pricePlan', message: 'is not a plan of this version (plans: small, large)' }]);
    expect((await preview({ prorationMode: 'whenever' })).statusCode).toBe(400);
    expect((await call('POST', `/api/v1/orders/${orderId}/items/item_9/change-preview`, buyer, { prorationMode: 'none' })).statusCode).toBe(404);
    expect((await call('GET', `/api/v1/orders/${orderId}`, buyer)).json().items[0]).toMatchObject({ pricePlan: 'small', quantity: 2 });
  });
});
