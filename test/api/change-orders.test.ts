// Changing a live item for real: POST …/items/{itemId}/change places a change order (a new order of
// the proposed item naming the item it changes), priced and prorated as the preview says, on a clock
// the test moves to the middle of the item's monthly period. Quotas and stock: only an increase is
// taken at once, a decrease is given back when the change order is fulfilled; cancelling gives back
// exactly what it took; one live change per item, also under concurrent requests; refusals write
// nothing.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, startTestPlatform, problemOf, type TestPlatform, type SignedInHeaders } from '../support/platform.js';
import { systemContext } from '../../src/kernel/context.js';
import { ManualClock } from '../../src/kernel/clock.js';
import type { VersionContentPatch } from '../../web/shared/api/types.js';
import { SERVER_CONFIGURATION, createMember, createOrder, createProduct, createTenant, perUnitPlan, type ProductOptions } from '../support/builders.js';
import { call as apiCall } from '../support/api.js';

const clock = new ManualClock('2026-11-01T00:00:00Z');
const DAY = 86_400_000;
const PASSWORD = 'change orders passphrase';
let t: TestPlatform;
let owner: pg.Client;
let staff: SignedInHeaders;
let buyer: SignedInHeaders;
let tenantId: string;
let keys = 0;

async function call(method: string, url: string, headers: Record<string, string>, payload?: unknown, extra: Record<string, string> = {}) {
  return t.platform.app.inject({ method: method as 'GET', url, headers: { ...headers, ...extra }, ...(payload === undefined ? {} : { payload: payload as object }) });
}
const changeItem = (orderId: string, body: Record<string, unknown>, key = `change-${++keys}`, itemId = 'item_1') =>
  call('POST', `/api/v1/orders/${orderId}/items/${itemId}/change`, buyer, { prorationMode: 'prorate_now', ...body }, { 'idempotency-key': key });

async function product(code: string, content: VersionContentPatch = {}, fields: ProductOptions['fields'] = {}): Promise<string> {
  const created = await createProduct(t, staff, {
    code,
    fields: { category: 'change-orders', ...fields },
    content: { ...SERVER_CONFIGURATION, pricePlans: [perUnitPlan('small', '10.00'), perUnitPlan('large', '30.00')], ...content },
  });
  return created.id;
}

/** A fulfilled order of one item, delivered now (at the start of its first period). */
async function liveOrder(productId: string, pricePlan: string, quantity: number): Promise<string> {
  const submitted = await createOrder(t, buyer, [{ productId, pricePlan, quantity }]);
  expect(submitted.status).toBe('provisioning');
  expect((await call('POST', `/api/v1/orders/${submitted.id}/fulfil`, staff)).json().status).toBe('fulfilled');
  return submitted.id;
}

const reservations = () => apiCall(t, 'get', '/api/v1/tenants/{id}/quota-usage', 200, { headers: staff, params: { id: tenantId } });
const capacityUsed = async (productId: string) => (await call('GET', `/api/v1/products/${productId}`, staff)).json().capacityUsed as number;
/** Everything a change could write, counted. */
async function written(): Promise<Record<string, number>> {
  const { rows } = await owner.query(`select
      (select count(*) from orders.orders)::int as orders,
      (select count(*) from orders.order_timeline)::int as timeline,
      (select count(*) from orders.quota_reservations)::int as reservation_rows,
      (select coalesce(sum(reserved), 0) from orders.quota_reservations)::int as reserved,
      (select coalesce(sum(capacity_used), 0) from catalog.products)::int as stock_used,
      (select count(*) from kernel.outbox)::int as events,
      (select count(*) from kernel.audit_entries)::int as audit_entries`);
  return rows[0];
}
const changeOrdersOf = async (orderId: string) => (await owner.query(`select order_id, status from orders.orders where document -> 'changeOf' ->> 'orderId' = $1 order by order_id`, [orderId])).rows as { order_id: string; status: string }[];

// Fixtures, all delivered on 1 November; the tests run on 16 November, halfway through the period.
let servers: string;
let upgradable: string;
let disks: string;
let downgradable: string;
let gpus: string;
let gpuOrder: string;
let ips: string;
let ipOrder: string;
let contested: string;
let replayed: string;
let refusing: string;
let retiring: string;
let retiringOrder: string;

beforeAll(async () => {
  // Sessions must outlive the clock's jump to mid-period.
  t = await startTestPlatform({ clock, env: { SESSION_IDLE_SECONDS: '2592000', SESSION_TTL_SECONDS: '2592000' } });
  owner = new pg.Client({ connectionString: t.database.ownerUrl });
  await owner.connect();
  staff = await t.signIn();
  tenantId = (await createTenant(t, staff, { organizationName: 'Changer', domain: 'change-orders.example.com' })).id;
  buyer = (await createMember(t, tenantId, { email: 'owner@change-orders.example.com', role: 'owner', password: PASSWORD })).session;
  const quotas = (await call('GET', `/api/v1/tenants/${tenantId}`, staff)).json().quotas;
  expect((await call('PUT', `/api/v1/tenants/${tenantId}/quotas`, staff, { ...quotas, customLimits: { cpus: 100, disks: 100, gpus: 6, ips: 100 } })).statusCode).toBe(200);

  servers = await product('servers', { quotaConsumption: { 'custom.cpus': 2 } });
  upgradable = await liveOrder(servers, 'small', 2);
  disks = await product('disks', { quotaConsumption: { 'custom.disks': 2 } }, { capacity: 20 });
  downgradable = await liveOrder(disks, 'large', 3);
  gpus = await product('gpus', { quotaConsumption: { 'custom.gpus': 2 } });
  gpuOrder = await liveOrder(gpus, 'small', 2);
  ips = await product('ips', { quotaConsumption: { 'custom.ips': 1 } }, { capacity: 10 });
  ipOrder = await liveOrder(ips, 'small', 1);
  contested = await liveOrder(servers, 'small', 1);
  replayed = await liveOrder(servers, 'small', 1);
  refusing = await liveOrder(servers, 'small', 1);
  retiring = await product('retiring');
  retiringOrder = await liveOrder(retiring, 'small', 1);
  clock.advance(15 * DAY); // halfway through November's 30 days
});
afterAll(async () => {
  await owner?.end();
  await t?.close();
});

describe('placing a change order', () => {
  it('upgrades with prorate_now: a new order of the proposed item, due now the charge less the credit, moved on to provisioning', async () => {
    const before = await reservations();
    const preview = (await call('POST', `/api/v1/orders/${upgradable}/items/item_1/change-preview`, buyer, { prorationMode: 'prorate_now', pricePlan: 'large', quantity: 3 })).json();
    const response = await changeItem(upgradable, { pricePlan: 'large', quantity: 3 });
    expect(response.statusCode, response.body).toBe(201);
    const change = response.json();
    expect(response.headers.location).toBe(`/api/v1/orders/${change.id}`);
    expect(change.id).not.toBe(upgradable);
    expect(change).toMatchObject({
      tenantId,
      status: 'provisioning',
      currency: 'EUR',
      changeOf: { orderId: upgradable, itemId: 'item_1', kind: 'upgrade' },
      // Half of 3 × 30.00 charged, half of 2 × 10.00 credited: 45.00 − 10.00.
      proration: { mode: 'prorate_now', periodStart: '2026-11-01T00:00:00.000Z', periodEnd: '2026-12-01T00:00:00.000Z', remainingFraction: '0.5', creditMinor: '1000', chargeMinor: '4500', dueNowMinor: '3500', dueNow: '35.00' },
      dueNowMinor: '3500',
      totalMinor: '9000',
      items: [{ id: 'item_1', productId: servers, version: 1, pricePlan: 'large', quantity: 3, price: { totalMinor: '9000' }, provisioning: { capability: 'compute.server', parameters: { region: 'eu-west', diskGb: 20, count: 3 } } }],
    });
    expect(change.timeline.map((step: { status: string }) => step.status)).toEqual(['draft', 'submitted', 'awaiting_payment', 'provisioning']);
    // Said as people know the order: by its number, and the item by its product.
    expect(change.timeline[1].reason).toMatch(/^Changes Product .+ of order ORD-\d{6} \(upgrade\)$/);
    const changed = { orderId: upgradable, orderNumber: expect.stringMatching(/^ORD-\d{6}$/) as unknown, itemId: 'item_1', kind: 'upgrade' };
    // What the preview said is what was placed.
    expect(preview).toMatchObject({ kind: change.changeOf.kind, proposed: change.items[0].price, proration: change.proration });
    // Only the increase of the quota is taken: 2 × 3 − 2 × 2.
    expect((await reservations())['custom.cpus']).toBe((before['custom.cpus'] ?? 0) + 2);
    // Each step is an event and an audit entry naming what is changed.
    const events = await owner.query(`select type, payload from kernel.outbox where payload ->> 'orderId' = $1 order by id`, [change.id]);
    expect(events.rows.map((row: { type: string }) => row.type)).toEqual(['order.submitted', 'order.awaiting_payment', 'order.provisioning_requested']);
    for (const row of events.rows) expect(row.payload.changeOf).toEqual(changed);
    const audit = await owner.query(`select action, after from kernel.audit_entries where target_id = $1 order by seq`, [change.id]);
    expect(audit.rows.map((row: { action: string }) => row.action)).toEqual(['order.submitted', 'order.awaiting_payment', 'order.provisioning_requested']);
    expect(audit.rows[0].after.changeOf).toEqual(changed);
    // The original stays as it was.
    expect((await call('GET', `/api/v1/orders/${upgradable}`, buyer)).json()).toMatchObject({ status: 'fulfilled', items: [{ pricePlan: 'small', quantity: 2 }] });
    expect((await call('GET', `/api/v1/orders/${upgradable}`, buyer)).json().changeOf).toBeUndefined();
  });

  it('refuses to change a superseded item (409 naming the live change order); the change order’s item is the one to change once it is fulfilled', async () => {
    const [live] = await changeOrdersOf(upgradable);
    expect(live).toBeDefined();
    const superseded = await changeItem(upgradable, { quantity: 5 });
    expect(superseded.statusCode).toBe(409);
    expect(problemOf(superseded)).toMatchObject({ code: 'PLAT_CONFLICT', changeOrderId: live!.order_id, changeOrderStatus: 'provisioning' });
    expect(problemOf(superseded).detail).toContain(live!.order_id);
    // The preview says so too.
    expect(problemOf(await call('POST', `/api/v1/orders/${upgradable}/items/item_1/change-preview`, buyer, { prorationMode: 'none', quantity: 5 })).changeOrderId).toBe(live!.order_id);
    // Not yet: the change order is still provisioning.
    expect(problemOf(await changeItem(live!.order_id, { quantity: 4 })).code).toBe('PLAT_INVALID_TRANSITION');
    expect((await call('POST', `/api/v1/orders/${live!.order_id}/fulfil`, staff)).json().status).toBe('fulfilled');
    const next = await changeItem(live!.order_id, { quantity: 4, prorationMode: 'none' });
    expect(next.statusCode, next.body).toBe(201);
    expect(next.json()).toMatchObject({ changeOf: { orderId: live!.order_id, itemId: 'item_1', kind: 'quantity_change' }, dueNowMinor: '0', items: [{ pricePlan: 'large', quantity: 4 }] });
    // The first item is still superseded (its change order is fulfilled, so live).
    expect((await changeItem(upgradable, { quantity: 5 })).statusCode).toBe(409);
  });

  it('downgrades at_period_end: nothing due now, and the quota and stock the smaller item no longer needs come back only when it is fulfilled', async () => {
    expect((await reservations())['custom.disks']).toBe(6);
    expect(await capacityUsed(disks)).toBe(3);
    const response = await changeItem(downgradable, { pricePlan: 'small', quantity: 1, prorationMode: 'at_period_end' });
    expect(response.statusCode, response.body).toBe(201);
    const change = response.json();
    expect(change).toMatchObject({
      status: 'provisioning',
      changeOf: { kind: 'downgrade' },
      dueNowMinor: '0',
      totalMinor: '1000',
      proration: { mode: 'at_period_end', dueNowMinor: '0', creditMinor: '0', chargeMinor: '0', newPriceFrom: '2026-12-01T00:00:00.000Z' },
    });
    // Submitted: nothing taken, nothing given back yet.
    expect((await reservations())['custom.disks']).toBe(6);
    expect(await capacityUsed(disks)).toBe(3);
    expect((await call('POST', `/api/v1/orders/${change.id}/fulfil`, staff)).json().status).toBe('fulfilled');
    // Delivered: 2 × 1 is what the item holds now; two units of stock are back.
    expect((await reservations())['custom.disks']).toBe(2);
    expect(await capacityUsed(disks)).toBe(1);
  });

  it('refuses a quantity beyond the tenant’s quota (409 with limit, current and requested) and writes nothing', async () => {
    expect((await reservations())['custom.gpus']).toBe(4);
    const before = await written();
    const refused = await changeItem(gpuOrder, { quantity: 4 });
    expect(refused.statusCode).toBe(409);
    expect(problemOf(refused)).toMatchObject({ code: 'PLAT_QUOTA_EXCEEDED', quota: 'custom.gpus', limit: 6, current: 4, requested: 4 });
    expect(await written()).toEqual(before);
    expect(await changeOrdersOf(gpuOrder)).toEqual([]);
    // Up to the limit is fine: 2 more.
    const allowed = await changeItem(gpuOrder, { quantity: 3 });
    expect(allowed.statusCode, allowed.body).toBe(201);
    expect((await reservations())['custom.gpus']).toBe(6);
  });

  it('holds a change order for approval when a rule says so; cancelling it gives back exactly what it took', async () => {
    const rule = await call('POST', '/api/v1/approval-rules', staff, { name: 'IP changes', condition: { type: 'products', productIds: [ips] } });
    expect(rule.statusCode, rule.body).toBe(201);
    try {
      const reservedBefore = await reservations();
      expect(reservedBefore['custom.ips']).toBe(1);
      expect(await capacityUsed(ips)).toBe(1);
      const response = await changeItem(ipOrder, { quantity: 4 });
      expect(response.statusCode, response.body).toBe(201);
      const change = response.json();
      expect(change).toMatchObject({ status: 'pending_approval', approval: { required: ['IP changes'], decision: null }, changeOf: { kind: 'quantity_change' } });
      expect((await reservations())['custom.ips']).toBe(4);
      expect(await capacityUsed(ips)).toBe(4);
      // While it waits, it is the item's live change.
      expect(problemOf(await changeItem(ipOrder, { quantity: 2 })).changeOrderId).toBe(change.id);
      const cancelled = await call('POST', `/api/v1/orders/${change.id}/cancel`, buyer, { reason: 'Not needed after all' });
      expect(cancelled.json().status).toBe('cancelled');
      expect(await reservations()).toEqual(reservedBefore);
      expect(await capacityUsed(ips)).toBe(1);
      // Cancelled, it no longer stands in the way.
      const again = await changeItem(ipOrder, { quantity: 2 });
      expect(again.statusCode, again.body).toBe(201);
      // Rejected by the operator: the same.
      expect((await call('POST', `/api/v1/orders/${again.json().id}/reject`, staff, { reason: 'No' })).json().status).toBe('cancelled');
      expect(await reservations()).toEqual(reservedBefore);
      expect(await capacityUsed(ips)).toBe(1);
    } finally {
      await call('DELETE', `/api/v1/approval-rules/${rule.json().id}`, staff);
    }
  });

  it('lets exactly one of two concurrent changes of one item succeed', async () => {
    const before = (await reservations())['custom.cpus'] ?? 0;
    // Both changes are held at the tenant's quota row until both are under way, so they overlap for sure.
    const blocker = new pg.Client({ connectionString: t.database.ownerUrl });
    await blocker.connect();
    let results: Awaited<ReturnType<typeof changeItem>>[];
    try {
      await blocker.query('begin');
      await blocker.query(`select reserved from orders.quota_reservations where tenant_id = $1 and quota = 'custom.cpus' for update`, [tenantId]);
      const racing = Promise.all([changeItem(contested, { quantity: 2 }), changeItem(contested, { quantity: 3 })]);
      const waiting = async () => (await owner.query(`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`)).rows[0].n as number;
      for (let tries = 0; (await waiting()) < 2; tries++) {
        if (tries > 200) throw new Error('the two changes never both waited');
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      await blocker.query('commit');
      results = await racing;
    } finally {
      await blocker.end();
    }
    expect(results.map((result) => result.statusCode).sort()).toEqual([201, 409]);
    const loser = results.find((result) => result.statusCode === 409)!;
    const winner = results.find((result) => result.statusCode === 201)!.json();
    expect(problemOf(loser)).toMatchObject({ code: 'PLAT_CONFLICT', changeOrderId: winner.id });
    expect(await changeOrdersOf(contested)).toEqual([{ order_id: winner.id, status: 'provisioning' }]);
    expect((await reservations())['custom.cpus']).toBe(before + 2 * (winner.items[0].quantity - 1));
  });

  it('returns the same change order when a change is retried with the same Idempotency-Key', async () => {
    const first = await changeItem(replayed, { quantity: 2 }, 'retried-change');
    expect(first.statusCode, first.body).toBe(201);
    const again = await changeItem(replayed, { quantity: 2 }, 'retried-change');
    expect(again.statusCode).toBe(201);
    expect(again.body).toBe(first.body);
    expect(await changeOrdersOf(replayed)).toHaveLength(1);
    // The same key for another change is refused; no key at all is a 400.
    expect((await changeItem(replayed, { quantity: 3 }, 'retried-change')).statusCode).toBe(422);
    expect((await call('POST', `/api/v1/orders/${replayed}/items/item_1/change`, buyer, { prorationMode: 'none', quantity: 3 })).statusCode).toBe(400);
    expect(await changeOrdersOf(replayed)).toHaveLength(1);
  });
});

describe('refused changes write nothing', () => {
  it('422 with pointers for the configuration, the plan and the quantity limits; 409 for a retired version or an order that is not live; 404 for an unknown item', async () => {
    const draft = (await call('POST', '/api/v1/orders', buyer, { currency: 'EUR' })).json().id as string;
    await call('POST', `/api/v1/orders/${draft}/items`, buyer, { productId: servers, pricePlan: 'small', quantity: 1 });
    await call('POST', `/api/v1/products/${retiring}/versions`, staff, {});
    await call('PATCH', `/api/v1/products/${retiring}/versions/2`, staff, { availability: { regions: ['eu-west'], providers: [], tenantTiers: [], minQuantity: 1, maxQuantity: 5, prerequisites: [] } });
    expect((await call('POST', `/api/v1/products/${retiring}/versions/2/publish`, staff)).statusCode).toBe(200);
    expect((await call('POST', `/api/v1/products/${retiring}/versions/1/retire`, staff)).statusCode).toBe(200);

    const before = await written();
    const badConfiguration = await changeItem(refusing, { configuration: { region: 'mars', disk: 5 } });
    expect(badConfiguration.statusCode).toBe(422);
    expect(problemOf(badConfiguration).errors!.map((error) => error.pointer).sort()).toEqual(['/configuration/disk', '/configuration/region']);
    expect(problemOf(await changeItem(refusing, { pricePlan: 'huge' })).errors).toEqual([{ pointer: '/pricePlan', message: 'is not a plan of this version (plans: small, large)' }]);
    const tooMany = await changeItem(retiringOrder, { quantity: 6, configuration: { region: 'us-east' } });
    expect(tooMany.statusCode).toBe(422);
    expect(problemOf(tooMany).errors!.map((error) => error.pointer).sort()).toEqual(['/configuration/region', '/quantity']);
    const retired = await changeItem(retiringOrder, { version: 1, quantity: 2 });
    expect(retired.statusCode).toBe(409);
    expect(problemOf(retired).currentStatus).toBe('retired');
    expect(problemOf(await changeItem(draft, { quantity: 2 })).code).toBe('PLAT_INVALID_TRANSITION');
    expect((await changeItem(refusing, { quantity: 2 }, undefined, 'item_9')).statusCode).toBe(404);
    expect((await changeItem(refusing, { prorationMode: 'whenever' })).statusCode).toBe(400);
    expect(await written()).toEqual(before);

    // The retired version's item moves to the current one.
    const moved = await changeItem(retiringOrder, { quantity: 2 });
    expect(moved.statusCode, moved.body).toBe(201);
    expect(moved.json().items[0]).toMatchObject({ version: 2, quantity: 2 });
  });

  it('is not for people who may only read (another tenant’s orders: test/isolation)', async () => {
    await t.platform.identity.service.createUser({ email: 'reader@change-orders.example.com', password: PASSWORD }, systemContext('test'));
    await addMember(t.platform, tenantId, 'reader@change-orders.example.com', 'read-only');
    const reader = await t.signIn('reader@change-orders.example.com', PASSWORD);
    const before = await written();
    const refused = await call('POST', `/api/v1/orders/${refusing}/items/item_1/change`, reader, { prorationMode: 'none', quantity: 2 }, { 'idempotency-key': 'reader-change' });
    expect(refused.statusCode).toBe(403);
    expect(await written()).toEqual(before);
  });
});
