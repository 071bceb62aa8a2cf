// Mail about orders: the customer who placed an order hears when it is placed, approved, rejected,
// fulfilled or failed; the staff who may approve orders hear when one waits for them, and the
// count of orders waiting drops when one is decided. Mails follow the orders' events through the
// workers (no SMTP server here: the outbox keeps them), exactly once per event and recipient even
// when an event is delivered again.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, startTestPlatform, type TestPlatform, type SignedInHeaders } from '../support/platform.js';
import { systemContext } from '../../src/kernel/context.js';
import { inTransaction } from '../../src/kernel/db/database.js';
import type { VersionContentPatch } from '../../web/shared/api/types.js';
import { createOrder, createProduct, createTenant, perUnitPlan } from '../support/builders.js';

let t: TestPlatform;
let owner: pg.Client;
let staff: SignedInHeaders;
let buyer: SignedInHeaders;
let tenantId: string;
let plainProduct: string;
let heldProduct: string;
const PASSWORD = 'order notifications passphrase';
const PUBLIC_URL = 'https://platforma.example.com';
const BUYER = 'buyer@mailorders.example.com';
const BOSS = 'boss@mailorders.example.com';
const PLATFORM_ADMIN = 'admin@example.com';
const OPERATOR = 'operator@staff.example.com';

async function call(method: string, url: string, headers: Record<string, string>, payload?: unknown, extra: Record<string, string> = {}) {
  return t.platform.app.inject({ method: method as 'GET', url, headers: { ...headers, ...extra }, ...(payload === undefined ? {} : { payload: payload as object }) });
}

async function ok(method: string, url: string, headers: Record<string, string>, payload?: unknown, extra: Record<string, string> = {}) {
  const response = await call(method, url, headers, payload, extra);
  expect(response.statusCode, `${method} ${url}: ${response.body}`).toBeLessThan(300);
  return response.body ? response.json() : undefined;
}

async function product(code: string, name: string, unitAmount: string, content: VersionContentPatch = {}): Promise<string> {
  const created = await createProduct(t, staff, {
    code,
    fields: { name, category: 'mail-test' },
    content: { configurationSchema: { type: 'object', properties: { rootPassword: { type: 'string', default: 'hunter2-not-for-mail' } } }, pricePlans: [perUnitPlan('monthly', unitAmount)], ...content },
  });
  return created.id;
}

/** Places an order of `quantity` units of a product; answers its id and status. */
async function placeOrder(productId: string, quantity: number, headers: SignedInHeaders = buyer): Promise<{ id: string; number: string; status: string }> {
  const submitted = await createOrder(t, headers, [{ productId, quantity }]);
  expect(submitted.number).toMatch(/^ORD-\d{6}$/);
  return { id: submitted.id, number: submitted.number!, status: submitted.status };
}

interface OutboxMail {
  to: string;
  subject: string;
  purpose: string;
  tenant_id: string | null;
  text: string;
}

/** Every mail about an order, in the order queued, by recipient within one event. */
async function mailsAbout(orderId: string): Promise<OutboxMail[]> {
  const { rows } = await owner.query<OutboxMail>(
    `select "to", subject, purpose, tenant_id, text from notifications.outgoing_mail where purpose like 'orders.%' and text like '%' || $1 || '%' order by created_at, id`,
    [orderId],
  );
  return rows;
}

/** Waits until the order's mails are exactly these (subject, recipient, purpose), in any order of recipients. */
async function expectMails(orderId: string, expected: { to: string; subject: string; purpose: string; tenantId: string | null }[]): Promise<OutboxMail[]> {
  const key = (m: { to: string; subject: string; purpose: string; tenantId: string | null }) => `${m.subject} → ${m.to} (${m.purpose}, ${m.tenantId ?? 'platform'})`;
  const want = expected.map(key).sort();
  await expect.poll(async () => (await mailsAbout(orderId)).map((m) => key({ ...m, tenantId: m.tenant_id })).sort(), { timeout: 20_000, interval: 200 }).toEqual(want);
  // Every event of the order has reached both handlers: nothing more is coming.
  await expect.poll(() => undelivered(orderId), { timeout: 20_000, interval: 200 }).toBe(0);
  const mails = await mailsAbout(orderId);
  expect(mails.map((m) => key({ ...m, tenantId: m.tenant_id })).sort()).toEqual(want);
  return mails;
}

async function undelivered(orderId: string): Promise<number> {
  const { rows } = await owner.query<{ n: number }>(
    `select count(*)::int as n from kernel.outbox o
      where o.payload ->> 'orderId' = $1
        and o.type in ('order.submitted', 'order.approval_requested', 'order.approved', 'order.rejected', 'order.fulfilled', 'order.failed')
        and not exists (select 1 from kernel.event_deliveries d where d.event_id = o.id and d.handler like 'orders.mail-%')`,
    [orderId],
  );
  return rows[0]!.n;
}

/**
 * Delivers every event of the order to the mail handlers again, as if the delivery records were
 * lost (at-least-once delivery): the records are removed, then each event is delivered anew.
 */
async function redeliverEverything(orderId: string): Promise<void> {
  const { rows } = await owner.query<{ event_id: string; handler: string }>(
    `delete from kernel.event_deliveries d using kernel.outbox o where d.event_id = o.id and o.payload ->> 'orderId' = $1 and d.handler like 'orders.mail-%' returning d.event_id, d.handler`,
    [orderId],
  );
  expect(rows.length).toBeGreaterThan(0);
  for (const row of rows) expect(await t.platform.kernel.events.deliver({ eventId: row.event_id, handler: row.handler })).toBe('delivered');
  // And the ordinary path: a repeated job for a recorded delivery is recognised before the handler runs.
  for (const row of rows) expect(await t.platform.kernel.events.deliver({ eventId: row.event_id, handler: row.handler })).toBe('duplicate');
}

const pendingApproval = async (headers: SignedInHeaders = staff) => (await ok('GET', '/api/v1/orders/count?status=pending_approval', headers)).count as number;

beforeAll(async () => {
  t = await startTestPlatform({ start: true, env: { PUBLIC_URL } });
  owner = new pg.Client({ connectionString: t.database.ownerUrl });
  await owner.connect();
  staff = await t.signIn();
  tenantId = (await createTenant(t, staff, { organizationName: 'Mail Orders Ltd', domain: 'mailorders.example.com' })).id;
  for (const [email, role] of [[BUYER, 'owner'], [BOSS, 'owner'], ['temp@mailorders.example.com', 'admin']] as const) {
    await t.platform.identity.service.createUser({ email, password: PASSWORD }, systemContext('test'));
    await addMember(t.platform, tenantId, email, role);
  }
  buyer = await t.signIn(BUYER, PASSWORD);
  // Staff who may approve orders (platform-admin, operator) and one who may not (support).
  await ok('POST', '/api/v1/staff', staff, { email: OPERATOR, role: 'operator' });
  await ok('POST', '/api/v1/staff', staff, { email: 'support@staff.example.com', role: 'support' });
  plainProduct = await product('mail-server', 'Mail Server', '10.00');
  heldProduct = await product('mail-cluster', 'Mail Cluster', '250.00', { requiresApproval: true });
});
afterAll(async () => {
  await owner?.end();
  await t?.close();
});

describe('an order that waits for approval, is approved and fulfilled', () => {
  it('mails the customer at each step and the approving staff once, and the waiting count follows', async () => {
    const before = await pendingApproval();
    const order = await placeOrder(heldProduct, 2);
    expect(order.status).toBe('pending_approval');
    expect(await pendingApproval()).toBe(before + 1);
    // A customer counts only their own tenant's orders, with the same endpoint.
    expect(await pendingApproval(buyer)).toBe(1);

    const placed = await expectMails(order.id, [
      { to: BUYER, subject: `Order ${order.number} placed`, purpose: 'orders.placed', tenantId },
      { to: PLATFORM_ADMIN, subject: `Order ${order.number} from Mail Orders Ltd waits for approval`, purpose: 'orders.approval_requested', tenantId: null },
      { to: OPERATOR, subject: `Order ${order.number} from Mail Orders Ltd waits for approval`, purpose: 'orders.approval_requested', tenantId: null },
    ]);
    const placedText = placed.find((m) => m.purpose === 'orders.placed')!.text;
    expect(placedText).toContain(`The order ${order.number} for Mail Orders Ltd has been placed.`);
    expect(placedText).toContain('  - Mail Cluster (version 1) × 2: EUR 500.00');
    expect(placedText).toContain('Total: EUR 500.00');
    expect(placedText).toContain(`See the order: ${PUBLIC_URL}/portal/orders/${order.id}`);
    // The configuration may hold the customer's secrets: never in a mail.
    for (const mail of placed) expect(mail.text).not.toContain('hunter2');
    const operatorText = placed.find((m) => m.to === OPERATOR)!.text;
    expect(operatorText).toContain('Why: Mail Cluster requires approval');
    expect(operatorText).toContain(`Approve or reject it: ${PUBLIC_URL}/admin/orders/${order.id}`);

    await ok('POST', `/api/v1/orders/${order.id}/approve`, staff, { reason: 'Customer verified' });
    expect(await pendingApproval()).toBe(before);
    await ok('POST', `/api/v1/orders/${order.id}/fulfil`, staff);

    const all = await expectMails(order.id, [
      { to: BUYER, subject: `Order ${order.number} placed`, purpose: 'orders.placed', tenantId },
      { to: PLATFORM_ADMIN, subject: `Order ${order.number} from Mail Orders Ltd waits for approval`, purpose: 'orders.approval_requested', tenantId: null },
      { to: OPERATOR, subject: `Order ${order.number} from Mail Orders Ltd waits for approval`, purpose: 'orders.approval_requested', tenantId: null },
      { to: BUYER, subject: `Order ${order.number} approved`, purpose: 'orders.approved', tenantId },
      { to: BUYER, subject: `Order ${order.number} fulfilled`, purpose: 'orders.fulfilled', tenantId },
    ]);
    expect(all.find((m) => m.purpose === 'orders.approved')!.text).toContain('Note from the operator: Customer verified');
    expect(all.find((m) => m.purpose === 'orders.fulfilled')!.text).toContain(`The order ${order.number} for Mail Orders Ltd has been delivered.`);

    // Delivered again: not one mail more.
    await redeliverEverything(order.id);
    expect(await mailsAbout(order.id)).toEqual(all);
  });
});

describe('an order that is rejected', () => {
  it('tells the customer why, and is no longer counted as waiting', async () => {
    const before = await pendingApproval();
    const order = await placeOrder(heldProduct, 1);
    expect(await pendingApproval()).toBe(before + 1);
    await ok('POST', `/api/v1/orders/${order.id}/reject`, staff, { reason: 'Credit check failed' });
    expect(await pendingApproval()).toBe(before);

    const mails = await expectMails(order.id, [
      { to: BUYER, subject: `Order ${order.number} placed`, purpose: 'orders.placed', tenantId },
      { to: PLATFORM_ADMIN, subject: `Order ${order.number} from Mail Orders Ltd waits for approval`, purpose: 'orders.approval_requested', tenantId: null },
      { to: OPERATOR, subject: `Order ${order.number} from Mail Orders Ltd waits for approval`, purpose: 'orders.approval_requested', tenantId: null },
      { to: BUYER, subject: `Order ${order.number} rejected`, purpose: 'orders.rejected', tenantId },
    ]);
    const rejected = mails.find((m) => m.purpose === 'orders.rejected')!.text;
    expect(rejected).toContain(`The order ${order.number} for Mail Orders Ltd has been rejected: nothing of it will be delivered.`);
    expect(rejected).toContain('Reason: Credit check failed');
    expect(rejected).toContain('Total: EUR 250.00');
    expect((await owner.query(`select type from kernel.outbox where payload ->> 'orderId' = $1 order by id`, [order.id])).rows.map((r) => r.type)).toEqual(['order.created', 'order.submitted', 'order.approval_requested', 'order.rejected']);

    await redeliverEverything(order.id);
    expect(await mailsAbout(order.id)).toEqual(mails);
  });
});

describe('an order that fails', () => {
  it('tells the customer why; an order that needs no approval bothers no operator', async () => {
    const order = await placeOrder(plainProduct, 3);
    expect(order.status).toBe('provisioning');
    await ok('POST', `/api/v1/orders/${order.id}/fail`, staff, { reason: 'No capacity left in eu-west' });
    const mails = await expectMails(order.id, [
      { to: BUYER, subject: `Order ${order.number} placed`, purpose: 'orders.placed', tenantId },
      { to: BUYER, subject: `Order ${order.number} failed`, purpose: 'orders.failed', tenantId },
    ]);
    const failed = mails.find((m) => m.purpose === 'orders.failed')!.text;
    expect(failed).toContain(`The order ${order.number} for Mail Orders Ltd could not be delivered.`);
    expect(failed).toContain('Reason: No capacity left in eu-west');
    expect(failed).toContain('  - Mail Server (version 1) × 3: EUR 30.00');

    await redeliverEverything(order.id);
    expect(await mailsAbout(order.id)).toEqual(mails);
  });

  it('mails the tenant’s owners when the person who placed the order has left the tenant', async () => {
    const temp = await t.signIn('temp@mailorders.example.com', PASSWORD);
    const order = await placeOrder(plainProduct, 1, temp);
    await expectMails(order.id, [{ to: 'temp@mailorders.example.com', subject: `Order ${order.number} placed`, purpose: 'orders.placed', tenantId }]);
    const { userId: tempId } = (await ok('GET', `/api/v1/tenants/${tenantId}/members`, staff)).data.find((m: { email: string }) => m.email === 'temp@mailorders.example.com');
    await ok('DELETE', `/api/v1/tenants/${tenantId}/members/${tempId}`, staff);
    await ok('POST', `/api/v1/orders/${order.id}/fail`, staff, { reason: 'Region closed' });
    await expectMails(order.id, [
      { to: 'temp@mailorders.example.com', subject: `Order ${order.number} placed`, purpose: 'orders.placed', tenantId },
      { to: BUYER, subject: `Order ${order.number} failed`, purpose: 'orders.failed', tenantId },
      { to: BOSS, subject: `Order ${order.number} failed`, purpose: 'orders.failed', tenantId },
    ]);
  });
});

describe('the dedup key', () => {
  it('queues a message once per key, even when the handler runs twice for one event in one transaction', async () => {
    const order = await placeOrder(plainProduct, 1);
    await expectMails(order.id, [{ to: BUYER, subject: `Order ${order.number} placed`, purpose: 'orders.placed', tenantId }]);
    const { rows } = await owner.query(`select * from kernel.outbox where payload ->> 'orderId' = $1 and type = 'order.submitted'`, [order.id]);
    const row = rows[0];
    const event = { id: row.id, type: row.type, version: row.version, tenantId: row.tenant_id, payload: row.payload, actorId: row.actor_id, requestId: row.request_id, occurredAt: row.occurred_at };
    const handler = t.platform.kernel.events.subscription('orders.mail-customer')!;
    await inTransaction(t.platform.kernel.db, { scope: { kind: 'platform' }, actorId: 'test' }, async (tx) => {
      await handler.handle(event, tx);
      await handler.handle(event, tx);
    });
    expect((await mailsAbout(order.id)).length).toBe(1);
    const keys = await owner.query(`select dedup_key from notifications.outgoing_mail where text like '%' || $1 || '%'`, [order.id]);
    expect(keys.rows).toEqual([{ dedup_key: `${row.id}:${BUYER}` }]);
  });
});

describe('counting orders', () => {
  it('refuses unknown filters with a problem and counts nothing for another tenant', async () => {
    const bad = await call('GET', '/api/v1/orders/count?status=lost', staff);
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect((await call('GET', '/api/v1/orders/count?colour=red', staff)).statusCode).toBe(400);
    // A customer's tenantId is ignored: they count their own tenant's orders, as the list shows them.
    const own = (await ok('GET', '/api/v1/orders/count', buyer)).count;
    expect((await ok('GET', `/api/v1/orders/count?tenantId=ten_01jaaaaaaaaaaaaaaaaaaaaaaa`, buyer)).count).toBe(own);
    expect((await ok('GET', `/api/v1/orders/count?tenantId=${tenantId}`, staff)).count).toBe(own);
  });
});
