// The application role's password is generated per installation, never derived from the owner URL:
// derived, it was a public constant for every installation whose owner URL has no password (peer or
// trust authentication), so anyone who could reach the server could log in as the application role.
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { migrateDatabase } from '../../platform.js';
import { createTestDatabase, testAppPassword } from '../../../test/support/database.js';
import { locateDatabase } from './location.js';
import { APP_ROLE, appRolePasswordMatches, appRolePasswordOf, installationAppPassword } from './roles.js';

const scratch = mkdtempSync(join(tmpdir(), 'platforma-roles-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** What earlier versions computed for an owner URL: the same for everyone with that URL. */
function formerlyDerived(ownerUrl: string): string {
  const url = new URL(ownerUrl);
  return createHmac('sha256', `${url.username}:${decodeURIComponent(url.password)}@${url.hostname}:${url.port || '5432'}`).update('platforma application role').digest('base64url');
}

describe('the application role’s password', () => {
  it('differs between two installations with the same password-less owner URL, and is no constant anyone can compute', async () => {
    const ownerUrl = 'postgres://postgres@db.example.com:5432/platforma';
    const first = await locateDatabase(loadConfig({ DATABASE_URL: ownerUrl, PLATFORMA_HOME: join(scratch, 'one') }));
    const second = await locateDatabase(loadConfig({ DATABASE_URL: ownerUrl, PLATFORMA_HOME: join(scratch, 'two') }));
    const passwords = [first, second].map((location) => appRolePasswordOf(location.appUrl));
    expect(new URL(first.appUrl).username).toBe(APP_ROLE);
    expect(passwords[0]).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(passwords[1]).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(passwords[0]).not.toBe(passwords[1]);
    for (const password of passwords) expect(password).not.toBe(formerlyDerived(ownerUrl));
  });

  it('is kept in PLATFORMA_HOME/secrets/app-role.password, readable by its owner only, and the same on every start', () => {
    const home = join(scratch, 'kept');
    const password = installationAppPassword(home);
    expect(statSync(join(home, 'secrets')).mode & 0o777).toBe(0o700);
    expect(statSync(join(home, 'secrets', 'app-role.password')).mode & 0o777).toBe(0o600);
    expect(installationAppPassword(home)).toBe(password);
  });

  it('is DATABASE_APP_URL’s when one is given (several servers share it), and migrate applies only a password for the application role', async () => {
    const appUrl = `postgres://${APP_ROLE}:s%40me-shared-secret@db.example.com:5432/platforma`;
    const location = await locateDatabase(loadConfig({ DATABASE_URL: 'postgres://postgres@db.example.com:5432/platforma', DATABASE_APP_URL: appUrl, PLATFORMA_HOME: join(scratch, 'given') }));
    expect(location.appUrl).toBe(appUrl);
    expect(appRolePasswordOf(appUrl)).toBe('s@me-shared-secret');
    expect(appRolePasswordOf('postgres://someone_else:pw@db.example.com:5432/platforma')).toBeUndefined();
  });
});

describe('two hosts on one external database', () => {
  /** Whether `password` is the role's, read from the role's verifier (the test server trusts every login, so connecting proves nothing). */
  async function roleHas(ownerUrl: string, password: string): Promise<boolean | undefined> {
    const client = new pg.Client({ connectionString: ownerUrl });
    await client.connect();
    try {
      return await appRolePasswordMatches(client, password, 'postgres://unused@127.0.0.1:1/none');
    } finally {
      await client.end();
    }
  }

  afterAll(async () => {
    // Every test run on this server gives the role this password; put it back whatever happened.
    const database = await createTestDatabase();
    await migrateDatabase(database.ownerUrl, database.appUrl);
    await database.drop();
  });

  it('a second host’s migrate (its own PLATFORMA_HOME, no DATABASE_APP_URL) leaves the first’s password alone and fails naming DATABASE_APP_URL', async () => {
    const database = await createTestDatabase();
    try {
      // The first host: the installation's shared password (DATABASE_APP_URL), role in use.
      const first = await locateDatabase(loadConfig({ DATABASE_URL: database.ownerUrl, DATABASE_APP_URL: database.appUrl, PLATFORMA_HOME: join(scratch, 'host-a') }));
      expect(first.appPassword).toBe('authoritative');
      await migrateDatabase(first.ownerUrl, first.appUrl, first.appPassword);
      const serving = new pg.Pool({ connectionString: first.appUrl, max: 1 });
      try {
        expect((await serving.query('select current_user as who')).rows[0].who).toBe(APP_ROLE);
        // The second host generates a password of its own under its PLATFORMA_HOME.
        const second = await locateDatabase(loadConfig({ DATABASE_URL: database.ownerUrl, PLATFORMA_HOME: join(scratch, 'host-b') }));
        expect(second.appPassword).toBe('local');
        const error = await migrateDatabase(second.ownerUrl, second.appUrl, second.appPassword).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(Error);
        expect((error as Error).message).toMatch(/DATABASE_APP_URL/);
        expect((error as Error).message).toMatch(/left unchanged/);
        // The role still has the first host's password, not the second's.
        expect(await roleHas(database.ownerUrl, testAppPassword())).toBe(true);
        expect(await roleHas(database.ownerUrl, appRolePasswordOf(second.appUrl)!)).toBe(false);
        // And the first host keeps connecting.
        const again = new pg.Client({ connectionString: first.appUrl });
        await again.connect();
        await again.end();
        expect((await serving.query('select 1 as ok')).rows[0].ok).toBe(1);
      } finally {
        await serving.end();
      }
    } finally {
      await database.drop();
    }
  });
});
