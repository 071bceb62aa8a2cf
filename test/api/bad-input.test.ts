// Bad input never changes anything and never becomes a 500: every refusal is a problem document
// with the right status, a stable code and the request id, and the tables a request could have
// written (tenants, audit, outbox) and the tenant it aimed at are exactly as they were.
import type { LightMyRequestResponse, InjectOptions } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, problemOf, ADMIN_PASSWORD, ADMIN_EMAIL, type TestPlatform, type SignedInHeaders } from '../support/platform.js';
import { expectStatus } from '../support/api.js';

let t: TestPlatform;
let auth: SignedInHeaders;
let owner: pg.Client;
/** An active tenant most cases aim at; it must never change. */
let target: { id: string; etag: string };

const valid = { organizationName: 'Target Corp', domain: 'target.example.com', adminEmail: 'ops@target.example.com' };

const inject = (options: InjectOptions) => t.platform.app.inject(options);
const createTenant = async (body: Record<string, unknown>) => {
  const response = await inject({ method: 'POST', url: '/api/v1/tenants', headers: auth, payload: body });
  return { id: expectStatus(response, { method: 'post', path: '/api/v1/tenants' }, 201).id, etag: String(response.headers.etag) };
};

interface Snapshot {
  tenants: number;
  audit: number;
  outbox: number;
  target: { document: unknown; version: number } | undefined;
}

async function snapshot(): Promise<Snapshot> {
  const count = async (table: string) => ((await owner.query(`select count(*)::int as n from ${table}`)).rows[0] as { n: number }).n;
  const row = await owner.query('select document, version from tenancy.tenants where tenant_id = $1', [target.id]);
  return {
    tenants: await count('tenancy.tenants'),
    audit: await count('kernel.audit_entries'),
    outbox: await count('kernel.outbox'),
    target: row.rows[0] as Snapshot['target'],
  };
}

/** Runs the request(s) and asserts that nothing a request could write has changed. */
async function changesNothing<T>(work: () => Promise<T>): Promise<T> {
  const before = await snapshot();
  const result = await work();
  expect(await snapshot()).toEqual(before);
  return result;
}

/** The response is a problem document with this status and code, carrying the request id. */
function expectProblem(response: LightMyRequestResponse, status: number, code: string) {
  expect(response.statusCode, response.body).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = problemOf(response);
  expect(body.code).toBe(code);
  expect(body.status).toBe(status);
  expect(body.requestId).toBeTruthy();
  expect(body.requestId).toBe(response.headers['x-request-id']);
  return body;
}

const pointers = (body: { errors?: { pointer: string }[] }) => (body.errors ?? []).map((e) => e.pointer);

beforeAll(async () => {
  t = await startTestPlatform();
  auth = await t.signIn();
  owner = new pg.Client({ connectionString: t.database.ownerUrl });
  await owner.connect();
  target = await createTenant(valid);
});
afterAll(async () => {
  await owner?.end();
  await t?.close();
});

describe('malformed and ill-typed bodies', () => {
  it('answers a body that is not JSON with 400 PLAT_MALFORMED_REQUEST', async () => {
    await changesNothing(async () => {
      for (const payload of ['{"organizationName": "Acme",', '{', 'not json', '{"a":1}}']) {
        const response = await inject({ method: 'POST', url: '/api/v1/tenants', headers: { ...auth, 'content-type': 'application/json' }, payload });
        expectProblem(response, 400, 'PLAT_MALFORMED_REQUEST');
      }
      const patch = await inject({ method: 'PATCH', url: `/api/v1/tenants/${target.id}`, headers: { ...auth, 'content-type': 'application/json' }, payload: '{"organizationName":' });
      expectProblem(patch, 400, 'PLAT_MALFORMED_REQUEST');
    });
  });

  it('refuses wrong types with 400 PLAT_VALIDATION_FAILED pointing at the member, without coercing', async () => {
    await changesNothing(async () => {
      const cases: [Record<string, unknown>, string][] = [
        [{ ...valid, domain: 'n1.example.com', organizationName: 123 }, '/organizationName'],
        [{ ...valid, domain: 'n2.example.com', organizationName: true }, '/organizationName'],
        [{ ...valid, domain: 'n3.example.com', quotas: { maxUsers: '5' } }, '/quotas/maxUsers'],
        [{ ...valid, domain: 'n4.example.com', settings: { authentication: { mfaRequired: 'true' } } }, '/settings/authentication/mfaRequired'],
        [{ ...valid, domain: 'n5.example.com', quotas: { features: 'sso' } }, '/quotas/features'],
      ];
      for (const [payload, pointer] of cases) {
        const response = await inject({ method: 'POST', url: '/api/v1/tenants', headers: auth, payload });
        expect(pointers(expectProblem(response, 400, 'PLAT_VALIDATION_FAILED'))).toContain(pointer);
      }
      const patch = await inject({ method: 'PATCH', url: `/api/v1/tenants/${target.id}`, headers: auth, payload: { organizationName: 123 } });
      expect(pointers(expectProblem(patch, 400, 'PLAT_VALIDATION_FAILED'))).toContain('/organizationName');
    });
  });

  it('refuses unknown properties at the top level and nested in settings, naming them', async () => {
    await changesNothing(async () => {
      const cases: [Record<string, unknown>, string][] = [
        [{ ...valid, domain: 'u1.example.com', colour: 'red' }, '/colour'],
        [{ ...valid, domain: 'u2.example.com', settings: { theme: 'dark' } }, '/settings/theme'],
        [{ ...valid, domain: 'u3.example.com', settings: { branding: { font: 'Comic Sans' } } }, '/settings/branding/font'],
        [{ ...valid, domain: 'u4.example.com', settings: { authentication: { passwordPolicy: { minLen: 9 } } } }, '/settings/authentication/passwordPolicy/minLen'],
      ];
      for (const [payload, pointer] of cases) {
        const response = await inject({ method: 'POST', url: '/api/v1/tenants', headers: auth, payload });
        expect(pointers(expectProblem(response, 400, 'PLAT_VALIDATION_FAILED'))).toContain(pointer);
      }
      const patch = await inject({ method: 'PATCH', url: `/api/v1/tenants/${target.id}`, headers: auth, payload: { status: 'terminated' } });
      expect(pointers(expectProblem(patch, 400, 'PLAT_VALIDATION_FAILED'))).toContain('/status');
      const nested = await inject({ method: 'PATCH', url: `/api/v1/tenants/${target.id}`, headers: auth, payload: { settings: { branding: { evil: true } } } });
      expect(pointers(expectProblem(nested, 400, 'PLAT_VALIDATION_FAILED'))).toContain('/settings/branding/evil');
    });
  });

  it('names a missing required property', async () => {
    await changesNothing(async () => {
      for (const missing of ['organizationName', 'domain', 'adminEmail'] as const) {
        const payload: Record<string, unknown> = { ...valid, domain: `missing-${missing.toLowerCase()}.example.com` };
        delete payload[missing];
        const response = await inject({ method: 'POST', url: '/api/v1/tenants', headers: auth, payload });
        expect(pointers(expectProblem(response, 400, 'PLAT_VALIDATION_FAILED'))).toContain(`/${missing}`);
      }
      const empty = await inject({ method: 'POST', url: '/api/v1/tenants', headers: auth });
      expect(pointers(expectProblem(empty, 400, 'PLAT_VALIDATION_FAILED'))).toEqual(expect.arrayContaining(['/organizationName', '/domain', '/adminEmail']));
    });
  });

  it('refuses text PostgreSQL cannot store (NUL, unpaired surrogates) with 400 naming where it is', async () => {
    await changesNothing(async () => {
      const cases: [Record<string, unknown>, string][] = [
        [{ ...valid, domain: 'nul1.example.com', organizationName: 'Acme\u0000Corp' }, '/organizationName'],
        [{ ...valid, domain: 'nul2.example.com', organizationName: 'Acme \ud800' }, '/organizationName'],
        [{ ...valid, domain: 'nul3.example.com', settings: { integrations: { configurations: { slack: { channel: '\udc00' } } } } }, '/settings/integrations/configurations/slack/channel'],
        [{ ...valid, domain: 'nul4.example.com', settings: { integrations: { configurations: { 'bad\u0000key': 1 } } } }, '/settings/integrations/configurations/bad\u0000key'],
      ];
      for (const [payload, pointer] of cases) {
        const response = await inject({ method: 'POST', url: '/api/v1/tenants', headers: auth, payload });
        expect(pointers(expectProblem(response, 400, 'PLAT_VALIDATION_FAILED'))).toContain(pointer);
      }
      const patch = await inject({ method: 'PATCH', url: `/api/v1/tenants/${target.id}`, headers: auth, payload: { organizationName: '\u0000' } });
      expect(pointers(expectProblem(patch, 400, 'PLAT_VALIDATION_FAILED'))).toContain('/organizationName');
      const search = await inject({ method: 'GET', url: '/api/v1/tenants?q=a%00b', headers: auth });
      expect(pointers(expectProblem(search, 400, 'PLAT_VALIDATION_FAILED'))).toContain('/q');
      const signIn = await inject({ method: 'POST', url: '/api/v1/auth/sign-in', payload: { email: 'admin\u0000@example.com', password: 'whatever' } });
      expect(pointers(expectProblem(signIn, 400, 'PLAT_VALIDATION_FAILED'))).toContain('/email');
      // A well-formed surrogate pair (an emoji) is ordinary text.
      const emoji = await inject({ method: 'GET', url: `/api/v1/tenants?q=${encodeURIComponent('😀')}`, headers: auth });
      expect(emoji.statusCode).toBe(200);
    });
  });

  it('refuses bodies that are not application/json with 415', async () => {
    await changesNothing(async () => {
      const plain = await inject({ method: 'POST', url: '/api/v1/tenants', headers: { ...auth, 'content-type': 'text/plain' }, payload: JSON.stringify(valid) });
      expectProblem(plain, 415, 'PLAT_UNSUPPORTED_MEDIA_TYPE');
      const form = await inject({
        method: 'POST',
        url: '/api/v1/tenants',
        headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams(valid).toString(),
      });
      expectProblem(form, 415, 'PLAT_UNSUPPORTED_MEDIA_TYPE');
      const patch = await inject({ method: 'PATCH', url: `/api/v1/tenants/${target.id}`, headers: { ...auth, 'content-type': 'text/plain' }, payload: 'organizationName=x' });
      expectProblem(patch, 415, 'PLAT_UNSUPPORTED_MEDIA_TYPE');
    });
  });
});

describe('routes, methods, ids and cursors', () => {
  it('answers a method the path does not have with 405 and an Allow header', async () => {
    await changesNothing(async () => {
      const collection = await inject({ method: 'DELETE', url: '/api/v1/tenants', headers: auth });
      expectProblem(collection, 405, 'PLAT_METHOD_NOT_ALLOWED');
      const allowCollection = String(collection.headers.allow).split(/,\s*/);
      expect(allowCollection).toEqual(expect.arrayContaining(['GET', 'POST']));
      expect(allowCollection).not.toContain('DELETE');

      const item = await inject({ method: 'PUT', url: `/api/v1/tenants/${target.id}`, headers: auth, payload: valid });
      expectProblem(item, 405, 'PLAT_METHOD_NOT_ALLOWED');
      const allowItem = String(item.headers.allow).split(/,\s*/);
      expect(allowItem).toEqual(expect.arrayContaining(['GET', 'PATCH']));
      expect(allowItem).not.toContain('PUT');
      expect(allowItem).not.toContain('POST');
    });
  });

  it('answers an unknown route with 404 PLAT_ROUTE_NOT_FOUND', async () => {
    await changesNothing(async () => {
      expectProblem(await inject({ method: 'GET', url: '/api/v1/no-such-thing', headers: auth }), 404, 'PLAT_ROUTE_NOT_FOUND');
      expectProblem(await inject({ method: 'POST', url: '/api/v1/tenants/x/y/z', headers: auth, payload: {} }), 404, 'PLAT_ROUTE_NOT_FOUND');
      // Unauthenticated too: an unknown route is not a reason to demand a session.
      expectProblem(await inject({ method: 'GET', url: '/api/v2/tenants' }), 404, 'PLAT_ROUTE_NOT_FOUND');
    });
  });

  it('refuses a cursor it did not issue with 400 pointing at /cursor', async () => {
    const cursors = [
      'garbage!!',
      'not-a-cursor',
      Buffer.from(JSON.stringify({ after: 42 })).toString('base64url'),
      Buffer.from(JSON.stringify({ before: 'ten_01jaaaaaaaaaaaaaaaaaaaaaaa' })).toString('base64url'),
      Buffer.from(JSON.stringify(['ten_01jaaaaaaaaaaaaaaaaaaaaaaa'])).toString('base64url'),
      Buffer.from('null').toString('base64url'),
    ];
    await changesNothing(async () => {
      for (const cursor of cursors) {
        const response = await inject({ method: 'GET', url: `/api/v1/tenants?cursor=${encodeURIComponent(cursor)}`, headers: auth });
        expect(pointers(expectProblem(response, 400, 'PLAT_VALIDATION_FAILED')), cursor).toContain('/cursor');
      }
      const audit = await inject({ method: 'GET', url: `/api/v1/tenants/${target.id}/audit-events?cursor=${Buffer.from(JSON.stringify({ after: 'x' })).toString('base64url')}`, headers: auth });
      expect(pointers(expectProblem(audit, 400, 'PLAT_VALIDATION_FAILED'))).toContain('/cursor');
    });
  });

  it('refuses a malformed tenant id in the path with 400 and an unknown well-formed one with 404', async () => {
    await changesNothing(async () => {
      for (const id of ['not-an-id', 'ten_123', 'usr_01jaaaaaaaaaaaaaaaaaaaaaaa', 'TEN_01JAAAAAAAAAAAAAAAAAAAAAAA', "ten_01jaaaaaaaaaaaaaaaaaaaa'"]) {
        const get = await inject({ method: 'GET', url: `/api/v1/tenants/${encodeURIComponent(id)}`, headers: auth });
        expect(pointers(expectProblem(get, 400, 'PLAT_VALIDATION_FAILED')), id).toContain('/id');
        const patch = await inject({ method: 'PATCH', url: `/api/v1/tenants/${encodeURIComponent(id)}`, headers: auth, payload: { organizationName: 'X' } });
        expectProblem(patch, 400, 'PLAT_VALIDATION_FAILED');
      }
      const unknown = 'ten_01jaaaaaaaaaaaaaaaaaaaaaaa';
      expectProblem(await inject({ method: 'GET', url: `/api/v1/tenants/${unknown}`, headers: auth }), 404, 'PLAT_NOT_FOUND');
      expectProblem(await inject({ method: 'PATCH', url: `/api/v1/tenants/${unknown}`, headers: auth, payload: { organizationName: 'X' } }), 404, 'PLAT_NOT_FOUND');
      expectProblem(await inject({ method: 'POST', url: `/api/v1/tenants/${unknown}/suspend`, headers: auth, payload: { reason: 'x' } }), 404, 'PLAT_NOT_FOUND');
      expectProblem(await inject({ method: 'GET', url: `/api/v1/tenants/${unknown}/audit-events`, headers: auth }), 404, 'PLAT_NOT_FOUND');
    });
  });
});

describe('conditional and state-dependent writes', () => {
  const quotas = { maxUsers: 20, maxStorage: 10, maxAPICallsPerMonth: 1000, maxComputeHours: 10, features: ['sso'], customLimits: {} };

  it('refuses a PATCH with a stale If-Match with 412 and accepts the current ETag', async () => {
    const tenant = await createTenant({ ...valid, domain: 'etag-patch.example.com' });
    await changesNothing(async () => {
      for (const ifMatch of ['"v0"', '"v2"', 'W/"v7"', '"v1-old"']) {
        const response = await inject({ method: 'PATCH', url: `/api/v1/tenants/${tenant.id}`, headers: { ...auth, 'if-match': ifMatch }, payload: { organizationName: 'Stale' } });
        expect(expectProblem(response, 412, 'PLAT_PRECONDITION_FAILED').currentVersion).toBe(1);
      }
    });
    const current = await inject({ method: 'PATCH', url: `/api/v1/tenants/${tenant.id}`, headers: { ...auth, 'if-match': tenant.etag }, payload: { organizationName: 'Fresh' } });
    expect(current.statusCode).toBe(200);
    expect(current.json()).toMatchObject({ organizationName: 'Fresh', version: 2 });
    expect(current.headers.etag).toBe('"v2"');
    // The ETag that was current a moment ago is now stale.
    const stale = await inject({ method: 'PATCH', url: `/api/v1/tenants/${tenant.id}`, headers: { ...auth, 'if-match': tenant.etag }, payload: { organizationName: 'Late' } });
    expectProblem(stale, 412, 'PLAT_PRECONDITION_FAILED');
  });

  it('refuses a quotas PUT with a stale If-Match with 412 and accepts the current ETag', async () => {
    const tenant = await createTenant({ ...valid, domain: 'etag-quotas.example.com' });
    await changesNothing(async () => {
      const response = await inject({ method: 'PUT', url: `/api/v1/tenants/${tenant.id}/quotas`, headers: { ...auth, 'if-match': '"v9"' }, payload: quotas });
      expectProblem(response, 412, 'PLAT_PRECONDITION_FAILED');
    });
    const current = await inject({ method: 'PUT', url: `/api/v1/tenants/${tenant.id}/quotas`, headers: { ...auth, 'if-match': tenant.etag }, payload: quotas });
    expect(current.statusCode, current.body).toBe(200);
    expect(current.json().quotas).toEqual(quotas);
  });

  it('refuses transitions the status machine does not have with 409 naming the current status', async () => {
    const suspended = await createTenant({ ...valid, domain: 'suspended.example.com' });
    expect((await inject({ method: 'POST', url: `/api/v1/tenants/${suspended.id}/suspend`, headers: auth, payload: { reason: 'test' } })).statusCode).toBe(200);
    await changesNothing(async () => {
      const again = await inject({ method: 'POST', url: `/api/v1/tenants/${suspended.id}/suspend`, headers: auth, payload: { reason: 'again' } });
      expect(expectProblem(again, 409, 'PLAT_INVALID_TRANSITION').currentStatus).toBe('suspended');
      const activate = await inject({ method: 'POST', url: `/api/v1/tenants/${suspended.id}/activate`, headers: auth });
      expect(expectProblem(activate, 409, 'PLAT_INVALID_TRANSITION').currentStatus).toBe('suspended');
      const reactivate = await inject({ method: 'POST', url: `/api/v1/tenants/${target.id}/reactivate`, headers: auth });
      expect(expectProblem(reactivate, 409, 'PLAT_INVALID_TRANSITION').currentStatus).toBe('active');
    });
  });

  it('refuses every change to a terminated tenant with 409 naming its status', async () => {
    const terminated = await createTenant({ ...valid, domain: 'terminated.example.com' });
    expect((await inject({ method: 'POST', url: `/api/v1/tenants/${terminated.id}/terminate`, headers: auth })).statusCode).toBe(200);
    await changesNothing(async () => {
      for (const action of ['suspend', 'reactivate', 'activate', 'terminate']) {
        const response = await inject({ method: 'POST', url: `/api/v1/tenants/${terminated.id}/${action}`, headers: auth, payload: { reason: 'x' } });
        expect(expectProblem(response, 409, 'PLAT_INVALID_TRANSITION').currentStatus, action).toBe('terminated');
      }
      const patch = await inject({ method: 'PATCH', url: `/api/v1/tenants/${terminated.id}`, headers: auth, payload: { organizationName: 'Zombie' } });
      expect(expectProblem(patch, 409, 'PLAT_CONFLICT').currentStatus).toBe('terminated');
      const put = await inject({ method: 'PUT', url: `/api/v1/tenants/${terminated.id}/quotas`, headers: auth, payload: quotas });
      expect(expectProblem(put, 409, 'PLAT_CONFLICT').currentStatus).toBe('terminated');
    });
  });

  it('refuses a suspension without a reason with 400 naming /reason', async () => {
    await changesNothing(async () => {
      for (const payload of [undefined, {}, { reason: '' }, { reason: null }]) {
        const response = await inject({ method: 'POST', url: `/api/v1/tenants/${target.id}/suspend`, headers: auth, ...(payload === undefined ? {} : { payload }) });
        expect(pointers(expectProblem(response, 400, 'PLAT_VALIDATION_FAILED')), JSON.stringify(payload)).toContain('/reason');
      }
    });
  });

  it('refuses a domain another live tenant uses with 409, on create and on change', async () => {
    const other = await createTenant({ ...valid, domain: 'other.example.com' });
    await changesNothing(async () => {
      const create = await inject({ method: 'POST', url: '/api/v1/tenants', headers: auth, payload: { ...valid, organizationName: 'Copycat' } });
      expectProblem(create, 409, 'PLAT_CONFLICT');
      const differentCase = await inject({ method: 'POST', url: '/api/v1/tenants', headers: auth, payload: { ...valid, domain: 'TARGET.Example.COM' } });
      expectProblem(differentCase, 409, 'PLAT_CONFLICT');
      const patch = await inject({ method: 'PATCH', url: `/api/v1/tenants/${other.id}`, headers: auth, payload: { domain: valid.domain } });
      expectProblem(patch, 409, 'PLAT_CONFLICT');
    });
  });
});

describe('authentication and CSRF', () => {
  it('answers 401 PLAT_UNAUTHENTICATED on every /api/v1 operation except the public ones when there is no session', async () => {
    const spec = (await inject({ method: 'GET', url: '/api/v1/openapi.json' })).json() as { paths: Record<string, Record<string, unknown>> };
    // Public by design (sign-in, redeeming an emailed token): their list is pinned in access.test.ts.
    const publicOperations = new Set(t.platform.app.routeActions.filter((r) => r.public).map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`));
    const operations: [string, string][] = [];
    for (const [path, item] of Object.entries(spec.paths)) {
      for (const method of Object.keys(item)) {
        if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
        if (publicOperations.has(`${method.toUpperCase()} ${path}`)) continue;
        operations.push([method.toUpperCase(), path.replace(/\{id\}/g, target.id)]);
      }
    }
    // The spec lists the operations we know of (and more as modules arrive).
    expect(operations.map(([m, p]) => `${m} ${p.replace(target.id, '{id}')}`)).toEqual(
      expect.arrayContaining(['GET /api/v1/tenants', 'POST /api/v1/tenants', 'GET /api/v1/tenants/{id}', 'PATCH /api/v1/tenants/{id}', 'PUT /api/v1/tenants/{id}/quotas', 'POST /api/v1/tenants/{id}/suspend', 'GET /api/v1/tenants/{id}/audit-events', 'GET /api/v1/auth/session', 'POST /api/v1/auth/sign-out']),
    );
    await changesNothing(async () => {
      for (const [method, url] of operations) {
        const payload = method === 'GET' ? undefined : { organizationName: 'Sneaky', reason: 'x' };
        const anonymous = await inject({ method: method as 'GET', url, ...(payload ? { payload } : {}) });
        expectProblem(anonymous, 401, 'PLAT_UNAUTHENTICATED');
        // A cookie that names no live session is no session either.
        const forged = await inject({ method: method as 'GET', url, headers: { cookie: 'platforma_session=forged', 'x-csrf-token': auth['x-csrf-token'] }, ...(payload ? { payload } : {}) });
        expectProblem(forged, 401, 'PLAT_UNAUTHENTICATED');
      }
    });
  });

  it('refuses cookie-authenticated writes without the right X-CSRF-Token with 403', async () => {
    await changesNothing(async () => {
      const tokens: (string | undefined)[] = [undefined, '', 'wrong', `${auth['x-csrf-token']}x`, auth['x-csrf-token'].slice(1)];
      for (const token of tokens) {
        const headers: Record<string, string> = { cookie: auth.cookie };
        if (token !== undefined) headers['x-csrf-token'] = token;
        const create = await inject({ method: 'POST', url: '/api/v1/tenants', headers, payload: { ...valid, domain: 'csrf.example.com' } });
        expectProblem(create, 403, 'PLAT_CSRF_TOKEN_INVALID');
        const patch = await inject({ method: 'PATCH', url: `/api/v1/tenants/${target.id}`, headers, payload: { organizationName: 'Hijacked' } });
        expectProblem(patch, 403, 'PLAT_CSRF_TOKEN_INVALID');
        const suspend = await inject({ method: 'POST', url: `/api/v1/tenants/${target.id}/suspend`, headers, payload: { reason: 'csrf' } });
        expectProblem(suspend, 403, 'PLAT_CSRF_TOKEN_INVALID');
      }
    });
    // Reads need no token.
    expect((await inject({ method: 'GET', url: `/api/v1/tenants/${target.id}`, headers: { cookie: auth.cookie } })).statusCode).toBe(200);
  });

  it('refuses a wrong password with 401 PLAT_INVALID_CREDENTIALS, recording only the failed attempt', async () => {
    const before = await snapshot();
    const failedBefore = await owner.query("select count(*)::int as n from kernel.audit_entries where action = 'identity.sign_in.failed'");
    for (const payload of [
      { email: ADMIN_EMAIL, password: `${ADMIN_PASSWORD}!` },
      { email: 'nobody@example.com', password: ADMIN_PASSWORD },
    ]) {
      const response = await inject({ method: 'POST', url: '/api/v1/auth/sign-in', payload });
      expectProblem(response, 401, 'PLAT_INVALID_CREDENTIALS');
      expect(response.cookies.find((c) => c.name === 'platforma_session')).toBeUndefined();
      expect(response.body).not.toContain(payload.password);
    }
    const after = await snapshot();
    // A failed sign-in is itself audited (on the platform chain) and announced (identity.sign_in.failed); nothing else changes.
    expect(after).toEqual({ ...before, audit: before.audit + 2, outbox: before.outbox + 2 });
    const failedAfter = await owner.query("select count(*)::int as n from kernel.audit_entries where action = 'identity.sign_in.failed'");
    expect(failedAfter.rows[0].n).toBe(failedBefore.rows[0].n + 2);
  });
});

describe('Idempotency-Key', () => {
  it('replays the stored response for the same key and body and creates the tenant once', async () => {
    const headers = { ...auth, 'idempotency-key': 'create-idem-1' };
    const body = { ...valid, domain: 'idem.example.com', organizationName: 'Idem' };
    const before = await snapshot();
    const first = await inject({ method: 'POST', url: '/api/v1/tenants', headers, payload: body });
    expect(first.statusCode).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const afterFirst = await snapshot();
    expect(afterFirst.tenants).toBe(before.tenants + 1);

    const second = await changesNothing(() => inject({ method: 'POST', url: '/api/v1/tenants', headers, payload: { organizationName: 'Idem', adminEmail: valid.adminEmail, domain: 'idem.example.com' } }));
    expect(second.statusCode).toBe(201);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.json().id).toBe(first.json().id);
    expect(second.body).toBe(first.body);
    expect(second.headers.etag).toBe(first.headers.etag);
    expect(second.headers.location).toBe(first.headers.location);
    const rows = await owner.query("select count(*)::int as n from tenancy.tenants where domain = 'idem.example.com'");
    expect(rows.rows[0].n).toBe(1);
  });

  it('refuses the same key with a different body with 422 and creates nothing', async () => {
    const headers = { ...auth, 'idempotency-key': 'create-idem-2' };
    const first = await inject({ method: 'POST', url: '/api/v1/tenants', headers, payload: { ...valid, domain: 'idem2.example.com' } });
    expect(first.statusCode).toBe(201);
    await changesNothing(async () => {
      const reused = await inject({ method: 'POST', url: '/api/v1/tenants', headers, payload: { ...valid, domain: 'idem3.example.com' } });
      expectProblem(reused, 422, 'PLAT_IDEMPOTENCY_KEY_REUSED');
      // …including on another path.
      const elsewhere = await inject({ method: 'POST', url: `/api/v1/tenants/${target.id}/suspend`, headers, payload: { reason: 'reuse' } });
      expectProblem(elsewhere, 422, 'PLAT_IDEMPOTENCY_KEY_REUSED');
    });
    const rows = await owner.query("select count(*)::int as n from tenancy.tenants where domain = 'idem3.example.com'");
    expect(rows.rows[0].n).toBe(0);
  });
});

/** A tiny seeded PRNG (mulberry32), so a failing body can be reproduced from the seed. */
function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = state;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  return { next, int, pick };
}

// Real member names (so bodies reach deep into the schema and the service) mixed with strangers.
const KEYS = [
  'organizationName', 'domain', 'adminEmail', 'settings', 'quotas', 'subscription', 'initialStatus', 'branding', 'authentication', 'passwordPolicy',
  'integrations', 'compliance', 'configurations', 'customLimits', 'features', 'maxUsers', 'primaryColor', 'customDomain', 'providers', 'minLength',
  'retentionPeriod', 'tier', 'expiresAt', 'status', 'tenantId', 'version', '__proto__', 'constructor', '', 'x'.repeat(300), 'ünïcödé', 'a.b', '$ref',
] as const;
const STRINGS = [
  '', ' ', 'a', 'acme.example.com', 'ACME.EXAMPLE.COM', 'ops@acme.example.com', '#ff00ff', 'active', 'terminated', '2026-01-01T00:00:00Z', 'not-a-date',
  'x'.repeat(5000), '\u0000', 'nul\u0000inside', '\ud800', '😀', "'; drop table tenancy.tenants; --", '{"json":true}', 'null', '-1', 'ten_01jaaaaaaaaaaaaaaaaaaaaaaa',
] as const;
const NUMBERS = [0, -1, 1, 1.5, 2 ** 31, 2 ** 53, -(2 ** 63), 1e308, 1e-308, 12, 65535] as const;

function randomValue(r: ReturnType<typeof random>, depth: number): unknown {
  const kind = r.int(depth > 3 ? 4 : 7);
  switch (kind) {
    case 0:
      return null;
    case 1:
      return r.next() < 0.5;
    case 2:
      return r.pick(NUMBERS);
    case 3:
      return r.pick(STRINGS);
    case 4:
    case 5:
      return randomObject(r, depth + 1);
    default:
      return Array.from({ length: r.int(4) }, () => randomValue(r, depth + 1));
  }
}

function randomObject(r: ReturnType<typeof random>, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = r.int(5); i > 0; i--) Object.defineProperty(out, r.pick(KEYS), { value: randomValue(r, depth), enumerable: true, configurable: true, writable: true });
  return out;
}

const CREATE_PATHS = [
  ['organizationName'], ['domain'], ['adminEmail'], ['initialStatus'], ['subscription', 'tier'], ['subscription', 'expiresAt'], ['subscription', 'subscriptionId'],
  ['quotas', 'maxUsers'], ['quotas', 'maxStorage'], ['quotas', 'features'], ['quotas', 'customLimits', 'gpu'], ['quotas', 'customLimits'],
] as const;
const SETTINGS_PATHS = [
  ['settings', 'branding', 'logo'], ['settings', 'branding', 'primaryColor'], ['settings', 'branding', 'customDomain'], ['settings', 'authentication', 'providers'],
  ['settings', 'authentication', 'passwordPolicy', 'minLength'], ['settings', 'authentication', 'mfaRequired'], ['settings', 'integrations', 'enabled'],
  ['settings', 'integrations', 'configurations', 'slack'], ['settings', 'integrations', 'configurations'], ['settings', 'compliance', 'dataResidency'],
  ['settings', 'compliance', 'retentionPeriod'], ['settings', 'compliance', 'auditLevel'], ['settings', 'branding'], ['settings'],
] as const;

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null || Array.isArray(node[key])) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1] as string] = value;
}

/** Strings are where storage surprises hide: pick them more often than other values. */
const mutation = (r: ReturnType<typeof random>) => (r.next() < 0.6 ? r.pick(STRINGS) : randomValue(r, 1));

/** A valid create body with one or two members (at any depth) replaced: it gets past the schema more often. */
function nearlyValidCreate(r: ReturnType<typeof random>, index: number): Record<string, unknown> {
  const body: Record<string, unknown> = { ...valid, domain: `fuzz${index}.example.com` };
  for (let i = r.next() < 0.7 ? 1 : 2; i > 0; i--) setPath(body, r.pick([...CREATE_PATHS, ...SETTINGS_PATHS]), mutation(r));
  return body;
}

function nearlyValidPatch(r: ReturnType<typeof random>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (let i = r.next() < 0.7 ? 1 : 2; i > 0; i--) setPath(body, r.pick([['organizationName'], ['domain'], ['adminEmail'], ...SETTINGS_PATHS]), mutation(r));
  return body;
}

describe('random bodies', () => {
  it('never answer 500 on create or change (seeded, reproducible)', async () => {
    const seed = Number(process.env.FUZZ_SEED ?? 20261121);
    const r = random(seed);
    const victim = await createTenant({ ...valid, domain: 'fuzz-victim.example.com' });
    const failures: string[] = [];
    let accepted = 0;
    const send = async (method: 'POST' | 'PATCH', url: string, body: unknown) => {
      const payload = JSON.stringify(body) ?? 'null';
      const response = await inject({ method, url, headers: { ...auth, 'content-type': 'application/json' }, payload });
      if (response.statusCode >= 500) failures.push(`${method} ${payload.slice(0, 300)} → ${response.statusCode} ${response.body}`);
      else if (response.statusCode >= 400) expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      else accepted++;
    };
    for (let i = 0; i < 50; i++) {
      for (const body of [randomValue(r, 0), randomObject(r, 0), nearlyValidCreate(r, i)]) await send('POST', '/api/v1/tenants', body);
      for (const body of [randomValue(r, 0), randomObject(r, 0), nearlyValidPatch(r)]) await send('PATCH', `/api/v1/tenants/${victim.id}`, body);
    }
    expect(failures, `seed ${seed}`).toEqual([]);
    // The generator must reach the service, not only the schema.
    expect(accepted).toBeGreaterThan(10);
  });
});

describe('with a small body limit', () => {
  let small: TestPlatform;
  let smallAuth: SignedInHeaders;
  let smallOwner: pg.Client;
  beforeAll(async () => {
    small = await startTestPlatform({ env: { BODY_LIMIT: '2048' } });
    smallAuth = await small.signIn();
    smallOwner = new pg.Client({ connectionString: small.database.ownerUrl });
    await smallOwner.connect();
  });
  afterAll(async () => {
    await smallOwner?.end();
    await small?.close();
  });

  it('refuses a body over BODY_LIMIT with 413 PLAT_PAYLOAD_TOO_LARGE and stores nothing', async () => {
    const counts = async () => (await smallOwner.query('select (select count(*) from tenancy.tenants)::int as t, (select count(*) from kernel.audit_entries)::int as a, (select count(*) from kernel.outbox)::int as o')).rows[0];
    const before = await counts();
    const payload = JSON.stringify({ ...valid, settings: { integrations: { configurations: { blob: 'x'.repeat(4096) } } } });
    expect(Buffer.byteLength(payload)).toBeGreaterThan(2048);
    const response = await small.platform.app.inject({ method: 'POST', url: '/api/v1/tenants', headers: { ...smallAuth, 'content-type': 'application/json' }, payload });
    expectProblem(response, 413, 'PLAT_PAYLOAD_TOO_LARGE');
    // Just under the limit is accepted.
    const fits = await small.platform.app.inject({ method: 'POST', url: '/api/v1/tenants', headers: smallAuth, payload: { ...valid, settings: { integrations: { configurations: { blob: 'x'.repeat(1500) } } } } });
    expect(fits.statusCode, fits.body).toBe(201);
    const after = await counts();
    expect(after).toEqual({ t: before.t + 1, a: before.a + 1, o: before.o + 1 });
  });
});
