// Two hosts (two PLATFORMA_HOMEs) on one external database: a command run on the second host, which
// has no DATABASE_APP_URL and so a password generated in its own home, must not re-key the
// application role the first host's server is logged in with. It refuses, naming DATABASE_APP_URL.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateDatabase } from '../../src/platform.js';
import { APP_ROLE, appRolePasswordMatches } from '../../src/kernel/db/roles.js';
import { runCli } from '../support/cli.js';
import { createTestDatabase, testAppPassword, type TestDatabase } from '../support/database.js';

let database: TestDatabase;
const homes = mkdtempSync(join(tmpdir(), 'platforma-hosts-'));

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  // Every test run on this server gives the role this password; put it back whatever happened.
  await migrateDatabase(database.ownerUrl, database.appUrl);
  await database.drop();
  rmSync(homes, { recursive: true, force: true });
});

/** The same database through the server's Unix socket: another DATABASE_URL, as a second host would write its own. */
function socketUrl(): string {
  return `postgres://postgres@localhost/${database.name}?host=/var/run/postgresql`;
}

describe('the application role on an external database shared by two hosts', () => {
  it('a CLI command on a second host without DATABASE_APP_URL fails naming it, and the first host keeps connecting', async () => {
    // The first host: DATABASE_APP_URL given (runCli passes the test server's shared one).
    const first = await runCli(['migrate'], { DATABASE_URL: database.ownerUrl, PLATFORMA_HOME: join(homes, 'a') });
    expect(first.code, first.stderr).toBe(0);
    const serving = new pg.Client({ connectionString: database.appUrl });
    await serving.connect();
    try {
      const second = await runCli(['migrate'], { DATABASE_URL: socketUrl(), PLATFORMA_HOME: join(homes, 'b') });
      expect(second.code).toBe(1);
      expect(second.stderr).toMatch(/DATABASE_APP_URL/);
      expect(second.stderr).toMatch(new RegExp(`${APP_ROLE} already exists with another password`));
      // The role still has the first host's password (read from its verifier: this server trusts every login).
      const owner = new pg.Client({ connectionString: database.ownerUrl });
      await owner.connect();
      try {
        expect(await appRolePasswordMatches(owner, testAppPassword(), database.appUrl)).toBe(true);
      } finally {
        await owner.end();
      }
      expect((await serving.query('select current_user as who')).rows[0].who).toBe(APP_ROLE);
    } finally {
      await serving.end();
    }
  });
});
