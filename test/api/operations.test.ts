// What operators and API clients rely on besides the business routes: health and readiness,
// Prometheus metrics, the OpenAPI document and its docs page, request ids and security headers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, problemOf, type TestPlatform, type SignedInHeaders } from '../support/platform.js';
import { compileRouteSchemas } from '../../src/gateway/http/server.js';

let t: TestPlatform;
let auth: SignedInHeaders;
let tenantId: string;
const METRICS_TOKEN = 'metrics-scraper-token-0123456789abcdef';

beforeAll(async () => {
  // Started: the job queue runs, as it does in every server role.
  t = await startTestPlatform({ start: true, env: { METRICS_TOKEN } });
  auth = await t.signIn();
  const created = await t.platform.app.inject({ method: 'POST', url: '/api/v1/tenants', headers: auth, payload: { organizationName: 'Ops', domain: 'ops.example.com', adminEmail: 'ops@ops.example.com' } });
  expect(created.statusCode).toBe(201);
  tenantId = created.json().id;
});
afterAll(() => t?.close());

const get = (url: string, headers: Record<string, string> = {}) => t.platform.app.inject({ method: 'GET', url, headers });

describe('route schemas', () => {
  // They compile on each route's first request (gateway/http/server.ts): this finds any that cannot.
  it('every route of the API compiles its validators and serializers', () => {
    expect(compileRouteSchemas(t.platform.app)).toBeGreaterThan(200);
    expect(compileRouteSchemas(t.platform.app)).toBe(0);
  });
});

describe('health', () => {
  it('/healthz answers 200 without a session', async () => {
    const response = await get('/healthz');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
  });

  it('/readyz answers 200 on a migrated database', async () => {
    const response = await get('/readyz');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ready' });
  });
});

describe('/metrics', () => {
  /** Sample lines of one metric name (exact), as `labels → value`. */
  function samples(text: string, name: string): { labels: string; value: number }[] {
    const out: { labels: string; value: number }[] = [];
    for (const line of text.split('\n')) {
      const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$/.exec(line);
      if (match && match[1] === name) out.push({ labels: match[2] ?? '', value: Number(match[3]) });
    }
    return out;
  }
  const scrape = async () => {
    const response = await get('/metrics', { authorization: `Bearer ${METRICS_TOKEN}` });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    return response.body;
  };
  const countOf = (text: string, status: string) =>
    samples(text, 'platforma_http_request_duration_seconds_count').find((s) => s.labels.includes('route="/api/v1/tenants/:id"') && s.labels.includes(`status_code="${status}"`) && s.labels.includes('method="GET"'))?.value ?? 0;

  it('answers only a scraper with METRICS_TOKEN as its bearer token: 401 without it or with another', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong-token-0123456789abcdefghij' }, { authorization: `Bearer ${METRICS_TOKEN}x` }, { authorization: METRICS_TOKEN }, auth] as Record<string, string>[]) {
      const response = await get('/metrics', headers);
      expect(response.statusCode, JSON.stringify(headers)).toBe(401);
      expect(problemOf(response).code).toBe('PLAT_UNAUTHENTICATED');
      expect(response.headers['www-authenticate']).toBe('Bearer realm="metrics"');
      expect(response.body).not.toContain('platforma_http_request_duration_seconds');
    }
    expect((await get('/metrics', { authorization: `Bearer ${METRICS_TOKEN}` })).statusCode).toBe(200);
  });

  it('is not served at all without METRICS_TOKEN (the default), whatever the caller sends', async () => {
    const closed = await startTestPlatform();
    try {
      for (const headers of [{}, { authorization: `Bearer ${METRICS_TOKEN}` }, auth] as Record<string, string>[]) {
        const response = await closed.platform.app.inject({ method: 'GET', url: '/metrics', headers });
        expect(response.statusCode).toBe(404);
        expect(problemOf(response).code).toBe('PLAT_ROUTE_NOT_FOUND');
        expect(response.body).not.toContain('platforma_');
      }
    } finally {
      await closed.close();
    }
  });

  it('counts requests by route template and status code', async () => {
    const before = await scrape();
    for (let i = 0; i < 3; i++) expect((await get(`/api/v1/tenants/${tenantId}`, auth)).statusCode).toBe(200);
    expect((await get('/api/v1/tenants/ten_01jaaaaaaaaaaaaaaaaaaaaaaa', auth)).statusCode).toBe(404);
    const after = await scrape();

    expect(countOf(after, '200') - countOf(before, '200')).toBe(3);
    expect(countOf(after, '404') - countOf(before, '404')).toBe(1);
    const buckets = samples(after, 'platforma_http_request_duration_seconds_bucket').filter((s) => s.labels.includes('route="/api/v1/tenants/:id"'));
    expect(buckets.some((s) => s.labels.includes('le="+Inf"') && s.labels.includes('status_code="200"'))).toBe(true);
    // The label is the template: ids never become label values (unbounded cardinality).
    expect(after).not.toContain(tenantId);
  });

  it('exposes the database pool, the job queues and the process', async () => {
    const text = await scrape();
    const pool = samples(text, 'platforma_db_pool_app_connections');
    expect(pool.map((s) => s.labels).sort()).toEqual(['{state="idle"}', '{state="total"}', '{state="waiting"}']);
    expect(pool.find((s) => s.labels === '{state="total"}')?.value).toBeGreaterThan(0);
    const queues = samples(text, 'platforma_job_queue_depth');
    expect(queues.map((s) => s.labels).sort()).toEqual(['{queue="event-delivery"}', '{queue="kernel-audit-checkpoint"}', '{queue="kernel-maintenance"}', '{queue="kernel-workflow"}', '{queue="notifications-mail"}']);
    expect(samples(text, 'platforma_event_dead_letters')).toEqual([{ labels: '', value: 0 }]);
    for (const queue of queues) expect(Number.isFinite(queue.value)).toBe(true);
    const cpu = samples(text, 'platforma_process_cpu_user_seconds_total');
    expect(cpu).toHaveLength(1);
    expect(cpu[0]!.value).toBeGreaterThan(0);
  });
});

describe('the OpenAPI document', () => {
  interface ApiResponse {
    $ref?: string;
    content?: Record<string, { schema?: unknown }>;
  }
  interface Operation {
    requestBody?: { content?: Record<string, { schema?: unknown }> };
    responses: Record<string, ApiResponse>;
    parameters?: { in: string; name: string; schema?: unknown }[];
  }
  let spec: {
    openapi: string;
    paths: Record<string, Record<string, Operation>>;
    components?: { schemas?: Record<string, { properties?: Record<string, unknown> }>; responses?: Record<string, ApiResponse> };
  };
  const operations: [string, string, Operation][] = [];

  beforeAll(async () => {
    const response = await get('/api/v1/openapi.json');
    expect(response.statusCode).toBe(200);
    spec = response.json();
    for (const [path, item] of Object.entries(spec.paths)) {
      if (!path.startsWith('/api/v1/')) continue;
      for (const [method, operation] of Object.entries(item)) if (['get', 'post', 'put', 'patch', 'delete'].includes(method)) operations.push([method.toUpperCase(), path, operation]);
    }
  });

  /** Follows a local $ref. */
  function resolve(schema: unknown): { properties?: Record<string, unknown>; required?: string[] } {
    const ref = (schema as { $ref?: string })?.$ref;
    if (!ref) return schema as { properties?: Record<string, unknown> };
    const name = ref.replace('#/components/schemas/', '');
    const target = spec.components?.schemas?.[name];
    expect(target, `unresolvable $ref ${ref}`).toBeDefined();
    return target as { properties?: Record<string, unknown> };
  }

  /** Follows a response's local $ref (the problem responses are declared once, under components.responses). */
  function resolveResponse(response: ApiResponse | undefined): ApiResponse | undefined {
    const ref = response?.$ref;
    if (!ref) return response;
    expect(ref, 'a response $ref points into components.responses').toMatch(/^#\/components\/responses\//);
    const target = spec.components?.responses?.[ref.replace('#/components/responses/', '')];
    expect(target, `unresolvable $ref ${ref}`).toBeDefined();
    return target;
  }

  it('is OpenAPI 3.1 and served without a session', () => {
    expect(spec.openapi).toMatch(/^3\.1\./);
    expect(operations.length).toBeGreaterThanOrEqual(13);
  });

  it('declares 400 and 401 problem responses on every /api/v1 operation', () => {
    for (const [method, path, operation] of operations) {
      for (const status of ['400', '401']) {
        const schema = resolveResponse(operation.responses[status])?.content?.['application/problem+json']?.schema;
        expect(schema, `${method} ${path} ${status}`).toBeDefined();
        const problem = resolve(schema);
        expect(Object.keys(problem.properties ?? {}), `${method} ${path} ${status}`).toEqual(expect.arrayContaining(['type', 'title', 'status', 'code', 'requestId', 'errors']));
      }
    }
  });

  it('declares each problem response once, under components.responses, and every operation refers to it there', () => {
    const declared = Object.keys(spec.components?.responses ?? {});
    expect(declared).toEqual(expect.arrayContaining(['BadRequest', 'Unauthorized', 'Forbidden', 'NotFound', 'Conflict', 'PreconditionFailed', 'TooManyRequests', 'ServiceUnavailable']));
    for (const [method, path, operation] of operations) {
      for (const [status, response] of Object.entries(operation.responses)) {
        if (!/^[45]\d\d$/.test(status)) continue;
        expect(response.$ref, `${method} ${path} ${status} is a reference, not a copy`).toMatch(/^#\/components\/responses\/\w+$/);
      }
    }
  });

  it('gives every operation a success response schema and every write with input a request body schema', () => {
    for (const [method, path, operation] of operations) {
      const success = Object.entries(operation.responses).filter(([status]) => /^2\d\d$/.test(status));
      expect(success.length, `${method} ${path}`).toBeGreaterThan(0);
      for (const [status, response] of success) {
        if (status === '204') continue;
        expect(resolveResponse(response)?.content?.['application/json']?.schema, `${method} ${path} ${status}`).toBeDefined();
      }
      if (['POST', 'PUT', 'PATCH'].includes(method) && path !== '/api/v1/auth/sign-out') {
        expect(operation.requestBody?.content?.['application/json']?.schema, `${method} ${path} request body`).toBeDefined();
      }
      for (const name of [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1])) {
        const parameter = operation.parameters?.find((p) => p.in === 'path' && p.name === name);
        expect(parameter?.schema, `${method} ${path} path parameter ${name}`).toBeDefined();
      }
    }
  });
});

describe('the docs page', () => {
  it('serves the API reference as HTML', async () => {
    let response = await get('/docs');
    if (response.statusCode >= 300 && response.statusCode < 400) response = await get(String(response.headers.location));
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.body).toMatch(/<html/i);
  });
});

describe('headers on every response', () => {
  it('carries a request id and a Content-Security-Policy that does not force https on plain http', async () => {
    const responses = [
      await get('/healthz'),
      await get(`/api/v1/tenants/${tenantId}`, auth),
      await get('/api/v1/tenants/ten_01jaaaaaaaaaaaaaaaaaaaaaaa', auth),
      await get('/api/v1/nothing-here'),
      await get('/docs/'),
    ];
    for (const response of responses) {
      expect(response.headers['x-request-id'], response.raw.req.url).toMatch(/^req_[0-9a-z]{26}$/);
      const csp = String(response.headers['content-security-policy']);
      expect(csp, response.raw.req.url).toMatch(/default-src 'self'/);
      expect(csp, response.raw.req.url).not.toMatch(/upgrade-insecure-requests/);
      expect(response.headers['x-content-type-options']).toBe('nosniff');
    }
    // Every request gets its own id.
    expect(new Set(responses.map((r) => r.headers['x-request-id'])).size).toBe(responses.length);
  });

  it('echoes a valid incoming X-Request-Id, in the header and in problem documents, and replaces an invalid one', async () => {
    const ok = await get('/healthz', { 'x-request-id': 'trace-0123456789' });
    expect(ok.headers['x-request-id']).toBe('trace-0123456789');
    const failed = await get('/api/v1/tenants/ten_01jaaaaaaaaaaaaaaaaaaaaaaa', { ...auth, 'x-request-id': 'upstream.lb-42_abcdef' });
    expect(failed.headers['x-request-id']).toBe('upstream.lb-42_abcdef');
    expect(problemOf(failed).requestId).toBe('upstream.lb-42_abcdef');
    for (const invalid of ['short', 'has spaces in it', 'x'.repeat(129), 'semi;colon;header', '<script>alert(1)</script>']) {
      const response = await get('/healthz', { 'x-request-id': invalid });
      expect(response.headers['x-request-id'], invalid).toMatch(/^req_[0-9a-z]{26}$/);
    }
  });
});
