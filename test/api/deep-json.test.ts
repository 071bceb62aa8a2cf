// (JSON.stringify recurses too: the deep bodies are built as text.)
// Deeply nested JSON is refused as a clear 400 before anything walks it: every walk over a body
// (Ajv, the text check, canonical JSON) recurses, and 5,000 nested arrays used to exhaust the
// stack and answer 500 — even on sign-in, before anyone is authenticated.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH } from '../../src/gateway/http/server.js';
import { startTestPlatform, problemOf, type TestPlatform, type SignedInHeaders } from '../support/platform.js';
import { fillPath, idKindOf, operationsOf, resolve, type OpenApiDocument } from '../support/openapi-examples.js';

let t: TestPlatform;
let auth: SignedInHeaders;
let owner: pg.Client;

const nested = (depth: number, inner: unknown = 1): unknown => {
  let value: unknown = inner;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
};
const deepText = (depth: number) => `${'['.repeat(depth)}1${']'.repeat(depth)}`;

const counts = async () => (await owner.query('select (select count(*) from kernel.audit_entries)::int as audit, (select count(*) from kernel.outbox)::int as outbox, (select count(*) from tenancy.tenants)::int as tenants')).rows[0] as Record<string, number>;

function expectDepthProblem(response: { statusCode: number; body: string; headers: Record<string, unknown> }, what: string) {
  expect(response.statusCode, `${what}: ${response.body.slice(0, 300)}`).toBe(400);
  const body = problemOf(response as never);
  expect(body.code, what).toBe('PLAT_VALIDATION_FAILED');
  expect(body.detail, what).toContain(`deeper than ${MAX_JSON_DEPTH} levels`);
  expect(body.errors?.[0]?.message, what).toContain(String(MAX_JSON_DEPTH));
}

beforeAll(async () => {
  t = await startTestPlatform();
  auth = await t.signIn();
  owner = new pg.Client({ connectionString: t.database.ownerUrl });
  await owner.connect();
});
afterAll(async () => {
  await owner?.end();
  await t?.close();
});

describe('deeply nested JSON', () => {
  it('answers 5,000 nested arrays on sign-in, before authentication, with 400 naming the limit', async () => {
    const before = await counts();
    for (const payload of [deepText(5000), `{"email":${deepText(5000)},"password":"x"}`, `{"email":"a@example.com","password":${deepText(5000)}}`]) {
      const response = await t.platform.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', headers: { 'content-type': 'application/json' }, payload });
      expectDepthProblem(response, 'sign-in');
    }
    expect(await counts()).toEqual(before);
  });

  it('answers a deep body, and a deep value in each member, with 400 on every operation that takes a body', async () => {
    const document = (await t.platform.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json() as OpenApiDocument;
    const operations = operationsOf(document).filter((o) => o.method !== 'GET' && o.method !== 'DELETE');
    expect(operations.length).toBeGreaterThan(40);
    const before = await counts();
    let requests = 0;
    for (const operation of operations) {
      // Well-formed ids (that name nothing): the body is refused before parameters are even looked at.
      const values = Object.fromEntries(operation.pathParams.map((p) => [p.name, idKindOf(p.schema) ? `${idKindOf(p.schema)}_${'0'.repeat(26)}` : 'x']));
      const url = fillPath(operation.path, values);
      const headers = { ...auth, 'content-type': 'application/json', 'idempotency-key': `deep-${requests}` };
      const bodies = [deepText(5000)];
      const schema = operation.body ? resolve(document, operation.body) : undefined;
      for (const member of Object.keys(schema?.properties ?? {})) bodies.push(`{${JSON.stringify(member)}:${deepText(5000)}}`);
      for (const payload of bodies) {
        const response = await t.platform.app.inject({ method: operation.method as 'POST', url, headers, payload });
        expectDepthProblem(response, `${operation.method} ${operation.path} ${payload.slice(0, 40)}`);
        requests++;
      }
    }
    expect(requests).toBeGreaterThan(100);
    expect(await counts()).toEqual(before);
  });

  it('lets a body of exactly the limit through to ordinary validation, and refuses one level more', async () => {
    const atLimit = await t.platform.app.inject({ method: 'POST', url: '/api/v1/tenants', headers: auth, payload: { organizationName: nested(MAX_JSON_DEPTH - 1) } as never });
    expect(atLimit.statusCode).toBe(400);
    expect(problemOf(atLimit).detail).not.toContain('deeper than');
    expect(problemOf(atLimit).errors?.map((e) => e.pointer)).toContain('/organizationName');
    const over = await t.platform.app.inject({ method: 'POST', url: '/api/v1/tenants', headers: auth, payload: { organizationName: nested(MAX_JSON_DEPTH) } as never });
    expectDepthProblem(over, 'one over');
    expect(problemOf(over).errors?.[0]?.pointer).toBe(`/organizationName${'/0'.repeat(MAX_JSON_DEPTH - 1)}`);
  });

  it('cannot be smuggled in through the query string: bracketed keys do not nest', async () => {
    const key = `cursor${'[a]'.repeat(5000)}`;
    const response = await t.platform.app.inject({ method: 'GET', url: `/api/v1/tenants?${encodeURIComponent(key)}=1&${'x['.repeat(2000)}=1`, headers: auth });
    expect(response.statusCode, response.body.slice(0, 300)).toBeLessThan(500);
    expect(response.statusCode).toBe(400);
  });
});
