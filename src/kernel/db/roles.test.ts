// The application role's password is generated per installation, never derived from the owner URL:
// derived, it was a public constant for every installation whose owner URL has no password (peer or
// trust authentication), so anyone who could reach the server could log in as the application role.
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { locateDatabase } from './location.js';
import { APP_ROLE, appRolePasswordOf, installationAppPassword } from './roles.js';

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
