// Orders over HTTP: the cart, submit (validation, quotas, stock, pricing, approval) in one
// transaction, the status machine with its timeline, audit entries and events, operators' approval,
// and the provisioning side's fulfil/fail. Refusals are problem documents and write nothing; two
// concurrent submissions that together exceed a quota cannot both succeed.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, problemOf, type TestPlatform, type SignedInHeaders } from '../support/platform.js';
import type { PricePlan, VersionContentPatch } from '../../web/shared/api/types.js';
import { SERVER_CONFIGURATION, createCart, createMember, createProduct, createTenant, pricePlan, type CartItemInput, type NewCart, type ProductOptions } from '../support/builders.js';
import { call as apiCall } from '../support/api.js';

let t: TestPlatform;
let owner: pg.Client;
let staff: SignedInHeaders;
let buyer: SignedInHeaders;
let reader: SignedInHeaders;
let tenantId: string;
const PASSWORD = 'orders test passphrase';
let keyCounter = 0;

async function call(method: string, url: string, headers: Record<string, string>, payload?: unknown, extra: Record<string, string> = {}) {
  return t.platform.app.inject({ method: method as 'GET', url, headers: { ...headers, ...extra }, ...(payload === undefined ? {} : { payload: payload as object }) });
}
const submit = (orderId: string, headers: Record<string, string> = buyer, key = `submit-${++keyCounter}`) => call('POST', `/api/v1/orders/${orderId}/submit`, headers, undefined, { 'idempotency-key': key });

const plan = (prices?: PricePlan['prices']) => pricePlan(prices ? { prices } : {});

/** A published compute product with a configuration schema and a provisioning mapping (what orders map). */
async function product(code: string, content: VersionContentPatch = {}, fields: ProductOptions['fields'] = {}): Promise<string> {
  const created = await createProduct(t, staff, {
    code,
    fields: { category: 'orders-test', ...fields },
    content: { ...SERVER_CONFIGURATION, ...content },
  });
  return created.id;
}

async function cart(items: (Partial<CartItemInput> & { productId: string })[], body: NewCart = { currency: 'EUR' }, headers: Record<string, string> = buyer): Promise<string> {
  return (await createCart(t, headers, items, body)).id;
}

const outboxTypes = async (orderId: string) => (await owner.query<{ type: string }>(`select type from kernel.outbox where payload ->> 'orderId' = $1 order by id`, [orderId])).rows.map((row) => row.type);
const auditActions = async (orderId: string) => (await owner.query<{ action: string }>(`select action from kernel.audit_entries where target_id = $1 order by seq`, [orderId])).rows.map((row) => row.action);
const orderRow = async (orderId: string) => (await owner.query(`select status, document from orders.orders where order_id = $1`, [orderId])).rows[0] as { status: string; document: { items: unknown[] } };
const reservations = () => apiCall(t, 'get', '/api/v1/tenants/{id}/quota-usage', 200, { headers: staff, params: { id: tenantId } });

async function setQuotas(quotas: Record<string, unknown>) {
  const current = (await call('GET', `/api/v1/tenants/${tenantId}`, staff)).json().quotas;
  const response = await call('PUT', `/api/v1/tenants/${tenantId}/quotas`, staff, { ...current, ...quotas });
  expect(response.statusCode, response.body).toBe(200);
}

beforeAll(async () => {
  t = await startTestPlatform();
  owner = new pg.Client({ connectionString: t.database.ownerUrl });
  await owner.connect();
  staff = await t.signIn();
  tenantId = (await createTenant(t, staff, { organizationName: 'Orderly', domain: 'orderly.example.com' })).id;
  buyer = (await createMember(t, tenantId, { email: 'buyer@orderly.example.com', role: 'owner', password: PASSWORD })).session;
  reader = (await createMember(t, tenantId, { email: 'reader@orderly.example.com', role: 'read-only', password: PASSWORD })).session;
});
afterAll(async () => {
  await owner?.end();
  await t?.close();
});

describe('the order lifecycle', () => {
  it('submits a cart into provisioning in one step, pins the version, maps the provisioning request, and records each transition', async () => {
    const productId = await product('life-server');
    const orderId = await cart([{ productId, quantity: 3, configuration: { region: 'us-east' } }]);
    const draft = (await call('GET', `/api/v1/orders/${orderId}`, buyer)).json();
    expect(draft).toMatchObject({ status: 'draft', totalMinor: '3000', items: [{ id: 'item_1', version: 1, configuration: { region: 'us-east', disk: 20 } }] });

    const submitted = await submit(orderId);
    expect(submitted.statusCode, submitted.body).toBe(200);
    const order = submitted.json();
    expect(order.status).toBe('provisioning');
    expect(order.timeline.map((entry: { status: string }) => entry.status)).toEqual(['draft', 'submitted', 'awaiting_payment', 'provisioning']);
    expect(order.items[0].provisioning).toEqual({ capability: 'compute.server', parameters: { region: 'us-east', diskGb: 20, count: 3 } });
    expect(order.items[0].price).toMatchObject({ totalMinor: '3000', currency: 'EUR' });
    expect(order.paymentTerms).toBe('invoice_later');
    expect(await outboxTypes(orderId)).toEqual(['order.created', 'order.submitted', 'order.awaiting_payment', 'order.provisioning_requested']);
    expect(await auditActions(orderId)).toEqual(['order.created', 'order.submitted', 'order.awaiting_payment', 'order.provisioning_requested']);

    // A new version does not change what this order pinned.
    await call('POST', `/api/v1/products/${productId}/versions`, staff, {});
    await call('PATCH', `/api/v1/products/${productId}/versions/2`, staff, { pricePlans: [plan({ EUR: { model: 'per_unit', unitAmount: '99.00' } })] });
    await call('POST', `/api/v1/products/${productId}/versions/2/publish`, staff);
    await call('POST', `/api/v1/products/${productId}/versions/1/retire`, staff);
    expect((await call('GET', `/api/v1/orders/${orderId}`, buyer)).json().items[0]).toMatchObject({ version: 1, price: { totalMinor: '3000' } });

    const fulfilled = await call('POST', `/api/v1/orders/${orderId}/fulfil`, staff);
    expect(fulfilled.json().status).toBe('fulfilled');
    expect((await outboxTypes(orderId)).at(-1)).toBe('order.fulfilled');
    // Customers cannot report fulfilment; final orders stay final.
    expect((await call('POST', `/api/v1/orders/${orderId}/fulfil`, buyer)).statusCode).toBe(403);
    expect((await call('POST', `/api/v1/orders/${orderId}/cancel`, buyer, {})).statusCode).toBe(409);
  });

  it('replays a retried submit with the same Idempotency-Key and refuses a second submit', async () => {
    const productId = await product('idem-server');
    const orderId = await cart([{ productId }]);
    const first = await submit(orderId, buyer, 'same-key');
    const again = await submit(orderId, buyer, 'same-key');
    expect(again.statusCode).toBe(200);
    expect(again.body).toBe(first.body);
    expect(await outboxTypes(orderId)).toEqual(['order.created', 'order.submitted', 'order.awaiting_payment', 'order.provisioning_requested']);
    const second = await submit(orderId, buyer, 'other-key');
    expect(second.statusCode).toBe(409);
    expect(problemOf(second).code).toBe('PLAT_INVALID_TRANSITION');
    expect((await call('POST', `/api/v1/orders/${orderId}/submit`, buyer)).statusCode).toBe(400);
  });

  it('answers two concurrent submits with the same Idempotency-Key with the one outcome: the same 200, submitted once', async () => {
    const productId = await product('idem-concurrent');
    const orderId = await cart([{ productId }]);
    const [a, b] = await Promise.all([submit(orderId, buyer, 'same-time'), submit(orderId, buyer, 'same-time')]);
    expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
    expect(a.body).toBe(b.body);
    expect(await outboxTypes(orderId)).toEqual(['order.created', 'order.submitted', 'order.awaiting_payment', 'order.provisioning_requested']);
    const stored = await owner.query("select status_code from kernel.idempotency_keys where key = 'same-time'");
    expect(stored.rows).toEqual([{ status_code: 200 }]);
  });

  it('holds orders for approval (flagged product or operator rule); operators approve or reject, customers cannot', async () => {
    const flagged = await product('approval-flagged', { requiresApproval: true });
    const held = await cart([{ productId: flagged }]);
    const submitted = (await submit(held)).json();
    expect(submitted).toMatchObject({ status: 'pending_approval', approval: { required: ['Product approval-flagged requires approval'], decision: null } });
    expect((await call('POST', `/api/v1/orders/${held}/approve`, buyer, {})).statusCode).toBe(403);
    const approved = await call('POST', `/api/v1/orders/${held}/approve`, staff, { reason: 'Checked the customer' });
    expect(approved.json()).toMatchObject({ status: 'provisioning', approval: { decision: 'approved', reason: 'Checked the customer' } });
    expect(await outboxTypes(held)).toEqual(['order.created', 'order.submitted', 'order.approval_requested', 'order.approved', 'order.provisioning_requested']);

    const plain = await product('approval-rule-target');
    const rule = await call('POST', '/api/v1/approval-rules', staff, { name: 'Large orders', condition: { type: 'total_above', currency: 'EUR', amount: '100.00' } });
    expect(rule.statusCode, rule.body).toBe(201);
    const small = await cart([{ productId: plain, quantity: 10 }]);
    expect((await submit(small)).json().status).toBe('provisioning'); // exactly 100.00 is not above
    const large = await cart([{ productId: plain, quantity: 11 }]);
    expect((await submit(large)).json()).toMatchObject({ status: 'pending_approval', approval: { required: ['Large orders'] } });
    expect((await call('POST', `/api/v1/orders/${large}/reject`, staff, {})).statusCode).toBe(400); // a reason is required
    const rejected = await call('POST', `/api/v1/orders/${large}/reject`, staff, { reason: 'Credit check failed' });
    expect(rejected.json()).toMatchObject({ status: 'cancelled', approval: { decision: 'rejected', reason: 'Credit check failed' } });
    expect(rejected.json().timeline.at(-1)).toMatchObject({ status: 'cancelled', reason: 'Rejected: Credit check failed' });
    expect((await call('DELETE', `/api/v1/approval-rules/${rule.json().id}`, staff)).statusCode).toBe(204);
  });

  it('keeps the status machine in the database too', async () => {
    const productId = await product('machine-server');
    const orderId = await cart([{ productId }]);
    await submit(orderId);
    const step = (seq: number, status: string) => owner.query(`insert into orders.order_timeline (order_id, tenant_id, seq, status, at) values ($1, $2, $3, $4, now())`, [orderId, tenantId, seq, status]);
    // The timeline only grows along the machine's edges, one step after another.
    await expect(step(5, 'draft')).rejects.toThrow(/cannot move from provisioning to draft/);
    await expect(step(7, 'fulfilled')).rejects.toThrow(/continues at 5, not 7/);
    await expect(owner.query(`insert into orders.order_timeline (order_id, tenant_id, seq, status, at) select $1, $2, 5, 'fulfilled', now() union all select $1, $2, 6, 'cancelled', now()`, [orderId, tenantId])).rejects.toThrow(/cannot move from fulfilled to cancelled/);
    // The row shows the status its timeline ends at, and nothing else.
    await expect(owner.query(`update orders.orders set status = 'fulfilled' where order_id = $1`, [orderId])).rejects.toThrow(/its timeline ends at provisioning/);
    await expect(owner.query(`insert into orders.orders (order_id, tenant_id, currency, document, created_at, updated_at, status) values ($1, $2, 'EUR', '{}', now(), now(), 'fulfilled')`, [orderId.replace(/.$/, '0'), tenantId])).rejects.toThrow(/must start as a draft/);
    await step(5, 'fulfilled');
    await expect(owner.query(`update orders.orders set status = 'fulfilled' where order_id = $1`, [orderId])).resolves.toBeDefined();
    await expect(owner.query(`update orders.orders set document = '{}' where order_id = $1`, [orderId])).rejects.toThrow(/can no longer change/);
    // The application may append to a timeline but never rewrite it.
    const grants = await owner.query(`select privilege_type from information_schema.role_table_grants where grantee = 'platforma_app' and table_schema = 'orders' and table_name = 'order_timeline'`);
    expect(grants.rows.map((row: { privilege_type: string }) => row.privilege_type).sort()).toEqual(['INSERT', 'SELECT']);
  });
});

describe('refusals write nothing', () => {
  it('lists each configuration error with its pointer (422) and leaves the cart as it was', async () => {
    const productId = await product('bad-config');
    const orderId = await cart([]);
    const refused = await call('POST', `/api/v1/orders/${orderId}/items`, buyer, { productId, pricePlan: 'monthly', quantity: 1, configuration: { region: 'mars', disk: 5, colour: 'red' } });
    expect(refused.statusCode).toBe(422);
    expect(problemOf(refused).errors!.map((error) => error.pointer).sort()).toEqual(['/configuration/colour', '/configuration/disk', '/configuration/region']);
    expect((await orderRow(orderId)).document.items).toEqual([]);
  });

  it('refuses an unsupported currency (422) at the cart and when adding an item', async () => {
    const productId = await product('eur-only');
    expect((await call('POST', '/api/v1/orders', buyer, { currency: 'XQZ' })).statusCode).toBe(422);
    const orderId = await cart([], { currency: 'USD' });
    const refused = await call('POST', `/api/v1/orders/${orderId}/items`, buyer, { productId, pricePlan: 'monthly', quantity: 1 });
    expect(refused.statusCode).toBe(422);
    expect(problemOf(refused).errors).toEqual([{ pointer: '/currency', message: 'is not offered by this plan (currencies: EUR)' }]);
    expect((await orderRow(orderId)).document.items).toEqual([]);
  });

  it('refuses a retired or unpublished version (409), also when it was retired after it went into the cart', async () => {
    const productId = await product('retiring');
    const orderId = await cart([{ productId }]);
    await call('POST', `/api/v1/products/${productId}/versions`, staff, {});
    const unpublished = await call('POST', `/api/v1/orders/${orderId}/items`, buyer, { productId, version: 2, pricePlan: 'monthly', quantity: 1 });
    expect(unpublished.statusCode).toBe(409);
    expect(problemOf(unpublished).currentStatus).toBe('draft');
    expect((await call('POST', `/api/v1/products/${productId}/versions/1/retire`, staff)).statusCode).toBe(200);
    const refused = await submit(orderId);
    expect(refused.statusCode).toBe(409);
    expect(problemOf(refused).currentStatus).toBe('retired');
    expect((await orderRow(orderId)).status).toBe('draft');
    // Only the cart's creation: the refused submission published nothing.
    expect(await outboxTypes(orderId)).toEqual(['order.created']);
  });

  it('refuses an order beyond the tenant’s quota with 409 PLAT_QUOTA_EXCEEDED naming the limit and the current usage', async () => {
    await setQuotas({ customLimits: { gpus: 4 } });
    const productId = await product('gpu-box', { quotaConsumption: { 'custom.gpus': 2 } });
    const first = await cart([{ productId, quantity: 1 }]);
    expect((await submit(first)).statusCode).toBe(200);
    const second = await cart([{ productId, quantity: 2 }]);
    const refused = await submit(second);
    expect(refused.statusCode).toBe(409);
    expect(problemOf(refused)).toMatchObject({ code: 'PLAT_QUOTA_EXCEEDED', quota: 'custom.gpus', limit: 4, current: 2, requested: 4 });
    expect((await orderRow(second)).status).toBe('draft');
    expect((await reservations())['custom.gpus']).toBe(2);
    // Cancelling is impossible once provisioning started; failing releases the reservation.
    expect((await call('POST', `/api/v1/orders/${first}/fail`, staff, { reason: 'No GPU host available' })).json()).toMatchObject({ status: 'failed', failureReason: 'No GPU host available' });
    expect((await reservations())['custom.gpus']).toBe(0);
    expect((await submit(second)).statusCode).toBe(200);
  });

  it('refuses quantities outside the version’s limits and missing prerequisites, all problems at once', async () => {
    const base = await product('base-platform');
    const addon = await product('addon-backup', { availability: { regions: ['eu-west'], providers: [], tenantTiers: [], minQuantity: 1, maxQuantity: 2, prerequisites: [base] } }, { kind: 'addon' });
    const orderId = await cart([{ productId: addon, quantity: 3, configuration: { region: 'us-east' } }]);
    const refused = await submit(orderId);
    expect(refused.statusCode).toBe(422);
    expect(problemOf(refused).errors!.map((error) => error.pointer).sort()).toEqual(['/items/0', '/items/0/configuration/region', '/items/0/quantity']);
    // Base and add-on in one order: the prerequisite is met by the order itself.
    const together = await cart([{ productId: base }, { productId: addon }]);
    expect((await submit(together)).json().status).toBe('provisioning');
  });

  it('lets only people allowed to order create carts, and only the tenant see its orders', async () => {
    expect((await call('POST', '/api/v1/orders', reader, { currency: 'EUR' })).statusCode).toBe(403);
    const productId = await product('visible-orders');
    const orderId = await cart([{ productId }]);
    expect((await call('GET', `/api/v1/orders/${orderId}`, reader)).statusCode).toBe(200);
    expect((await call('GET', '/api/v1/orders?limit=100', reader)).json().data.some((order: { id: string }) => order.id === orderId)).toBe(true);
    expect((await call('GET', `/api/v1/orders?tenantId=${tenantId}&status=draft&limit=100`, staff)).json().data.every((order: { status: string }) => order.status === 'draft')).toBe(true);
  });
});

describe('concurrency', () => {
  it('fills many carts at once without starving the connection pool (no transaction waits for a second connection)', { timeout: 60_000 }, async () => {
    const productId = await product('many-carts');
    const carts = await Promise.all(Array.from({ length: 30 }, () => call('POST', '/api/v1/orders', buyer, { currency: 'EUR' })));
    const added = await Promise.all(carts.map((created) => call('POST', `/api/v1/orders/${created.json().id}/items`, buyer, { productId, pricePlan: 'monthly', quantity: 1 })));
    expect(added.map((response) => response.statusCode)).toEqual(Array(30).fill(201));
  });

  it('never lets two submissions that together exceed a quota both succeed', async () => {
    await setQuotas({ maxStorage: 100 });
    const productId = await product('volume-60', { quotaConsumption: { maxStorage: 60 } }, { kind: 'storage' });
    const before = (await reservations()).maxStorage ?? 0;
    expect(before).toBe(0);
    const carts = await Promise.all([cart([{ productId }]), cart([{ productId }]), cart([{ productId }])]);
    const results = await Promise.all(carts.map((id) => submit(id)));
    const statuses = results.map((result) => result.statusCode).sort();
    expect(statuses).toEqual([200, 409, 409]);
    for (const result of results.filter((r) => r.statusCode === 409)) expect(problemOf(result).code).toBe('PLAT_QUOTA_EXCEEDED');
    expect((await reservations()).maxStorage).toBe(60);
  });

  it('never sells more stock than the capacity', async () => {
    const productId = await product('last-unit', {}, { capacity: 2 });
    const carts = await Promise.all([cart([{ productId }]), cart([{ productId }]), cart([{ productId }]), cart([{ productId }])]);
    const results = await Promise.all(carts.map((id) => submit(id)));
    expect(results.filter((r) => r.statusCode === 200)).toHaveLength(2);
    for (const result of results.filter((r) => r.statusCode !== 200)) expect(problemOf(result).code).toBe('PLAT_OUT_OF_STOCK');
    expect((await call('GET', `/api/v1/products/${productId}`, staff)).json()).toMatchObject({ capacity: 2, capacityUsed: 2 });
    // Cancelling a live order gives its unit back.
    const scarce = await product('cancel-me', { requiresApproval: true }, { capacity: 1 });
    const cancellable = await cart([{ productId: scarce }]);
    expect((await submit(cancellable)).json().status).toBe('pending_approval');
    expect((await call('GET', `/api/v1/products/${scarce}`, staff)).json().capacityUsed).toBe(1);
    expect((await call('POST', `/api/v1/orders/${cancellable}/cancel`, buyer, { reason: 'Changed my mind' })).json().status).toBe('cancelled');
    expect((await call('GET', `/api/v1/products/${scarce}`, staff)).json().capacityUsed).toBe(0);
  });
});
