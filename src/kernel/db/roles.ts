// The two database roles. The owner (DATABASE_URL) runs migrations and owns every table; the
// server runs as the application role, which owns nothing and has no BYPASSRLS, so row-level
// security always applies to it.
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import pg from 'pg';
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
 * Whether the process may give the application role its password. 'authoritative': the password
 * is the installation's one value, so `migrate` sets it on every run (DATABASE_APP_URL was given,
 * the same on every host; or the embedded server, which this PLATFORMA_HOME alone uses). 'local':
 * the password was generated under this PLATFORMA_HOME for an external DATABASE_URL, which other
 * hosts may share, so it is given to the role only when creating it, never to an existing role.
 */
export type AppPasswordAuthority = 'authoritative' | 'local';

/** The application role exists with another password than this process's generated one. */
export class AppRolePasswordMismatchError extends Error {
  constructor() {
    super(
      `The database role ${APP_ROLE} already exists with another password than the one generated in $PLATFORMA_HOME/secrets/app-role.password ` +
        '(another server sharing this database, or an earlier version, set it). Its password was left unchanged, so servers using it keep working. ' +
        `Set DATABASE_APP_URL (postgres://${APP_ROLE}:<password>@<host>/<database>) to the same value on every host that uses this database; ` +
        'migrate then gives the role that password (docs/adr/0012).',
    );
    this.name = 'AppRolePasswordMismatchError';
  }
}

function scramMatches(verifier: string, password: string): boolean | undefined {
  const match = /^SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):(.+)$/.exec(verifier);
  if (!match) return undefined;
  const salted = pbkdf2Sync(password.normalize('NFKC'), Buffer.from(match[2]!, 'base64'), Number(match[1]), 32, 'sha256');
  const storedKey = createHash('sha256').update(createHmac('sha256', salted).update('Client Key').digest()).digest();
  const expected = Buffer.from(match[3]!, 'base64');
  return expected.length === storedKey.length && timingSafeEqual(expected, storedKey);
}

/**
 * Whether `password` logs in as the application role: checked against the role's stored verifier
 * when the owner may read it (a superuser; true even under trust authentication, where any
 * password connects), else by connecting as the role through `appUrl`. Undefined: the role has no
 * password at all (giving it one locks no one out).
 */
export async function appRolePasswordMatches(client: pg.ClientBase, password: string, appUrl: string): Promise<boolean | undefined> {
  try {
    const { rows } = await client.query<{ rolpassword: string | null }>('select rolpassword from pg_authid where rolname = $1', [APP_ROLE]);
    const stored = rows[0]?.rolpassword;
    if (stored === null) return undefined;
    if (stored !== undefined) {
      if (stored.startsWith('md5')) return stored === `md5${createHash('md5').update(password + APP_ROLE).digest('hex')}`;
      const scram = scramMatches(stored, password);
      if (scram !== undefined) return scram;
    }
  } catch (error) {
    if ((error as { code?: string }).code !== '42501') throw error; // not a superuser: try logging in instead
  }
  const probe = new pg.Client({ connectionString: appUrl });
  try {
    await probe.connect();
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === '28P01') return false;
    throw error;
  } finally {
    await probe.end().catch(() => {});
  }
}

/**
 * Creates the application role with `appUrl`'s password (when it logs in as the role), or brings an existing one to the role's settings.
 * An existing role gets that password only when it is `authoritative` (DATABASE_APP_URL, or the
 * embedded server's own): a password generated locally for an external database never re-keys a
 * role another host may be using; when it does not match, this throws AppRolePasswordMismatchError
 * naming DATABASE_APP_URL (docs/adr/0012). Idempotent; tolerates a concurrent creator.
 */
export async function ensureAppRole(client: pg.ClientBase, appUrl: string, authority: AppPasswordAuthority): Promise<void> {
  const password = appRolePasswordOf(appUrl);
  const clause = (value: string | undefined) => (value === undefined ? '' : ` password '${value.replace(/'/g, "''")}'`);
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const { rows } = await client.query('select 1 from pg_roles where rolname = $1', [APP_ROLE]);
      if (rows.length === 0) {
        await client.query(`create role ${APP_ROLE} login nobypassrls${clause(password)}`);
      } else if (authority === 'authoritative' || password === undefined) {
        await client.query(`alter role ${APP_ROLE} login nobypassrls nosuperuser${clause(password)}`);
      } else {
        await client.query(`alter role ${APP_ROLE} login nobypassrls nosuperuser`);
        const matches = await appRolePasswordMatches(client, password, appUrl);
        if (matches === false) throw new AppRolePasswordMismatchError();
        if (matches === undefined) await client.query(`alter role ${APP_ROLE}${clause(password)}`);
      }
      return;
    } catch (error) {
      // Roles are cluster-wide: two databases migrating at once can race on creating it.
      const code = (error as { code?: string }).code;
      if (code !== '42710' && code !== '23505' && code !== 'XX000') throw error;
    }
  }
}
