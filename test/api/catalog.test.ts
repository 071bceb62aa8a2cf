// The catalog over HTTP: products and versions (draft → published, immutable → retired, with a diff),
// configuration schemas checked at publish and applied at preview, visibility per tenant, exact
// price previews in several currencies, coupons. Every refusal is a problem document and changes
// nothing.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, startTestPlatform, problemOf, type TestPlatform, type SignedInHeaders } from '../support/platform.js';
import { systemContext } from '../../src/kernel/context.js';

let t: TestPlatform;
let staff: SignedInHeaders;
let member: SignedInHeaders;
let tenantId: string;
let otherTenantId: string;
const PASSWORD = 'catalog test passphrase';

async function call(method: string, url: string, headers: Record<string, string>, payload?: unknown) {
  return t.platform.app.inject({ method: method as 'GET', url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
}

const tiers = (base: number) => [
  { upTo: 10, unitAmount: `${base}.00` },
  { upTo: 100, unitAmount: `${base - 1}.50`, flatAmount: '5.00' },
  { upTo: null, unitAmount: `${base - 2}.25` },
];

const SERVER_CONTENT = {
  summary: 'Launch',
  configurationSchema: {
    type: 'object',
    required: ['region', 'size'],
    properties: {
      region: { type: 'string', enum: ['eu-west', 'us-east'] },
      size: { type: 'string', enum: ['small', 'large'], default: 'small' },
      hostname: { type: 'string', pattern: '^[a-z][a-z0-9-]{0,62}$' },
      backups: { type: 'boolean', default: false },
    },
    additionalProperties: false,
  },
  availability: { regions: ['eu-west', 'us-east'], providers: [], tenantTiers: [], minQuantity: 1, maxQuantity: 50, prerequisites: [] },
  provisioning: { capability: 'compute.server', parameters: { region: { configuration: '/region' }, flavor: { configuration: '/size' }, count: { quantity: true } } },
  requiresApproval: false,
  pricePlans: [
    {
      code: 'monthly',
      name: 'Monthly',
      interval: 'month',
      trialDays: 0,
      taxCategory: 'saas',
      setupFee: { EUR: '20.00' },
      prices: { USD: { model: 'graduated', tiers: tiers(10) }, EUR: { model: 'graduated', tiers: tiers(9) }, JPY: { model: 'per_unit', unitAmount: '1500' } },
      usage: [{ metricCode: 'egress_gb', name: 'Egress', prices: { USD: { model: 'per_unit', unitAmount: '0.0125' } } }],
    },
  ],
};

async function createProduct(code: string, extra: Record<string, unknown> = {}): Promise<string> {
  const response = await call('POST', '/api/v1/products', staff, { code, kind: 'compute', name: `Product ${code}`, category: 'servers', ...extra });
  expect(response.statusCode, response.body).toBe(201);
  return response.json().id as string;
}

async function publishedProduct(code: string, extra: Record<string, unknown> = {}, content: Record<string, unknown> = SERVER_CONTENT): Promise<string> {
  const id = await createProduct(code, extra);
  expect((await call('PATCH', `/api/v1/products/${id}/versions/1`, staff, content)).statusCode).toBe(200);
  const published = await call('POST', `/api/v1/products/${id}/versions/1/publish`, staff);
  expect(published.statusCode, published.body).toBe(200);
  return id;
}

beforeAll(async () => {
  t = await startTestPlatform();
  staff = await t.signIn();
  const makeTenant = async (name: string, tier: string) => {
    const response = await call('POST', '/api/v1/tenants', staff, { organizationName: name, domain: `${name.toLowerCase()}.example.com`, adminEmail: `ops@${name.toLowerCase()}.example.com`, subscription: { tier } });
    expect(response.statusCode, response.body).toBe(201);
    return response.json().id as string;
  };
  tenantId = await makeTenant('Shopper', 'standard');
  otherTenantId = await makeTenant('Elsewhere', 'enterprise');
  await t.platform.identity.service.createUser({ email: 'buyer@shopper.example.com', password: PASSWORD }, systemContext('test'));
  await addMember(t.platform, tenantId, 'buyer@shopper.example.com', 'member');
  member = await t.signIn('buyer@shopper.example.com', PASSWORD);
});
afterAll(async () => {
  await t?.close();
});

describe('products and versions', () => {
  it('creates a product with an empty draft, publishes it, and from then on refuses to change it', async () => {
    const id = await createProduct('vm-basic');
    const versions = (await call('GET', `/api/v1/products/${id}/versions`, staff)).json();
    expect(versions).toHaveLength(1);
    expect(versions[0]).toMatchObject({ version: 1, status: 'draft', publishedAt: null });
    expect((await call('GET', `/api/v1/products/${id}`, staff)).json().currentVersion).toBeNull();

    expect((await call('PATCH', `/api/v1/products/${id}/versions/1`, staff, SERVER_CONTENT)).statusCode).toBe(200);
    const published = await call('POST', `/api/v1/products/${id}/versions/1/publish`, staff);
    expect(published.statusCode, published.body).toBe(200);
    expect(published.json()).toMatchObject({ status: 'published', content: { summary: 'Launch' } });
    expect((await call('GET', `/api/v1/products/${id}`, staff)).json().currentVersion).toBe(1);

    const edit = await call('PATCH', `/api/v1/products/${id}/versions/1`, staff, { summary: 'sneaky' });
    expect(edit.statusCode).toBe(409);
    expect(problemOf(edit).code).toBe('PLAT_INVALID_TRANSITION');
    expect((await call('POST', `/api/v1/products/${id}/versions/1/publish`, staff)).statusCode).toBe(409);
    expect((await call('DELETE', `/api/v1/products/${id}/versions/1`, staff)).statusCode).toBe(409);
    expect((await call('GET', `/api/v1/products/${id}/versions/1`, staff)).json().content.summary).toBe('Launch');
    // The schema's fields come back in the order the operator wrote them (forms list them so).
    expect(Object.keys((await call('GET', `/api/v1/products/${id}/versions/1`, member)).json().content.configurationSchema.properties)).toEqual(['region', 'size', 'hostname', 'backups']);
  });

  it('keeps a published version immutable in the database too, whatever the code path', async () => {
    const id = await publishedProduct('vm-immutable');
    const owner = new pg.Client({ connectionString: t.database.ownerUrl });
    await owner.connect();
    try {
      await expect(owner.query(`update catalog.product_versions set content = '{"summary":"changed"}'::json where product_id = $1`, [id])).rejects.toThrow(/can no longer change/);
      await expect(owner.query(`update catalog.product_versions set status = 'draft', published_at = null where product_id = $1`, [id])).rejects.toThrow(/cannot move from published to draft/);
      await expect(owner.query(`delete from catalog.product_versions where product_id = $1`, [id])).rejects.toThrow(/only drafts can be deleted/);
    } finally {
      await owner.end();
    }
  });

  it('refuses to publish a version whose schema or prices are unusable, with a pointer per problem, and leaves it a draft', async () => {
    const id = await createProduct('vm-broken');
    const broken = {
      ...SERVER_CONTENT,
      configurationSchema: { type: 'object', properties: { size: { type: 'strnig' } } },
      provisioning: { capability: 'compute.server', parameters: { flavor: { configuration: '/flavour' } } },
      pricePlans: [
        { ...SERVER_CONTENT.pricePlans[0], prices: { USD: { model: 'graduated', tiers: [{ upTo: 10, unitAmount: '1' }, { upTo: 5, unitAmount: '1' }] } }, setupFee: { GBP: '1.00' } },
      ],
    };
    expect((await call('PATCH', `/api/v1/products/${id}/versions/1`, staff, broken)).statusCode).toBe(200);
    const refused = await call('POST', `/api/v1/products/${id}/versions/1/publish`, staff);
    expect(refused.statusCode).toBe(422);
    const problem = problemOf(refused);
    expect(problem.code).toBe('PLAT_UNPROCESSABLE');
    const pointers = problem.errors!.map((error) => error.pointer);
    expect(pointers).toEqual(expect.arrayContaining(['/configurationSchema/properties/size/type', '/pricePlans/0/prices/USD/tiers/1/upTo', '/pricePlans/0/setupFee/GBP']));
    expect((await call('GET', `/api/v1/products/${id}/versions/1`, staff)).json().status).toBe('draft');

    // A pointer the schema does not declare, once the schema itself is valid.
    const fixedSchema = { ...broken, configurationSchema: SERVER_CONTENT.configurationSchema, pricePlans: SERVER_CONTENT.pricePlans };
    await call('PATCH', `/api/v1/products/${id}/versions/1`, staff, fixedSchema);
    const pointer = await call('POST', `/api/v1/products/${id}/versions/1/publish`, staff);
    expect(pointer.statusCode).toBe(422);
    expect(problemOf(pointer).errors).toEqual([{ pointer: '/provisioning/parameters/flavor/configuration', message: '/flavour is not a property the configuration schema declares' }]);
  });

  it('refuses a schema that is not an object at the root or uses unknown keywords', async () => {
    const id = await createProduct('vm-strict');
    await call('PATCH', `/api/v1/products/${id}/versions/1`, staff, { ...SERVER_CONTENT, provisioning: null, configurationSchema: { type: 'array', itemz: {} } });
    const refused = await call('POST', `/api/v1/products/${id}/versions/1/publish`, staff);
    expect(refused.statusCode).toBe(422);
    const pointers = problemOf(refused).errors!.map((error) => error.pointer);
    expect(pointers).toContain('/configurationSchema/type');
    expect(problemOf(refused).errors!.some((error) => /itemz/.test(error.message))).toBe(true);
  });

  it('versions a product: a new draft copies the last, the diff names each change, retiring leaves the old version readable', async () => {
    const id = await publishedProduct('vm-versioned');
    const draft = await call('POST', `/api/v1/products/${id}/versions`, staff, {});
    expect(draft.statusCode).toBe(201);
    expect(draft.json()).toMatchObject({ version: 2, status: 'draft' });
    const plan = { ...SERVER_CONTENT.pricePlans[0], prices: { ...SERVER_CONTENT.pricePlans[0]!.prices, USD: { model: 'per_unit', unitAmount: '12.00' } } };
    expect((await call('PATCH', `/api/v1/products/${id}/versions/2`, staff, { summary: 'Simpler USD price', pricePlans: [plan] })).statusCode).toBe(200);
    expect((await call('POST', `/api/v1/products/${id}/versions/2/publish`, staff)).statusCode).toBe(200);

    const changes = (await call('GET', `/api/v1/products/${id}/versions/diff?from=1&to=2`, staff)).json().changes as { op: string; path: string }[];
    expect(changes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ op: 'replace', path: '/summary', before: 'Launch', after: 'Simpler USD price' }),
        expect.objectContaining({ op: 'replace', path: '/pricePlans/0/prices/USD/model', before: 'graduated', after: 'per_unit' }),
        expect.objectContaining({ op: 'remove', path: '/pricePlans/0/prices/USD/tiers' }),
        expect.objectContaining({ op: 'add', path: '/pricePlans/0/prices/USD/unitAmount', after: '12.00' }),
      ]),
    );
    expect(changes.every((change) => !change.path.startsWith('/configurationSchema'))).toBe(true);

    expect((await call('POST', `/api/v1/products/${id}/versions/1/retire`, staff)).json()).toMatchObject({ status: 'retired' });
    expect((await call('GET', `/api/v1/products/${id}`, staff)).json().currentVersion).toBe(2);
    // The customer still reads the retired version they may already have…
    const retired = await call('GET', `/api/v1/products/${id}/versions/1`, member);
    expect(retired.statusCode).toBe(200);
    expect(retired.json().content.pricePlans[0].prices.USD.model).toBe('graduated');
    // …but cannot price (or order) it: 409.
    const preview = await call('POST', '/api/v1/prices/preview', member, { productId: id, version: 1, pricePlan: 'monthly', currency: 'USD', quantity: 1, configuration: { region: 'eu-west' } });
    expect(preview.statusCode).toBe(409);
    expect(problemOf(preview).currentStatus).toBe('retired');
    expect((await call('POST', `/api/v1/products/${id}/versions/1/retire`, staff)).statusCode).toBe(409);
  });

  it('refuses a duplicate code with a pointer, and customers and bad bodies get nothing written', async () => {
    await createProduct('vm-unique');
    const duplicate = await call('POST', '/api/v1/products', staff, { code: 'vm-unique', kind: 'compute', name: 'Again', category: 'servers' });
    expect(duplicate.statusCode).toBe(409);
    expect(problemOf(duplicate).errors).toEqual([{ pointer: '/code', message: 'is taken' }]);
    expect((await call('POST', '/api/v1/products', member, { code: 'vm-mine', kind: 'compute', name: 'Mine', category: 'servers' })).statusCode).toBe(403);
    expect((await call('POST', '/api/v1/products', staff, { code: 'vm-x', kind: 'toaster', name: 'X', category: 'servers' })).statusCode).toBe(400);
    expect((await call('POST', '/api/v1/products', staff, { code: 'vm-y', kind: 'compute', name: 'Y', category: 'servers', archived: true })).statusCode).toBe(400);
    const all = (await call('GET', '/api/v1/products?q=vm-&limit=100&includeArchived=true', staff)).json().data as { code: string }[];
    expect(all.map((product) => product.code)).not.toEqual(expect.arrayContaining(['vm-mine', 'vm-x', 'vm-y']));
  });
});

describe('what a tenant sees', () => {
  it('lists only published products visible to the tenant: public, its tier, or listed privately', async () => {
    const open = await publishedProduct('see-public', { category: 'visibility' });
    const forEnterprise = await publishedProduct('see-enterprise', { category: 'visibility', visibility: { mode: 'tiers', tiers: ['enterprise'] } });
    const forStandard = await publishedProduct('see-standard', { category: 'visibility', visibility: { mode: 'tiers', tiers: ['standard'] } });
    const privateToOther = await publishedProduct('see-private-other', { category: 'visibility', visibility: { mode: 'private', tenantIds: [otherTenantId] } });
    const privateToUs = await publishedProduct('see-private-us', { category: 'visibility', visibility: { mode: 'private', tenantIds: [tenantId] } });
    const draftOnly = await createProduct('see-draft', { category: 'visibility' });
    const archived = await publishedProduct('see-archived', { category: 'visibility' });
    expect((await call('POST', `/api/v1/products/${archived}/archive`, staff)).statusCode).toBe(200);

    const seen = (await call('GET', '/api/v1/products?category=visibility&limit=100', member)).json().data.map((product: { id: string }) => product.id);
    expect(new Set(seen)).toEqual(new Set([open, forStandard, privateToUs]));
    for (const hidden of [forEnterprise, privateToOther, draftOnly, archived]) {
      expect((await call('GET', `/api/v1/products/${hidden}`, member)).statusCode).toBe(404);
      expect((await call('GET', `/api/v1/products/${hidden}/versions`, member)).statusCode).toBe(404);
    }
    // Staff see everything, archived on request.
    const staffSees = (await call('GET', '/api/v1/products?category=visibility&limit=100&includeArchived=true', staff)).json().data.length;
    expect(staffSees).toBe(7);
  });

  it('never shows drafts to customers', async () => {
    const id = await publishedProduct('see-no-drafts');
    await call('POST', `/api/v1/products/${id}/versions`, staff, {});
    expect((await call('GET', `/api/v1/products/${id}/versions`, member)).json().map((v: { version: number }) => v.version)).toEqual([1]);
    expect((await call('GET', `/api/v1/products/${id}/versions/2`, member)).statusCode).toBe(404);
    expect((await call('GET', `/api/v1/products/${id}/versions/2`, staff)).statusCode).toBe(200);
  });
});

describe('price previews', () => {
  let productId: string;
  beforeAll(async () => {
    productId = await publishedProduct('priced-server');
  });
  const preview = (body: Record<string, unknown>, headers: Record<string, string> = member) =>
    call('POST', '/api/v1/prices/preview', headers, { productId, pricePlan: 'monthly', configuration: { region: 'eu-west' }, ...body });

  it('prices graduated tiers exactly, per currency, with the pieces that make the total', async () => {
    // 12 units in USD: 10 × 10.00 + (5.00 flat + 2 × 9.50) = 124.00
    const usd = await preview({ currency: 'USD', quantity: 12 });
    expect(usd.statusCode, usd.body).toBe(200);
    const body = usd.json();
    expect(body.lines[0]).toMatchObject({ kind: 'recurring', amountMinor: '12400', amount: '124.00', quantity: '12' });
    expect(body.lines[0].pieces.map((piece: { exact: string }) => piece.exact)).toEqual(['100', '24']);
    expect(body).toMatchObject({ totalMinor: '12400', dueNowMinor: '12400', currency: 'USD', interval: 'month', rounding: 'half-up, once per line, to the currency minor unit' });

    // EUR has a setup fee: 10 × 9.00 + 5.00 + 2 × 8.50 = 112.00, plus 20.00 setup.
    const eur = (await preview({ currency: 'EUR', quantity: 12 })).json();
    expect(eur.lines.map((line: { kind: string; amount: string }) => [line.kind, line.amount])).toEqual([
      ['recurring', '112.00'],
      ['setup', '20.00'],
    ]);
    expect(eur.total).toBe('132.00');

    // JPY has no minor unit.
    expect((await preview({ currency: 'JPY', quantity: 3 })).json()).toMatchObject({ totalMinor: '4500', total: '4500' });
  });

  it('estimates usage components and rounds each line once', async () => {
    const body = (await preview({ currency: 'USD', quantity: 1, estimatedUsage: { egress_gb: '1001' } })).json();
    // 1001 × 0.0125 = 12.5125 → 12.51
    expect(body.lines[1]).toMatchObject({ kind: 'usage', metricCode: 'egress_gb', exactAmount: '12.5125', amount: '12.51' });
    // Usage is billed in arrears: not due now.
    expect(body.dueNow).toBe('10.00');
  });

  it('refuses a currency the plan does not price (no conversion) and codes that are not currencies', async () => {
    const gbp = await preview({ currency: 'GBP', quantity: 1 });
    expect(gbp.statusCode).toBe(422);
    expect(problemOf(gbp).errors).toEqual([{ pointer: '/currency', message: 'is not offered by this plan (currencies: EUR, JPY, USD)' }]);
    const bogus = await preview({ currency: 'XQZ', quantity: 1 });
    expect(bogus.statusCode).toBe(422);
    expect(problemOf(bogus).errors![0]!.pointer).toBe('/currency');
    expect((await preview({ currency: 'usd', quantity: 1 })).statusCode).toBe(400);
  });

  it('checks the configuration against the version’s schema, each error with its pointer, and honours defaults', async () => {
    const bad = await preview({ currency: 'USD', quantity: 1, configuration: { region: 'mars', size: 'huge', hostname: 'Not Valid', extra: 1 } });
    expect(bad.statusCode).toBe(422);
    const errors = problemOf(bad).errors!;
    expect(errors.map((error) => error.pointer).sort()).toEqual(['/configuration/extra', '/configuration/hostname', '/configuration/region', '/configuration/size']);
    expect(errors.find((error) => error.pointer === '/configuration/region')!.message).toBe('must be one of "eu-west", "us-east"');
    const missing = await preview({ currency: 'USD', quantity: 1, configuration: {} });
    expect(problemOf(missing).errors).toEqual([{ pointer: '/configuration/region', message: 'region is required', in: 'configuration' }]);
    // size has a default, so region alone is enough.
    expect((await preview({ currency: 'USD', quantity: 1, configuration: { region: 'us-east' } })).statusCode).toBe(200);
  });

  it('applies percent and amount coupons as their own line, and refuses coupons that do not apply', async () => {
    const percent = await call('POST', '/api/v1/coupons', staff, { code: 'LAUNCH15', name: 'Launch', discount: { type: 'percent', percentOff: '15' }, duration: { type: 'repeating', periods: 3 } });
    expect(percent.statusCode, percent.body).toBe(201);
    const body = (await preview({ currency: 'EUR', quantity: 12, couponCode: 'LAUNCH15' })).json();
    // 15 % of (112.00 + 20.00) = 19.80
    expect(body.lines.at(-1)).toMatchObject({ kind: 'discount', amount: '-19.80' });
    expect(body).toMatchObject({ total: '112.20', coupon: { code: 'LAUNCH15', duration: 'repeating 3 periods' } });

    await call('POST', '/api/v1/coupons', staff, { code: 'TENOFF', name: 'Ten off', discount: { type: 'amount', amountOff: { USD: '10.00' } }, duration: { type: 'once' } });
    expect((await preview({ currency: 'USD', quantity: 1, couponCode: 'TENOFF' })).json().total).toBe('0.00');
    const noEur = await preview({ currency: 'EUR', quantity: 1, couponCode: 'TENOFF' });
    expect(problemOf(noEur).errors).toEqual([{ pointer: '/couponCode', message: 'has no amount in EUR' }]);

    const other = await publishedProduct('coupon-target');
    await call('POST', '/api/v1/coupons', staff, { code: 'ONLYTHAT', name: 'Only that', discount: { type: 'percent', percentOff: '50' }, duration: { type: 'forever' }, productIds: [other] });
    expect(problemOf(await preview({ currency: 'USD', quantity: 1, couponCode: 'ONLYTHAT' })).errors![0]!.message).toBe('does not apply to this product');
    await call('POST', '/api/v1/coupons', staff, { code: 'OLDNEWS', name: 'Expired', discount: { type: 'percent', percentOff: '50' }, duration: { type: 'once' }, expiresAt: '2020-01-01T00:00:00Z' });
    expect(problemOf(await preview({ currency: 'USD', quantity: 1, couponCode: 'OLDNEWS' })).errors![0]!.message).toBe('has expired');
    expect((await preview({ currency: 'USD', quantity: 1, couponCode: 'NOSUCH' })).statusCode).toBe(422);
  });

  it('names the plans there are when the plan does not exist', async () => {
    const response = await preview({ currency: 'USD', quantity: 1, pricePlan: 'weekly' });
    expect(response.statusCode).toBe(422);
    expect(problemOf(response).errors).toEqual([{ pointer: '/pricePlan', message: 'is not a plan of this version (plans: monthly)' }]);
  });
});

describe('coupons', () => {
  it('are staff-only, unique by code, and refuse unknown products with pointers', async () => {
    expect((await call('GET', '/api/v1/coupons', member)).statusCode).toBe(403);
    const body = { code: 'SPRING', name: 'Spring', discount: { type: 'percent', percentOff: '10' }, duration: { type: 'once' } };
    expect((await call('POST', '/api/v1/coupons', staff, body)).statusCode).toBe(201);
    const again = await call('POST', '/api/v1/coupons', staff, body);
    expect(again.statusCode).toBe(409);
    const unknown = await call('POST', '/api/v1/coupons', staff, { ...body, code: 'SPRING2', productIds: ['prd_01jd0000000000000000000000'] });
    expect(unknown.statusCode).toBe(422);
    expect(problemOf(unknown).errors![0]!.pointer).toBe('/productIds/0');
    expect((await call('POST', '/api/v1/coupons', staff, { ...body, code: 'SPRING3', discount: { type: 'percent', percentOff: '150' } })).statusCode).toBe(400);
    const list = (await call('GET', '/api/v1/coupons?limit=100', staff)).json().data.map((c: { code: string }) => c.code);
    expect(list).toContain('SPRING');
    expect(list).not.toContain('SPRING2');
    const spring = (await call('GET', '/api/v1/coupons?limit=100', staff)).json().data.find((c: { code: string }) => c.code === 'SPRING');
    expect((await call('POST', `/api/v1/coupons/${spring.id}/archive`, staff)).json().archived).toBe(true);
  });
});
