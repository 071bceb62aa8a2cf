// One change feed per process: the row caches and the credential cache hear other processes'
// changes on one dedicated LISTEN connection, and a revocation made elsewhere still empties the
// credential cache at once.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { PRINCIPALS_CHANGED } from '../../src/modules/identity/credentials/credential-cache.js';

let t: TestPlatform;
let owner: pg.Client;

async function until(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Connections of this database that are neither the pool's nor ours and that last ran a LISTEN: the dedicated listeners. */
async function listeners(): Promise<string[]> {
  const { rows } = await owner.query<{ application_name: string }>(
    `select application_name from pg_stat_activity
      where datname = current_database() and pid <> pg_backend_pid() and application_name <> 'platforma' and query ilike 'listen %'`,
  );
  return rows.map((row) => row.application_name);
}

beforeAll(async () => {
  t = await startTestPlatform();
  owner = new pg.Client({ connectionString: t.database.ownerUrl });
  await owner.connect();
  await until(() => t.platform.identity.credentials.active);
});
afterAll(async () => {
  await owner?.end();
  await t?.close();
});

describe('the change feed', () => {
  it('is the one LISTEN connection of a started process, shared by the row caches and the credential cache', async () => {
    expect(await listeners()).toEqual(['platforma-change-feed']);
    expect(t.platform.identity.credentials.active).toBe(t.platform.kernel.changes.active);
  });

  it("drops cached credentials when another process announces a principal change on identity's channel", async () => {
    const staff = await t.signIn();
    expect((await t.platform.app.inject({ method: 'GET', url: '/api/v1/tenants', headers: staff })).statusCode).toBe(200);
    const cached = t.platform.identity.credentials;
    expect(cached.size).toBeGreaterThan(0); // the session, resolved once, is kept
    await owner.query(`notify ${PRINCIPALS_CHANGED}`);
    await until(() => cached.size === 0);
  });
});
