// Tenant A's credentials never reach tenant B, for every operation the API documents that takes an
// id. The operations are read from the OpenAPI document (app.swagger()), so a new route is covered
// the day it is added: its path ids (and id members of its body) are filled with tenant B's
// resources, the rest of the body with a minimal valid example, and the request is sent with each
// of tenant A's credentials. Each answer must be 403 or 404, must mention nothing of B that the
// request did not itself carry, and nothing of B may change (every row of every table with a
// tenant_id, compared before and after). An operation that cannot be exercised — an id kind with
// no tenant-B fixture, a body the generator cannot build, a 400 — fails the test by name.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, startTestPlatform, type TestPlatform, type SignedInHeaders } from '../support/platform.js';
import { registerSecret } from '../support/suite-log.js';
import { oauthToken } from '../support/tenant-credentials.js';
import { call } from '../support/api.js';
import { createCart, createProduct, pricePlan } from '../support/builders.js';
import { snapshotOfTenant } from '../support/tenant-snapshot.js';
import { systemContext } from '../../src/kernel/context.js';
import { samlKeys } from '../support/saml-idp.js';
import { inTransaction } from '../../src/kernel/db/database.js';
import { newId } from '../../src/kernel/ids.js';
import { CannotGenerate, exampleOf, fillPath, idKindOf, operationsOf, resolve, type ApiOperation, type OpenApiDocument, type JsonSchema } from '../support/openapi-examples.js';

let t: TestPlatform;
let owner: pg.Client;
let document: OpenApiDocument;
const PASSWORD = 'cross tenant passphrase';

/** Tenant B's resources by id kind (the prefix of the id), and what would betray B in a response. */
/** Tenant B's fixtures: ids by kind, values for path parameters that are not ids, and strings only B's data contains. */
const b: { ids: Record<string, string>; params: Record<string, string>; markers: string[] } = { ids: {}, params: {}, markers: [] };
/** Tenant A's own ids, for requests that name A's tenant with B's other ids. */
const a = { tenantId: '', ownerSession: undefined as SignedInHeaders | undefined, serviceKey: '', personalKey: '', oauthToken: '' };

/**
 * Every kind of credential tenant A can hold. API keys and OAuth tokens are added here, one line
 * each, as those credentials exist.
 */
const CREDENTIALS: { name: string; headers: () => Record<string, string> }[] = [
  { name: 'session of tenant A’s owner', headers: () => a.ownerSession as SignedInHeaders },
  { name: 'service API key of tenant A with the owner role', headers: () => ({ authorization: `Bearer ${a.serviceKey}` }) },
  { name: 'personal API key of tenant A’s owner', headers: () => ({ authorization: `Bearer ${a.personalKey}` }) },
  { name: 'OAuth access token of tenant A’s client (owner role, every scope)', headers: () => ({ authorization: `Bearer ${a.oauthToken}` }) },
];

const inject = (method: string, url: string, headers: Record<string, string>, payload?: unknown) =>
  t.platform.app.inject({ method: method as 'GET', url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });

async function created(method: string, url: string, headers: Record<string, string>, payload: unknown): Promise<Record<string, unknown>> {
  const response = await inject(method, url, headers, payload);
  expect(response.statusCode, response.body).toBe(201);
  return response.json();
}

/** Everything stored about tenant B: each tenant_id table's rows for B, and B's owner's account. */
async function snapshotOfB(): Promise<Record<string, string | null>> {
  const snapshot: Record<string, string | null> = await snapshotOfTenant(owner, b.ids.ten as string);
  const user = await owner.query("select md5(t::text) as digest from identity.users t where id = $1", [b.ids.usr]);
  snapshot['identity.users (B’s owner)'] = user.rows[0]?.digest ?? null;
  const sessions = await owner.query("select md5(coalesce(string_agg(t::text, '|' order by t.id), '')) as digest from identity.sessions t where user_id = $1", [b.ids.usr]);
  snapshot['identity.sessions (B’s owner)'] = sessions.rows[0]?.digest ?? null;
  return snapshot;
}

interface Attempt {
  operation: ApiOperation;
  variant: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

/** The requests to send for one operation: B's ids everywhere, and A's tenant with B's other ids. */
function attemptsFor(operation: ApiOperation): Attempt[] | { unexercisable: string } {
  const idParams = operation.pathParams.filter((p) => idKindOf(p.schema) !== undefined);
  const variants: { name: string; idOf: (kind: string) => string }[] = [{ name: 'B’s ids', idOf: (kind) => bId(kind) }];
  const takesTenant = idParams.some((p) => idKindOf(p.schema) === 'ten');
  if (takesTenant && idParams.length > 1) variants.push({ name: 'A’s tenant with B’s ids', idOf: (kind) => (kind === 'ten' ? a.tenantId : bId(kind)) });
  try {
    return variants.map(({ name, idOf }) => {
      const values = Object.fromEntries(operation.pathParams.map((p) => {
        const kind = idKindOf(p.schema);
        if (kind) return [p.name, idOf(kind)];
        const fixed = b.params[p.name];
        if (fixed === undefined) throw new CannotGenerate(`path parameter ${p.name} is not an id (pattern ${p.schema.pattern}) and has no fixture in b.params`);
        return [p.name, fixed];
      }));
      const body = operation.body ? exampleOf(document, operation.body, { id: (kind) => idOf(kind) }) : undefined;
      const query = new URLSearchParams(operation.requiredQuery.map((q) => [q.name, String(exampleOf(document, q.schema, { id: (kind) => idOf(kind) }))])).toString();
      // Required headers get a fresh value each time, so an idempotency key never replays another attempt.
      const headers = Object.fromEntries(operation.requiredHeaders.map((h) => [h.name, `${String(exampleOf(document, h.schema, { id: (kind) => idOf(kind) }))}-${randomUUID()}`]));
      return { operation, variant: name, url: fillPath(operation.path, values) + (query ? `?${query}` : ''), headers, body };
    });
  } catch (error) {
    if (error instanceof CannotGenerate) return { unexercisable: error.message };
    throw error;
  }
}

function bId(kind: string): string {
  const id = b.ids[kind];
  if (!id) throw new CannotGenerate(`no tenant-B fixture for ids of kind "${kind}_": add one in beforeAll of test/isolation/cross-tenant.test.ts`);
  return id;
}

/** True when the body schema (or a member of it, at any depth) is an id. */
function bodyTakesIds(schema: JsonSchema | undefined, depth = 0): boolean {
  if (!schema || depth > 6) return false;
  const resolved = resolve(document, schema);
  if (idKindOf(resolved)) return true;
  return [...Object.values(resolved.properties ?? {}), ...(resolved.anyOf ?? []), ...(resolved.oneOf ?? []), ...(resolved.items ? [resolved.items] : [])].some((s) => bodyTakesIds(s, depth + 1));
}

beforeAll(async () => {
  t = await startTestPlatform();
  owner = new pg.Client({ connectionString: t.database.ownerUrl });
  await owner.connect();
  const staff = await t.signIn();
  const tenantOf = async (name: string, domain: string) => (await created('POST', '/api/v1/tenants', staff, { organizationName: name, domain, adminEmail: `ops@${domain}` })).id as string;
  a.tenantId = await tenantOf('Alpha Isolated', 'alpha-isolated.example.com');
  const bravo = await tenantOf('Bravo Isolated', 'bravo-isolated.example.com');
  // People: A's owner (who attacks), B's owner (whose account and membership are targets).
  for (const [email, tenantId] of [['alice@alpha-isolated.example.com', a.tenantId], ['bob@bravo-isolated.example.com', bravo]] as const) {
    await t.platform.identity.service.createUser({ email, password: PASSWORD }, systemContext('test'));
    await addMember(t.platform, tenantId, email, 'owner');
  }
  a.ownerSession = await t.signIn('alice@alpha-isolated.example.com', PASSWORD);
  a.serviceKey = (await created('POST', `/api/v1/tenants/${a.tenantId}/api-keys`, a.ownerSession, { name: 'alpha-service', role: 'owner' })).secret as string;
  a.personalKey = (await created('POST', '/api/v1/me/api-keys', a.ownerSession, { name: 'alpha-personal', tenantId: a.tenantId })).secret as string;
  registerSecret('API key', a.serviceKey);
  registerSecret('API key', a.personalKey);
  a.oauthToken = (await oauthToken(t, a.tenantId, a.ownerSession, 'alpha-machine', 'owner')).token;
  const bob = await t.signIn('bob@bravo-isolated.example.com', PASSWORD);
  const bobId = (await call(t, 'get', '/api/v1/me', 200, { headers: bob })).user.id;
  const role = await created('POST', `/api/v1/tenants/${bravo}/roles`, bob, {
    name: 'bravo-secret-role',
    statements: [{ effect: 'allow', actions: ['tenants:tenant.read'], resources: ['prn:${tenant}:tenant/*'] }],
  });
  const mail = await inTransaction(t.platform.kernel.db, { scope: { kind: 'platform' }, actorId: 'test' }, (tx) =>
    t.platform.notifications.mailer.enqueue(tx, { to: 'bob@bravo-isolated.example.com', subject: 'Bravo private subject', text: 'Bravo private body', tenantId: bravo, purpose: 'test.cross-tenant' }),
  );
  const invitation = await created('POST', `/api/v1/tenants/${bravo}/invitations`, bob, { email: 'carol@bravo-isolated.example.com', role: 'member' });
  const bravoKey = await created('POST', `/api/v1/tenants/${bravo}/api-keys`, bob, { name: 'bravo-service-key', role: 'member' });
  registerSecret('API key', bravoKey.secret as string);
  const bravoClient = await oauthToken(t, bravo, bob, 'bravo-machine', 'member');
  const bravoProvider = await created('POST', `/api/v1/tenants/${bravo}/identity-providers`, bob, {
    type: 'saml',
    name: 'bravo-identity-provider',
    config: { entryPoint: 'https://idp.bravo-isolated.example.com/sso', idpCertificate: (await samlKeys()).certificate, domains: ['bravo-isolated.example.com'], defaultRole: 'member', mandatory: false },
  });
  const bobSessions = await call(t, 'get', '/api/v1/me/sessions', 200, { headers: bob });
  const bobSession = bobSessions.data[0]?.id as string;
  // The catalog is the operator's, but a product can be private to one tenant: Bravo's must stay invisible to Alpha.
  const bravoProduct = await createProduct(t, staff, {
    code: 'bravo-private-product',
    fields: { kind: 'service', name: 'Bravo private product', category: 'bravo-only', visibility: { mode: 'private', tenantIds: [bravo] } },
    content: { pricePlans: [pricePlan({ prices: { EUR: { model: 'flat', amount: '1.00' } } })] },
  });
  // Bravo's cart with an item in it (orders are tenant data under row-level security).
  const bravoOrder = await createCart(t, bob, [{ productId: bravoProduct.id }]);
  const coupon = await created('POST', '/api/v1/coupons', staff, { code: 'BRAVO-ONLY', name: 'Bravo private coupon', discount: { type: 'percent', percentOff: '5' }, duration: { type: 'once' }, productIds: [bravoProduct.id] });
  const rule = await created('POST', '/api/v1/approval-rules', staff, { name: 'Bravo-only rule', condition: { type: 'products', productIds: [bravoProduct.id] } });
  // One of Bravo's events whose delivery died (the operators' dead-letter queue): staff only, but
  // a tenant's credential naming it must learn nothing of it either.
  const bravoEvent = (await owner.query(`select id, type from kernel.outbox where tenant_id = $1 order by id limit 1`, [bravo])).rows[0] as { id: string; type: string };
  const deadLetterId = newId('deadLetter');
  await owner.query(`insert into kernel.event_dead_letters (id, event_id, handler, event_type, tenant_id, attempts, last_error, failed_at) values ($1, $2, 'test.bravo-handler', $3, $4, 3, 'Bravo private failure', now())`, [deadLetterId, bravoEvent.id, bravoEvent.type, bravo]);
  // A workflow run about Bravo (runs are the platform's own processes, not tenant rows): staff only,
  // and a tenant's credential naming it must learn nothing of it.
  const workflowRunId = newId('workflowRun');
  await owner.query(
    `insert into kernel.workflow_runs (id, workflow, idempotency_key, input, status, step, error, created_at, updated_at) values ($1, 'test.bravo-fulfilment', $2, $3, 'compensated', -1, 'charge failed: Bravo private decline', now(), now())`,
    [workflowRunId, `bravo-${bravoOrder.id}`, JSON.stringify({ tenantId: bravo, orderId: bravoOrder.id })],
  );
  b.params = { version: '1', itemId: 'item_1' };
  b.ids = {
    ten: bravo,
    usr: bobId,
    role: role.id as string,
    mail: mail.id,
    ivt: invitation.id as string,
    key: bravoKey.id as string,
    oac: bravoClient.clientId,
    ses: bobSession,
    prd: bravoProduct.id as string,
    cpn: coupon.id as string,
    ord: bravoOrder.id as string,
    apr: rule.id as string,
    idp: bravoProvider.id as string,
    evt: bravoEvent.id,
    dlq: deadLetterId,
    wfr: workflowRunId,
  };
  b.markers = [...Object.values(b.ids), 'Bravo Isolated', 'bravo-isolated.example.com', 'bravo-secret-role', 'Bravo private', 'carol@bravo', 'bravo-service-key', bravoKey.secret as string, bravoKey.prefix as string, 'bravo-machine', bravoClient.secret, bravoClient.token, 'bravo-identity-provider', 'idp.bravo-isolated', 'bravo-private-product', 'BRAVO-ONLY'];
  document = t.platform.app.swagger() as unknown as OpenApiDocument;
});
afterAll(async () => {
  await owner?.end();
  await t?.close();
});

describe('every operation that takes an id, called with tenant A’s credentials on tenant B’s resources', () => {
  it('finds id-bearing operations in the OpenAPI document, for each kind of B resource', () => {
    const idOperations = operationsOf(document).filter((op) => op.pathParams.length > 0 || bodyTakesIds(op.body));
    expect(idOperations.length).toBeGreaterThanOrEqual(15);
    const kinds = new Set(idOperations.flatMap((op) => op.pathParams.map((p) => idKindOf(p.schema))));
    for (const kind of ['ten', 'usr', 'role', 'mail', 'ivt', 'key', 'oac']) expect(kinds, kind).toContain(kind);
  });

  for (const credential of CREDENTIALS) {
    it(`is refused (403, 404, or a 400 refusing the caller outright), says nothing of B and changes nothing of B (${credential.name})`, async () => {
      const operations = operationsOf(document).filter((op) => op.pathParams.length > 0 || bodyTakesIds(op.body));
      const unexercised: string[] = [];
      const wrong: string[] = [];
      let sent = 0;
      for (const operation of operations) {
        const attempts = attemptsFor(operation);
        if ('unexercisable' in attempts) {
          unexercised.push(`${operation.method} ${operation.path}: ${attempts.unexercisable}`);
          continue;
        }
        for (const attempt of attempts) {
          const label = `${operation.method} ${operation.path} (${attempt.variant})`;
          const before = await snapshotOfB();
          const response = await inject(operation.method, attempt.url, { ...credential.headers(), ...attempt.headers }, attempt.body);
          sent++;
          // A 400 naming members of the request means the generated request was wrong: not exercised.
          // One without (a refusal of the caller outright, e.g. switching tenant with a bearer
          // credential, which is bound to its tenant) is a refusal like 403.
          const fieldErrors = response.statusCode === 400 ? ((JSON.parse(response.body) as { errors?: unknown[] }).errors ?? []) : [];
          if (response.statusCode === 415 || fieldErrors.length > 0) {
            unexercised.push(`${label}: the generated request was refused as invalid (${response.statusCode} ${response.body.slice(0, 300)})`);
            continue;
          }
          if (![400, 403, 404].includes(response.statusCode)) wrong.push(`${label}: answered ${response.statusCode} ${response.body.slice(0, 300)}`);
          // What the caller sent may be echoed back (the URL, a resource name); anything else of B may not.
          const sentText = `${attempt.url} ${JSON.stringify(attempt.body ?? null)}`;
          let answer = response.body;
          for (const id of Object.values(b.ids)) if (sentText.includes(id)) answer = answer.split(id).join('«sent id»');
          const leaked = b.markers.filter((marker) => answer.includes(marker));
          if (leaked.length > 0) wrong.push(`${label}: the answer mentions ${leaked.join(', ')}: ${response.body.slice(0, 300)}`);
          const after = await snapshotOfB();
          const changed = Object.keys(before).filter((table) => before[table] !== after[table]);
          if (changed.length > 0) wrong.push(`${label}: changed B’s ${changed.join(', ')}`);
        }
      }
      expect(unexercised, 'operations that take ids but could not be exercised').toEqual([]);
      expect(wrong).toEqual([]);
      expect(sent).toBeGreaterThanOrEqual(15);
    });
  }

  it('is not vacuous: the same requests by B’s owner reach B’s resources', async () => {
    const bob = await t.signIn('bob@bravo-isolated.example.com', PASSWORD);
    expect((await inject('GET', `/api/v1/tenants/${b.ids.ten}`, bob)).statusCode).toBe(200);
    const members = await inject('GET', `/api/v1/tenants/${b.ids.ten}/members`, bob);
    expect(members.statusCode).toBe(200);
    expect(members.body).toContain(b.ids.usr);
    const roles = await inject('GET', `/api/v1/tenants/${b.ids.ten}/roles`, bob);
    expect(roles.body).toContain('bravo-secret-role');
  });
});
