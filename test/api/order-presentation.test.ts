// What customers read about prices and orders: quotes that keep recurring and one-time amounts
// apart (never a setup fee "per month"), a product's "from" price, configuration errors in the
// operator's words (x-errorMessage, checked at publish; never a regular expression), configuration
// summaries with the schema's titles, timelines with people's names, and per-tenant order numbers
// ("ORD-000001", given at submission, consecutive even when submissions race).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, startTestPlatform, problemOf, type TestPlatform, type SignedInHeaders } from '../support/platform.js';
import { systemContext } from '../../src/kernel/context.js';
import type { PricePlan, VersionContentPatch } from '../../web/shared/api/types.js';
import { createProduct, pricePlan } from '../support/builders.js';

let t: TestPlatform;
let staff: SignedInHeaders;
let buyer: SignedInHeaders;
let otherBuyer: SignedInHeaders;
let tenantId: string;
let otherTenantId: string;
let productId: string;
const PASSWORD = 'presentation test passphrase';
let keyCounter = 0;

async function call(method: string, url: string, headers: Record<string, string>, payload?: unknown, extra: Record<string, string> = {}) {
  return t.platform.app.inject({ method: method as 'GET', url, headers: { ...headers, ...extra }, ...(payload === undefined ? {} : { payload: payload as object }) });
}
const submit = (orderId: string, headers: Record<string, string>) => call('POST', `/api/v1/orders/${orderId}/submit`, headers, undefined, { 'idempotency-key': `presentation-${++keyCounter}` });

const SCHEMA = {
  type: 'object',
  required: ['hostname'],
  properties: {
    hostname: { type: 'string', title: 'Server name', description: 'Lower-case letters, digits and dashes', pattern: '^[a-z][a-z0-9-]{2,62}$', 'x-errorMessage': 'Use 3 to 63 lower-case letters, digits and dashes, starting with a letter.' },
    cpus: { type: 'integer', title: 'Processors', minimum: 1, maximum: 16, default: 2 },
    label: { type: 'string', pattern: '^[A-Z]+$' },
    backups: { type: 'boolean', title: 'Daily backups', default: false },
  },
  additionalProperties: false,
};

const plans: PricePlan[] = [
  pricePlan({ code: 'flat', name: 'Flat', setupFee: { EUR: '10.00' }, prices: { EUR: { model: 'flat', amount: '40.00' } } }),
  pricePlan({ code: 'per-unit', name: 'Per unit', prices: { EUR: { model: 'per_unit', unitAmount: '5.00' }, USD: { model: 'per_unit', unitAmount: '6.00' } } }),
  pricePlan({ code: 'yearly', name: 'Yearly', interval: 'year', prices: { EUR: { model: 'flat', amount: '48.00' } } }),
  pricePlan({ code: 'lifetime', name: 'Lifetime', interval: 'one_time', prices: { EUR: { model: 'flat', amount: '1.00' }, GBP: { model: 'flat', amount: '99.00' } } }),
];

/** A product with these plans and the configuration schema; version 1 is left a draft for the test to publish. */
async function draftProduct(code: string, content: VersionContentPatch): Promise<{ id: string; publish: () => ReturnType<typeof call> }> {
  const { id } = await createProduct(t, staff, {
    code,
    fields: { category: 'presentation' },
    publish: false,
    content: {
      summary: 'v1',
      configurationSchema: SCHEMA,
      availability: { regions: [], providers: [], tenantTiers: [], minQuantity: 1, maxQuantity: null, prerequisites: [] },
      provisioning: null,
      requiresApproval: false,
      quotaConsumption: {},
      pricePlans: plans,
      ...content,
    },
  });
  return { id, publish: () => call('POST', `/api/v1/products/${id}/versions/1/publish`, staff) };
}

beforeAll(async () => {
  t = await startTestPlatform();
  staff = await t.signIn();
  const makeTenant = async (name: string) => {
    const response = await call('POST', '/api/v1/tenants', staff, { organizationName: name, domain: `${name.toLowerCase()}.example.com`, adminEmail: `ops@${name.toLowerCase()}.example.com` });
    expect(response.statusCode, response.body).toBe(201);
    return response.json().id as string;
  };
  tenantId = await makeTenant('Numbered');
  otherTenantId = await makeTenant('Counted');
  for (const [email, tenant] of [
    ['buyer@numbered.example.com', tenantId],
    ['buyer@counted.example.com', otherTenantId],
  ] as const) {
    await t.platform.identity.service.createUser({ email, password: PASSWORD }, systemContext('test'));
    await addMember(t.platform, tenant, email, 'owner');
  }
  buyer = await t.signIn('buyer@numbered.example.com', PASSWORD);
  otherBuyer = await t.signIn('buyer@counted.example.com', PASSWORD);
  const named = await call('PATCH', '/api/v1/me', buyer, { displayName: 'Nora Numbered' });
  expect(named.statusCode, named.body).toBe(200);
  buyer = await t.signIn('buyer@numbered.example.com', PASSWORD);
  const product = await draftProduct('presented', {});
  const published = await product.publish();
  expect(published.statusCode, published.body).toBe(200);
  productId = product.id;
});
afterAll(async () => {
  await t?.close();
});

const preview = (body: Record<string, unknown>) => call('POST', '/api/v1/prices/preview', buyer, { productId, currency: 'EUR', configuration: { hostname: 'web-1' }, ...body });

describe('quotes keep recurring and one-time amounts apart', () => {
  it('never adds a setup fee into the monthly amount, and says which model priced the quantity', async () => {
    const flat = await preview({ pricePlan: 'flat', quantity: 2 });
    expect(flat.statusCode, flat.body).toBe(200);
    expect(flat.json()).toMatchObject({ interval: 'month', recurringMinor: '4000', recurring: '40.00', oneTimeMinor: '1000', oneTime: '10.00', totalMinor: '5000', dueNowMinor: '5000' });
    expect(flat.json().lines[0]).toMatchObject({ kind: 'recurring', quantity: '2', amount: '40.00', priceModel: { model: 'flat', amount: '40.00' } });

    const perUnit = (await preview({ pricePlan: 'per-unit', quantity: 3 })).json();
    expect(perUnit).toMatchObject({ recurringMinor: '1500', oneTimeMinor: '0' });
    expect(perUnit.lines[0].priceModel).toEqual({ model: 'per_unit', unitAmount: '5.00' });

    const once = (await preview({ pricePlan: 'lifetime', quantity: 1 })).json();
    expect(once).toMatchObject({ interval: 'one_time', recurringMinor: '0', oneTimeMinor: '100' });
  });

  it('splits a percentage coupon between the recurring and the one-time part', async () => {
    const coupon = await call('POST', '/api/v1/coupons', staff, { code: 'SPLIT10', name: 'Split', discount: { type: 'percent', percentOff: '10' }, duration: { type: 'forever' } });
    expect(coupon.statusCode, coupon.body).toBe(201);
    const body = (await preview({ pricePlan: 'flat', quantity: 1, couponCode: 'SPLIT10' })).json();
    expect(body).toMatchObject({ recurringMinor: '3600', oneTimeMinor: '900', totalMinor: '4500' });

    // A coupon for the first period only leaves what every period costs as it is; due now shows it.
    expect((await call('POST', '/api/v1/coupons', staff, { code: 'FIRST50', name: 'First month', discount: { type: 'percent', percentOff: '50' }, duration: { type: 'once' } })).statusCode).toBe(201);
    const first = (await preview({ pricePlan: 'flat', quantity: 1, couponCode: 'FIRST50' })).json();
    expect(first).toMatchObject({ recurringMinor: '4000', oneTimeMinor: '500', dueNowMinor: '2500' });
  });

  it('gives orders their recurring totals per interval and their one-time amount apart', async () => {
    const cart = (await call('POST', '/api/v1/orders', buyer, { currency: 'EUR' })).json();
    for (const [pricePlan, quantity] of [['flat', 2], ['per-unit', 2], ['yearly', 1], ['lifetime', 1]] as const) {
      const added = await call('POST', `/api/v1/orders/${cart.id}/items`, buyer, { productId, pricePlan, quantity, configuration: { hostname: 'web-1' } });
      expect(added.statusCode, added.body).toBe(201);
    }
    const order = (await call('GET', `/api/v1/orders/${cart.id}`, buyer)).json();
    expect(order.recurringTotals).toEqual([
      { interval: 'month', amountMinor: '5000' },
      { interval: 'year', amountMinor: '4800' },
    ]);
    expect(order.oneTimeMinor).toBe('1100');
    await call('POST', `/api/v1/orders/${cart.id}/cancel`, buyer, {});
  });
});

describe('a product card’s from price', () => {
  it('is the cheapest recurring price per currency with its interval, and one-time only where nothing recurs', async () => {
    const listed = await call('GET', '/api/v1/products?category=presentation', buyer);
    expect(listed.statusCode, listed.body).toBe(200);
    const product = listed.json().data.find((candidate: { id: string }) => candidate.id === productId);
    // EUR: 48.00 a year is 4.00 a month, cheaper than 5.00 a month per unit or the flat 40.00; shown per year.
    expect(product.fromPrices.EUR).toMatchObject({ amount: '48.00', interval: 'year', pricePlan: 'yearly', quantity: 1 });
    expect(product.fromPrices.USD).toMatchObject({ amount: '6.00', interval: 'month', pricePlan: 'per-unit' });
    expect(product.fromPrices.GBP).toMatchObject({ amount: '99.00', interval: 'one_time', pricePlan: 'lifetime' });
  });
});

describe('configuration errors in the operator’s words', () => {
  it('shows the property’s x-errorMessage instead of the pattern, and never a regular expression', async () => {
    const refused = await preview({ pricePlan: 'flat', quantity: 1, configuration: { hostname: 'Web 1', label: 'lower' } });
    expect(refused.statusCode).toBe(422);
    const errors = problemOf(refused).errors!;
    expect(errors.find((error) => error.pointer === '/configuration/hostname')!.message).toBe('Use 3 to 63 lower-case letters, digits and dashes, starting with a letter.');
    const label = errors.find((error) => error.pointer === '/configuration/label')!.message;
    expect(label).toBe('is not in the expected format');
    for (const error of errors) expect(error.message).not.toMatch(/\^|\$|\[a-z/);
    const missing = await preview({ pricePlan: 'flat', quantity: 1, configuration: {} });
    expect(problemOf(missing).errors).toEqual([{ pointer: '/configuration/hostname', message: 'Server name is required', in: 'configuration' }]);
  });

  it('refuses to publish a schema whose x-errorMessage is not one line of text, naming where it is', async () => {
    const bad = await draftProduct('bad-message', { configurationSchema: { ...SCHEMA, properties: { ...SCHEMA.properties, hostname: { type: 'string', 'x-errorMessage': 42 }, cpus: { type: 'integer', 'x-errorMessage': '' } } } });
    const refused = await bad.publish();
    expect(refused.statusCode).toBe(422);
    expect(problemOf(refused).errors!.map((error) => error.pointer).sort()).toEqual(['/configurationSchema/properties/cpus/x-errorMessage', '/configurationSchema/properties/hostname/x-errorMessage']);
    expect((await call('GET', `/api/v1/products/${bad.id}/versions/1`, staff)).json().status).toBe('draft');
  });

  it('keeps each item’s configuration with the schema’s titles and values in words', async () => {
    const cart = (await call('POST', '/api/v1/orders', buyer, { currency: 'EUR' })).json();
    const added = (await call('POST', `/api/v1/orders/${cart.id}/items`, buyer, { productId, pricePlan: 'flat', quantity: 1, configuration: { hostname: 'web-1', cpus: 4 } })).json();
    expect(added.items[0].configurationSummary).toEqual([
      { key: 'hostname', title: 'Server name', value: 'web-1' },
      { key: 'cpus', title: 'Processors', value: '4' },
      { key: 'backups', title: 'Daily backups', value: 'No' },
    ]);
    await call('POST', `/api/v1/orders/${cart.id}/cancel`, buyer, {});
  });
});

describe('order numbers and names', () => {
  async function cartWithItem(headers: SignedInHeaders): Promise<string> {
    const cart = await call('POST', '/api/v1/orders', headers, { currency: 'EUR' });
    expect(cart.statusCode, cart.body).toBe(201);
    const id = cart.json().id as string;
    const added = await call('POST', `/api/v1/orders/${id}/items`, headers, { productId, pricePlan: 'per-unit', quantity: 1, configuration: { hostname: 'web-1' } });
    expect(added.statusCode, added.body).toBe(201);
    return id;
  }

  it('numbers a tenant’s orders from 1 at submission, per tenant, leaving carts unnumbered', async () => {
    const first = await cartWithItem(buyer);
    expect((await call('GET', `/api/v1/orders/${first}`, buyer)).json().number).toBeNull();
    const placed = await submit(first, buyer);
    expect(placed.statusCode, placed.body).toBe(200);
    expect(placed.json().number).toBe('ORD-000001');
    const elsewhere = await submit(await cartWithItem(otherBuyer), otherBuyer);
    expect(elsewhere.json().number).toBe('ORD-000001');
    expect((await submit(await cartWithItem(buyer), buyer)).json().number).toBe('ORD-000002');
  });

  it('gives concurrent submissions of one tenant consecutive numbers, none twice and none skipped', async () => {
    const before = (await call('GET', '/api/v1/orders?limit=100', buyer)).json().data.filter((order: { number: string | null }) => order.number !== null).length;
    const carts = await Promise.all(Array.from({ length: 8 }, () => cartWithItem(buyer)));
    const answers = await Promise.all(carts.map((id) => submit(id, buyer)));
    for (const answer of answers) expect(answer.statusCode, answer.body).toBe(200);
    const numbers = answers.map((answer) => answer.json().number as string).sort();
    expect(numbers).toEqual(Array.from({ length: 8 }, (_, index) => `ORD-${String(before + index + 1).padStart(6, '0')}`));
  });

  it('finds an order by its number (staff per tenant; with or without the prefix), and refuses a malformed one', async () => {
    const mine = await call('GET', '/api/v1/orders?number=ORD-000002', buyer);
    expect(mine.statusCode, mine.body).toBe(200);
    expect(mine.json().data.map((order: { number: string; tenantId: string }) => [order.number, order.tenantId])).toEqual([['ORD-000002', tenantId]]);
    const bare = (await call('GET', '/api/v1/orders?number=1', staff)).json().data.map((order: { tenantId: string }) => order.tenantId).sort();
    expect(bare).toEqual([tenantId, otherTenantId].sort());
    const one = (await call('GET', `/api/v1/orders?number=ord-000001&tenantId=${otherTenantId}`, staff)).json().data;
    expect(one).toHaveLength(1);
    expect((await call('GET', '/api/v1/orders?number=ORD-1%27', staff)).statusCode).toBe(400);
  });

  it('names the people in the timeline as they were called when they acted, not by their ids', async () => {
    const id = await cartWithItem(buyer);
    await submit(id, buyer);
    const order = (await call('GET', `/api/v1/orders/${id}`, staff)).json();
    expect(order.timeline[0]).toMatchObject({ status: 'draft', actorName: 'Nora Numbered' });
    expect(order.timeline.find((step: { status: string }) => step.status === 'submitted')).toMatchObject({ actorName: 'Nora Numbered' });
    await call('POST', `/api/v1/orders/${id}/fulfil`, staff);
    const fulfilled = (await call('GET', `/api/v1/orders/${id}`, buyer)).json();
    // Staff without a display name are named by their email.
    expect(fulfilled.timeline.at(-1).actorName).toMatch(/@/);
  });
});
