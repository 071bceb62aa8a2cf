// The two database roles. The owner (DATABASE_URL) runs migrations and owns every table; the
// server runs as the application role, which owns nothing and has no BYPASSRLS, so row-level
// security always applies to it.
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { readOrCreateSecret } from '../secret-files.js';

export const APP_ROLE = 'platforma_app';

/**
 * The application role's password when DATABASE_APP_URL is not given: 32 random bytes generated
 * once and kept in `home`/secrets/app-role.password (0600), like the encryption key. It used to be
 * derived from the owner URL, which made it a public constant whenever that URL had no password
 * (peer or trust authentication, the embedded server's socket): anyone who could reach the server
 * could log in as the application role. Installations with several servers on different machines
 * set DATABASE_APP_URL instead, so they agree on one password (docs/adr/0012).
 */
export function installationAppPassword(home: string): string {
  return readOrCreateSecret(home, 'app-role.password', () => randomBytes(32).toString('base64url'));
}

export function appUrlFrom(ownerUrl: string, password: string): string {
  const url = new URL(ownerUrl);
  url.username = APP_ROLE;
  url.password = password;
  return url.toString();
}

/** The password to give the application role, when `appUrl` logs in as it (else: leave the role's password alone). */
export function appRolePasswordOf(appUrl: string): string | undefined {
  const url = new URL(appUrl);
  return decodeURIComponent(url.username) === APP_ROLE && url.password ? decodeURIComponent(url.password) : undefined;
}

/**
 * Creates the application role, or brings an existing one to `password` (so `migrate` re-keys it
 * when the installation's password changes, e.g. from the derived one of earlier versions).
 * Idempotent; tolerates a concurrent creator.
 */
export async function ensureAppRole(client: pg.ClientBase, password: string | undefined): Promise<void> {
  const passwordClause = password === undefined ? '' : ` password '${password.replace(/'/g, "''")}'`;
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const { rows } = await client.query('select 1 from pg_roles where rolname = $1', [APP_ROLE]);
      if (rows.length === 0) {
        await client.query(`create role ${APP_ROLE} login nobypassrls${passwordClause}`);
      } else {
        await client.query(`alter role ${APP_ROLE} login nobypassrls nosuperuser${passwordClause}`);
      }
      return;
    } catch (error) {
      // Roles are cluster-wide: two databases migrating at once can race on creating it.
      const code = (error as { code?: string }).code;
      if (code !== '42710' && code !== '23505' && code !== 'XX000') throw error;
    }
  }
}
