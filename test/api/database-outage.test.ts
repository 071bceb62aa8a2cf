// A server on DATABASE_URL whose PostgreSQL connections are all cut (a restart of the database, a
// failover): the process lives on, requests caught by it are answered 503 problem+json with
// Retry-After (or succeed), and the next requests succeed on new connections, LISTEN included.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type SignedInHeaders, type TestPlatform } from '../support/platform.js';

let t: TestPlatform;
let staff: SignedInHeaders;
let admin: pg.Client;

beforeAll(async () => {
  t = await startTestPlatform({ start: true });
  staff = await t.signIn();
  admin = new pg.Client({ connectionString: t.database.ownerUrl });
  await admin.connect();
});
afterAll(async () => {
  await admin?.end();
  await t?.close();
});

const create = (n: number) =>
  t.platform.app.inject({ method: 'POST', url: '/api/v1/tenants', headers: staff, payload: { organizationName: `Outage ${n}`, domain: `outage-${n}.example.com`, adminEmail: `ops@outage-${n}.example.com` } });

describe('the database cutting every connection', () => {
  it('leaves the process serving: 503 PLAT_DATABASE_UNAVAILABLE with Retry-After for what it caught, success afterwards', async () => {
    const database = new URL(t.database.appUrl).pathname.slice(1);
    const load = Promise.all(Array.from({ length: 30 }, (_, n) => create(n)));
    await new Promise((r) => setTimeout(r, 20));
    const { rows } = await admin.query<{ n: number }>('select count(pg_terminate_backend(pid))::int as n from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [database]);
    expect(rows[0]!.n).toBeGreaterThan(0);
    for (const response of await load) {
      if (response.statusCode === 201) continue;
      expect(response.statusCode, response.body).toBe(503);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.json().code).toBe('PLAT_DATABASE_UNAVAILABLE');
      expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    }
    const after = await create(100);
    expect(after.statusCode, after.body).toBe(201);
    expect((await t.platform.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    // The change feed hears changes again on a new listener.
    const deadline = Date.now() + 10_000;
    while (!t.platform.kernel.changes.active && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(t.platform.kernel.changes.active).toBe(true);
  });
});
