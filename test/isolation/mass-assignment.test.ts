// Mass assignment: a body that smuggles in ownership or privilege — tenant_id / tenantId, role,
// owner, platformRole, userId — where the operation's schema has no such member is refused with
// 400 and a pointer to the member, never applied. Generated from the OpenAPI document: every write
// operation of every route family (tag), at the top level of its body and inside each nested object
// of it, starting from a body that is valid without the extra member.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, startTestPlatform, problemOf, type TestPlatform, type SignedInHeaders } from '../support/platform.js';
import { exampleOf, fillPath, idKindOf, operationsOf, resolve, type ApiOperation, type JsonSchema, type OpenApiDocument } from '../support/openapi-examples.js';
import { systemContext } from '../../src/kernel/context.js';

const SMUGGLED: Record<string, unknown> = { tenant_id: 'ten_01jaaaaaaaaaaaaaaaaaaaaaaa', tenantId: 'ten_01jaaaaaaaaaaaaaaaaaaaaaaa', role: 'owner', owner: true, platformRole: 'platform-admin', userId: 'usr_01jaaaaaaaaaaaaaaaaaaaaaaa' };
/** Route families whose every write must be covered (more may exist: all are tested). */
const REQUIRED_FAMILIES = ['tenants', 'access', 'auth'];

let t: TestPlatform;
let staff: SignedInHeaders;
let owner: pg.Client;
let document: OpenApiDocument;
const ids: Record<string, string> = {};

/** POST, PUT and PATCH operations with a JSON body. */
function writeOperations(): (ApiOperation & { body: JsonSchema })[] {
  return operationsOf(document).filter((op): op is ApiOperation & { body: JsonSchema } => ['POST', 'PUT', 'PATCH'].includes(op.method) && op.body !== undefined);
}

/** Pointers of the objects in a generated body with declared members (where a smuggled member must be refused). */
function strictObjects(schema: JsonSchema, value: unknown, pointer = ''): { pointer: string; properties: string[] }[] {
  const resolved = resolve(document, schema);
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !resolved.properties) return [];
  // Only an object that deliberately takes any member (a map: additionalProperties with a schema) is exempt.
  const freeForm = resolved.additionalProperties !== undefined && resolved.additionalProperties !== false;
  const here = freeForm ? [] : [{ pointer, properties: Object.keys(resolved.properties) }];
  return [...here, ...Object.entries(value).flatMap(([name, member]) => (resolved.properties?.[name] ? strictObjects(resolved.properties[name], member, `${pointer}/${name}`) : []))];
}

function withMember(body: unknown, pointer: string, name: string, value: unknown): unknown {
  const copy = structuredClone(body) as Record<string, unknown>;
  let target: Record<string, unknown> = copy;
  for (const part of pointer.split('/').slice(1)) target = target[part] as Record<string, unknown>;
  target[name] = value;
  return copy;
}

const auditCount = async () => ((await owner.query('select count(*)::int as n from kernel.audit_entries')).rows[0] as { n: number }).n;

beforeAll(async () => {
  t = await startTestPlatform();
  staff = await t.signIn();
  owner = new pg.Client({ connectionString: t.database.ownerUrl });
  await owner.connect();
  const tenant = await t.platform.app.inject({ method: 'POST', url: '/api/v1/tenants', headers: staff, payload: { organizationName: 'Mass', domain: 'mass.example.com', adminEmail: 'ops@mass.example.com' } });
  ids.ten = tenant.json().id;
  const user = await t.platform.identity.service.createUser({ email: 'member@mass.example.com', password: 'mass assignment passphrase' }, systemContext('test'));
  ids.usr = user.id;
  await addMember(t.platform, ids.ten!, 'member@mass.example.com', 'member');
  const role = await t.platform.app.inject({
    method: 'POST',
    url: `/api/v1/tenants/${ids.ten}/roles`,
    headers: staff,
    payload: { name: 'reader', statements: [{ effect: 'allow', actions: ['tenants:tenant.read'], resources: ['prn:${tenant}:tenant/*'] }] },
  });
  ids.role = role.json().id;
  const product = await t.platform.app.inject({ method: 'POST', url: '/api/v1/products', headers: staff, payload: { code: 'mass-product', kind: 'service', name: 'Mass', category: 'mass' } });
  ids.prd = product.json().id;
  ids.version = '1';
  const coupon = await t.platform.app.inject({ method: 'POST', url: '/api/v1/coupons', headers: staff, payload: { code: 'MASS', name: 'Mass', discount: { type: 'percent', percentOff: '5' }, duration: { type: 'once' } } });
  ids.cpn = coupon.json().id;
  ids.apr = (await t.platform.app.inject({ method: 'POST', url: '/api/v1/approval-rules', headers: staff, payload: { name: 'Mass', condition: { type: 'quantity_above', quantity: 5 } } })).json().id;
  // Orders need an active tenant: staff act through the order routes' own checks; a fixture id suffices.
  ids.ord = 'ord_01jd0000000000000000000000';
  ids.itemId = 'item_1';
  // Dead letters exist only when a delivery fails its last retry; the body is refused before the id is looked up.
  ids.dlq = 'dlq_01jd0000000000000000000000';
  ids.evt = 'evt_01jd0000000000000000000000';
  // Workflow runs are only read (GET /api/v1/operations/workflows/{id}): no body to smuggle into.
  ids.wfr = 'wfr_01jd0000000000000000000000';
  const provider = await t.platform.app.inject({
    method: 'POST',
    url: `/api/v1/tenants/${ids.ten}/identity-providers`,
    headers: staff,
    payload: { type: 'oidc', name: 'Mass SSO', config: { issuer: 'https://idp.mass.example.com', clientId: 'mass', clientSecret: 'mass-client-secret', domains: ['mass.example.com'], defaultRole: 'member', mandatory: false } },
  });
  ids.idp = provider.json().id;
  const invitation = await t.platform.app.inject({ method: 'POST', url: `/api/v1/tenants/${ids.ten}/invitations`, headers: staff, payload: { email: 'invited@mass.example.com', role: 'member' } });
  ids.ivt = invitation.json().id;
  document = t.platform.app.swagger() as unknown as OpenApiDocument;
});
afterAll(async () => {
  await owner?.end();
  await t?.close();
});

describe('ownership and privilege fields smuggled into bodies', () => {
  it('are looked for in every required route family', () => {
    const families = new Set(writeOperations().map((op) => op.family));
    for (const family of REQUIRED_FAMILIES) expect(families, family).toContain(family);
  });

  const families = [...new Set(REQUIRED_FAMILIES)];
  // The document is only known once the platform runs; each family's test reads it then.
  for (const family of [...families, 'every other family']) {
    it(`are refused with 400 and a pointer, and change nothing (${family})`, async () => {
      const operations = writeOperations().filter((op) => (family === 'every other family' ? !families.includes(op.family) : op.family === family));
      if (family !== 'every other family') expect(operations.length, family).toBeGreaterThan(0);
      const failures: string[] = [];
      let refused = 0;
      for (const operation of operations) {
        const fixture = (kind: string) => {
          if (!ids[kind]) throw new Error(`no fixture id of kind ${kind} for ${operation.method} ${operation.path}: add one in beforeAll`);
          return ids[kind];
        };
        const url = fillPath(operation.path, Object.fromEntries(operation.pathParams.map((p) => [p.name, fixture(idKindOf(p.schema) ?? p.name)])));
        const body = exampleOf(document, operation.body, { id: fixture });
        for (const object of strictObjects(operation.body, body)) {
          for (const [name, value] of Object.entries(SMUGGLED)) {
            if (object.properties.includes(name)) continue; // part of the schema: a legitimate member
            const label = `${operation.method} ${operation.path} ${object.pointer}/${name}`;
            const before = await auditCount();
            const response = await t.platform.app.inject({ method: operation.method as 'POST', url, headers: staff, payload: withMember(body, object.pointer, name, value) as object });
            if (response.statusCode !== 400) {
              failures.push(`${label}: answered ${response.statusCode} ${response.body.slice(0, 200)}`);
              continue;
            }
            const pointers = (problemOf(response).errors ?? []).map((e) => e.pointer);
            if (!pointers.includes(`${object.pointer}/${name}`)) failures.push(`${label}: 400 without that pointer (${pointers.join(', ')})`);
            if ((await auditCount()) !== before) failures.push(`${label}: something was audited, so something changed`);
            refused++;
          }
        }
      }
      expect(failures).toEqual([]);
      if (family !== 'every other family') expect(refused, family).toBeGreaterThan(0);
    });
  }

  it('is not vacuous: the same bodies without the smuggled member are accepted', async () => {
    const response = await t.platform.app.inject({ method: 'PATCH', url: `/api/v1/tenants/${ids.ten}`, headers: staff, payload: { organizationName: 'Mass 2' } });
    expect(response.statusCode).toBe(200);
    const smuggled = await t.platform.app.inject({ method: 'PATCH', url: `/api/v1/tenants/${ids.ten}`, headers: staff, payload: { organizationName: 'Mass 3', tenantId: SMUGGLED.tenantId } });
    expect(smuggled.statusCode).toBe(400);
    expect((await t.platform.app.inject({ method: 'GET', url: `/api/v1/tenants/${ids.ten}`, headers: staff })).json()).toMatchObject({ id: ids.ten, organizationName: 'Mass 2' });
    expect(idKindOf({ pattern: '^ten_[0-9a-hjkmnp-tv-z]{26}$' })).toBe('ten');
  });
});
