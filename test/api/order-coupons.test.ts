// A coupon on a cart that already exists: PUT /orders/{id}/coupon applies it and prices every item
// again, DELETE takes it off and prices them again without it. A coupon that cannot apply to the
// cart is 422 on /couponCode and writes nothing; a coupon limited to other products leaves those
// items at full price. Only a draft changes (409), and only the tenant's own (404 for anyone else's).
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, startTestPlatform, problemOf, type TestPlatform, type SignedInHeaders } from '../support/platform.js';
import { systemContext } from '../../src/kernel/context.js';
import { createCart, createProduct, createTenant, perUnitPlan } from '../support/builders.js';

let t: TestPlatform;
let owner: pg.Client;
let staff: SignedInHeaders;
let buyer: SignedInHeaders;
let reader: SignedInHeaders;
let stranger: SignedInHeaders;
let server: string;
let bucket: string;
const PASSWORD = 'order coupons passphrase';
let keyCounter = 0;

async function call(method: string, url: string, headers: Record<string, string>, payload?: unknown, extra: Record<string, string> = {}) {
  return t.platform.app.inject({ method: method as 'GET', url, headers: { ...headers, ...extra }, ...(payload === undefined ? {} : { payload: payload as object }) });
}
const apply = (orderId: string, couponCode: string, headers: Record<string, string> = buyer) => call('PUT', `/api/v1/orders/${orderId}/coupon`, headers, { couponCode });
const remove = (orderId: string, headers: Record<string, string> = buyer) => call('DELETE', `/api/v1/orders/${orderId}/coupon`, headers);
const submit = (orderId: string) => call('POST', `/api/v1/orders/${orderId}/submit`, buyer, {}, { 'idempotency-key': `coupon-submit-${++keyCounter}` });

async function product(code: string, unitAmount: string): Promise<string> {
  return (await createProduct(t, staff, { code, fields: { category: 'coupons-test' }, content: { pricePlans: [perUnitPlan('monthly', unitAmount)] } })).id;
}

async function coupon(body: Record<string, unknown>): Promise<string> {
  const created = await call('POST', '/api/v1/coupons', staff, { name: `Coupon ${String(body.code)}`, duration: { type: 'once' }, ...body });
  expect(created.statusCode, created.body).toBe(201);
  return created.json().id as string;
}

/** A cart of 3 × server (10.00 each) and 1 × bucket (5.00): 35.00 in all. */
async function cart(headers: Record<string, string> = buyer, items: [string, number][] = [[server, 3], [bucket, 1]]): Promise<string> {
  return (await createCart(t, headers, items.map(([productId, quantity]) => ({ productId, quantity })))).id;
}

/** Everything stored of an order: its row (document and updated_at included) and its timeline. */
const stored = async (orderId: string) => {
  const row = (await owner.query(`select status, document::text as document, updated_at from orders.orders where order_id = $1`, [orderId])).rows[0];
  const timeline = (await owner.query(`select status, at from orders.order_timeline where order_id = $1 order by seq`, [orderId])).rows;
  return { row, timeline };
};
const discountsOf = (order: { items: { price: { lines: { kind: string; amountMinor: string }[] } | null }[] }) =>
  order.items.map((item) => item.price?.lines.filter((line) => line.kind === 'discount').map((line) => line.amountMinor) ?? []);

async function member(tenantId: string, email: string, role: string): Promise<SignedInHeaders> {
  await t.platform.identity.service.createUser({ email, password: PASSWORD }, systemContext('test'));
  await addMember(t.platform, tenantId, email, role);
  return t.signIn(email, PASSWORD);
}

beforeAll(async () => {
  t = await startTestPlatform();
  owner = new pg.Client({ connectionString: t.database.ownerUrl });
  await owner.connect();
  staff = await t.signIn();
  const tenant = (await createTenant(t, staff, { organizationName: 'Couponed', domain: 'couponed.example.com' })).id;
  const other = (await createTenant(t, staff, { organizationName: 'Elsewhere', domain: 'elsewhere.example.com' })).id;
  buyer = await member(tenant, 'buyer@couponed.example.com', 'owner');
  reader = await member(tenant, 'reader@couponed.example.com', 'read-only');
  stranger = await member(other, 'owner@elsewhere.example.com', 'owner');
  server = await product('coupon-server', '10.00');
  bucket = await product('coupon-bucket', '5.00');
  await coupon({ code: 'CART20', discount: { type: 'percent', percentOff: '20' } });
  await coupon({ code: 'EUR7OFF', discount: { type: 'amount', amountOff: { EUR: '7.00' } } });
  await coupon({ code: 'SERVERHALF', discount: { type: 'percent', percentOff: '50' }, productIds: [server] });
  await coupon({ code: 'ELSEWHERE', discount: { type: 'percent', percentOff: '50' }, productIds: [await product('coupon-unrelated', '1.00')] });
  await coupon({ code: 'OLDNEWS', discount: { type: 'percent', percentOff: '50' }, expiresAt: '2020-01-01T00:00:00Z' });
  await coupon({ code: 'ONCEONLY', discount: { type: 'percent', percentOff: '10' }, maxRedemptions: 1 });
  await coupon({ code: 'USD10OFF', discount: { type: 'amount', amountOff: { USD: '10.00' } } });
  const archived = await coupon({ code: 'WITHDRAWN', discount: { type: 'percent', percentOff: '10' } });
  expect((await call('POST', `/api/v1/coupons/${archived}/archive`, staff, {})).statusCode).toBe(200);
});
afterAll(async () => {
  await owner?.end();
  await t?.close();
});

describe('applying and removing a coupon', () => {
  it('prices every item again with the coupon, and without it once it is removed', async () => {
    const orderId = await cart();
    const before = (await call('GET', `/api/v1/orders/${orderId}`, buyer)).json();
    expect(before).toMatchObject({ couponCode: null, totalMinor: '3500', dueNowMinor: '3500' });

    const applied = await apply(orderId, 'CART20');
    expect(applied.statusCode, applied.body).toBe(200);
    // 20% of 30.00 and of 5.00: 6.00 + 1.00 off.
    expect(applied.json()).toMatchObject({ status: 'draft', couponCode: 'CART20', totalMinor: '2800', dueNowMinor: '2800' });
    expect(discountsOf(applied.json())).toEqual([['-600'], ['-100']]);
    expect(applied.json().items.map((item: { price: { coupon: unknown } }) => item.price.coupon)).toEqual([{ code: 'CART20', duration: 'once' }, { code: 'CART20', duration: 'once' }]);
    // Stored, not only answered.
    expect((await call('GET', `/api/v1/orders/${orderId}`, buyer)).json()).toMatchObject({ couponCode: 'CART20', totalMinor: '2800' });

    // Another coupon replaces it: an amount off never takes an item below zero (7.00 off 30.00, 5.00 off 5.00).
    const replaced = (await apply(orderId, 'EUR7OFF')).json();
    expect(replaced).toMatchObject({ couponCode: 'EUR7OFF', totalMinor: '2300' });
    expect(discountsOf(replaced)).toEqual([['-700'], ['-500']]);

    const removed = await remove(orderId);
    expect(removed.statusCode, removed.body).toBe(200);
    expect(removed.json()).toMatchObject({ couponCode: null, totalMinor: '3500', dueNowMinor: '3500' });
    expect(discountsOf(removed.json())).toEqual([[], []]);
    expect(removed.json().items).toEqual(before.items);
    // Removing again is harmless.
    expect((await remove(orderId)).json()).toMatchObject({ couponCode: null, totalMinor: '3500' });
  });

  it('leaves items the coupon is not for at full price', async () => {
    const orderId = await cart();
    const applied = (await apply(orderId, 'SERVERHALF')).json();
    // Half of the servers' 30.00; the bucket stays at 5.00.
    expect(applied).toMatchObject({ couponCode: 'SERVERHALF', totalMinor: '2000' });
    expect(discountsOf(applied)).toEqual([['-1500'], []]);
    // A coupon for nothing in the cart is accepted and changes no price.
    const unrelated = await apply(orderId, 'ELSEWHERE');
    expect(unrelated.statusCode, unrelated.body).toBe(200);
    expect(unrelated.json()).toMatchObject({ couponCode: 'ELSEWHERE', totalMinor: '3500' });
  });

  it('prices items added later with the applied coupon, and submits the discounted cart counting one redemption', async () => {
    const orderId = await cart(buyer, []);
    expect((await apply(orderId, 'ONCEONLY')).json()).toMatchObject({ couponCode: 'ONCEONLY', totalMinor: '0' });
    const added = await call('POST', `/api/v1/orders/${orderId}/items`, buyer, { productId: server, pricePlan: 'monthly', quantity: 2 });
    expect(added.json()).toMatchObject({ couponCode: 'ONCEONLY', totalMinor: '1800' });
    const submitted = await submit(orderId);
    expect(submitted.statusCode, submitted.body).toBe(200);
    expect(submitted.json()).toMatchObject({ status: 'provisioning', couponCode: 'ONCEONLY', totalMinor: '1800' });
    const once = (await call('GET', '/api/v1/coupons?limit=100', staff)).json().data.find((c: { code: string }) => c.code === 'ONCEONLY');
    expect(once.redemptions).toBe(1);
  });
});

describe('refusals write nothing', () => {
  it('refuses a coupon that cannot apply to the cart with 422 on /couponCode, keeping the coupon it had', async () => {
    // ONCEONLY is used up by the test above; run it here too if this test runs alone.
    const once = (await call('GET', '/api/v1/coupons?limit=100', staff)).json().data.find((c: { code: string }) => c.code === 'ONCEONLY');
    if (once.redemptions === 0) {
      const used = await cart(buyer, [[bucket, 1]]);
      await apply(used, 'ONCEONLY');
      expect((await submit(used)).statusCode).toBe(200);
    }
    const orderId = await cart();
    expect((await apply(orderId, 'CART20')).statusCode).toBe(200);
    const cases: [string, string][] = [
      ['NOSUCH', 'is not a coupon'],
      ['OLDNEWS', 'has expired'],
      ['ONCEONLY', 'has been redeemed as often as it may be'],
      ['USD10OFF', 'has no amount in EUR'],
      ['WITHDRAWN', 'is no longer offered'],
    ];
    for (const [code, message] of cases) {
      const before = await stored(orderId);
      const refused = await apply(orderId, code);
      expect(refused.statusCode, `${code}: ${refused.body}`).toBe(422);
      expect(problemOf(refused)).toMatchObject({ code: 'PLAT_UNPROCESSABLE', errors: [{ pointer: '/couponCode', message }] });
      expect(await stored(orderId), code).toEqual(before);
    }
    expect((await call('GET', `/api/v1/orders/${orderId}`, buyer)).json()).toMatchObject({ couponCode: 'CART20', totalMinor: '2800' });
  });

  it('refuses a coupon that cannot apply on an empty cart too, and a code that is not a code with 400', async () => {
    const orderId = await cart(buyer, []);
    const before = await stored(orderId);
    const expired = await apply(orderId, 'OLDNEWS');
    expect(expired.statusCode).toBe(422);
    expect(problemOf(expired).errors).toEqual([{ pointer: '/couponCode', message: 'has expired' }]);
    const malformed = await apply(orderId, 'cart20');
    expect(malformed.statusCode).toBe(400);
    expect(problemOf(malformed).errors!.map((error) => error.pointer)).toEqual(['/couponCode']);
    expect((await call('PUT', `/api/v1/orders/${orderId}/coupon`, buyer, {})).statusCode).toBe(400);
    expect(await stored(orderId)).toEqual(before);
  });

  it('changes only a draft (409), whether applying or removing', async () => {
    const orderId = await cart();
    expect((await apply(orderId, 'CART20')).statusCode).toBe(200);
    expect((await submit(orderId)).json().status).toBe('provisioning');
    const before = await stored(orderId);
    for (const refused of [await apply(orderId, 'EUR7OFF'), await remove(orderId)]) {
      expect(refused.statusCode, refused.body).toBe(409);
      expect(problemOf(refused).code).toBe('PLAT_INVALID_TRANSITION');
    }
    expect(await stored(orderId)).toEqual(before);
    expect((await call('GET', `/api/v1/orders/${orderId}`, buyer)).json()).toMatchObject({ couponCode: 'CART20', totalMinor: '2800' });
  });

  it('does not let another tenant, or a member who may only read, touch the cart', async () => {
    const orderId = await cart();
    expect((await apply(orderId, 'CART20')).statusCode).toBe(200);
    const before = await stored(orderId);
    for (const refused of [await apply(orderId, 'EUR7OFF', stranger), await remove(orderId, stranger)]) {
      expect(refused.statusCode, refused.body).toBe(404);
      expect(refused.body).not.toContain('CART20');
    }
    // Another tenant's cart is not found before the coupon is even looked at.
    expect((await apply(orderId, 'NOSUCH', stranger)).statusCode).toBe(404);
    for (const refused of [await apply(orderId, 'EUR7OFF', reader), await remove(orderId, reader)]) expect(refused.statusCode, refused.body).toBe(403);
    expect(await stored(orderId)).toEqual(before);
  });
});
