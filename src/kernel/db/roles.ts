// The two database roles. The owner (DATABASE_URL) runs migrations and owns every table; the
// server runs as the application role, which owns nothing and has no BYPASSRLS, so row-level
// security always applies to it.
import { createHmac } from 'node:crypto';
import type pg from 'pg';

export const APP_ROLE = 'platforma_app';

/**
 * The application role's password when DATABASE_APP_URL is not given: derived from the owner URL,
 * so every replica that can read the owner URL computes the same one and nothing new has to be
 * stored or distributed. Knowing the owner URL already grants more than the app role has.
 */
export function derivedAppPassword(ownerUrl: string): string {
  // Roles are cluster-wide: derive from the server and credentials only, not the database name,
  // so every database on one server agrees on the password.
  const url = new URL(ownerUrl);
  const server = `${url.username}:${decodeURIComponent(url.password)}@${url.hostname}:${url.port || '5432'}`;
  return createHmac('sha256', server).update('platforma application role').digest('base64url');
}

export function appUrlFrom(ownerUrl: string): string {
  const url = new URL(ownerUrl);
  url.username = APP_ROLE;
  url.password = derivedAppPassword(ownerUrl);
  return url.toString();
}

/** Creates (or re-keys) the application role. Idempotent; tolerates a concurrent creator. */
export async function ensureAppRole(client: pg.ClientBase, ownerUrl: string): Promise<void> {
  const password = derivedAppPassword(ownerUrl);
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const { rows } = await client.query('select 1 from pg_roles where rolname = $1', [APP_ROLE]);
      if (rows.length === 0) {
        await client.query(`create role ${APP_ROLE} login nobypassrls password '${password.replace(/'/g, "''")}'`);
      } else {
        await client.query(`alter role ${APP_ROLE} login nobypassrls nosuperuser password '${password.replace(/'/g, "''")}'`);
      }
      return;
    } catch (error) {
      // Roles are cluster-wide: two databases migrating at once can race on creating it.
      const code = (error as { code?: string }).code;
      if (code !== '42710' && code !== '23505' && code !== 'XX000') throw error;
    }
  }
}
