// Where the database is: DATABASE_URL when given, otherwise the embedded server under
// PLATFORMA_HOME. Either way the result names the owner URL (migrations) and the application URL
// (everything else).
import type { Config } from '../config.js';
import { acquireEmbedded, type SupervisorLog } from './embedded.js';
import { appUrlFrom, installationAppPassword, type AppPasswordAuthority } from './roles.js';

export interface DatabaseLocation {
  ownerUrl: string;
  appUrl: string;
  /**
   * Whether `migrate` may set the application role's password to appUrl's on an existing role:
   * 'local' for a password generated under this PLATFORMA_HOME for an external database (set only
   * when creating the role; see roles.ts and docs/adr/0012). Absent (a location built by hand
   * around a given application URL): 'authoritative'.
   */
  appPassword?: AppPasswordAuthority;
  embedded: boolean;
  /** Lets go of the embedded server (stops it if no one else uses it); a no-op for DATABASE_URL. */
  release(): Promise<void>;
  /** Embedded only: restart the server if it dies while this process uses it (see embedded.ts). */
  supervise?(logger: SupervisorLog): void;
}

export async function locateDatabase(config: Config): Promise<DatabaseLocation> {
  if (config.databaseUrl) {
    return {
      ownerUrl: config.databaseUrl,
      appUrl: config.databaseAppUrl ?? appUrlFrom(config.databaseUrl, installationAppPassword(config.home)),
      appPassword: config.databaseAppUrl ? 'authoritative' : 'local',
      embedded: false,
      release: async () => {},
    };
  }
  const handle = await acquireEmbedded(config.home);
  // The embedded server belongs to this PLATFORMA_HOME alone: its password is the authority.
  return { ownerUrl: handle.url, appUrl: config.databaseAppUrl ?? appUrlFrom(handle.url, installationAppPassword(config.home)), appPassword: 'authoritative', embedded: true, release: handle.release, supervise: handle.supervise };
}
