// The embedded default, the way a user starts it: `node bin/platforma.js start` with no
// DATABASE_URL, a fresh PLATFORMA_HOME and real processes talking HTTP. The first start initialises
// the embedded PostgreSQL; CLI commands in other processes find and use it; SIGTERM stops the server
// and the database with it; data survives a restart; `migrate` alone starts and stops the database.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { removeEmbeddedHome } from '../support/cli.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddedServerPid, freePort } from '../../src/kernel/db/embedded.js';
import { totpCode } from '../support/totp.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin', 'platforma.js');
const EMAIL = 'a@example.com';
const PASSWORD = 'correct horse battery staple';
const STEP_TIMEOUT = 120_000;

let home: string;
let port: number;
let baseUrl: string;
const children = new Set<ChildProcess>();

interface Server {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}


/** The user's environment without any database settings: the embedded default. */
function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['DATABASE_URL', 'DATABASE_APP_URL', 'TEST_DATABASE_URL', 'PLATFORMA_CONFIG', 'PUBLIC_URL', 'NODE_OPTIONS', 'VITEST', 'VITEST_POOL_ID', 'VITEST_WORKER_ID']) delete clean[name];
  return { ...clean, PLATFORMA_HOME: home, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', ...extra };
}

function startServer(): Server {
  const child = spawn(process.execPath, [BIN, 'start'], { cwd: ROOT, env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => {
      children.delete(child);
      done({ code, signal });
    }),
  );
  return { child, output: () => output, exited };
}

/** Polls /readyz until 200; fails at once if the server exits, or after the deadline. */
async function waitReady(server: Server, timeoutMs = 90_000): Promise<void> {
  let exited = false;
  void server.exited.then(() => (exited = true));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`the server exited before it was ready:\n${server.output()}`);
    try {
      const response = await fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(2000) });
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`/readyz was not 200 within ${timeoutMs} ms:\n${server.output()}`);
}

async function stopServer(server: Server): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  server.child.kill('SIGTERM');
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no exit within 60 s of SIGTERM:\n${server.output()}`)), 60_000));
  return Promise.race([server.exited, timeout]);
}

function cli(args: string[], extra: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, env: env(extra), encoding: 'utf8', timeout: STEP_TIMEOUT });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, output: `${result.stdout}${result.stderr}` };
}


let totpSecret: string | undefined;

/**
 * Signs the administrator in, MFA included (mandatory for staff): the first time by enrolling an
 * authenticator, later with a code from it, which also proves the seed, sealed with the key kept
 * under PLATFORMA_HOME, still opens after a restart.
 */
async function signIn(): Promise<{ cookie: string; 'x-csrf-token': string }> {
  const response = await fetch(`${baseUrl}/api/v1/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
  });
  expect(response.status).toBe(200);
  const session = response.headers.getSetCookie().find((c) => c.startsWith('platforma_session='));
  expect(session).toBeDefined();
  const { csrfToken, restriction } = (await response.json()) as { csrfToken: string; restriction: string | null };
  const auth = { cookie: session!.split(';')[0]!, 'x-csrf-token': csrfToken };
  const post = async (path: string, body: unknown) => {
    const answer = await fetch(`${baseUrl}${path}`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(answer.status, await answer.clone().text()).toBeLessThan(300);
    return answer;
  };
  if (restriction === 'mfa_enroll') {
    totpSecret = ((await (await post('/api/v1/me/mfa/totp', {})).json()) as { secret: string }).secret;
    await post('/api/v1/me/mfa/totp/confirm', { code: await totpCode(totpSecret) });
  } else {
    expect(restriction).toBe('mfa_verify');
    await post('/api/v1/auth/mfa/verify', { code: await totpCode(totpSecret!) });
  }
  return auth;
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'platforma-embedded-test-'));
  port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  // Nothing may outlive the test, whatever failed: servers first, then the database they left.
  for (const child of children) child.kill('SIGKILL');
  await removeEmbeddedHome(home);
}, 60_000);

describe('the embedded default, as a user starts it', () => {
  let tenantId: string;

  it('first start: initialises the embedded PostgreSQL, is ready, and says how to create an administrator without printing a password', async () => {
    const server = startServer();
    await waitReady(server);
    const output = server.output();
    expect(output).toContain('No administrator exists yet');
    // The exact command for this server's data directory and URL: a bare one would make a second database.
    expect(output).toContain(`PLATFORMA_HOME=${home} PUBLIC_URL=http://localhost:${port} npx platforma admin create --email`);
    expect(output).not.toMatch(/password\s*[:=]\s*\S/i);
    const postgresPassword = readFileSync(join(home, 'secrets', 'postgres-password'), 'utf8').trim();
    expect(postgresPassword.length).toBeGreaterThan(10);
    expect(output).not.toContain(postgresPassword);
    // The application role's password is generated for this installation and kept like the others.
    const appPasswordFile = join(home, 'secrets', 'app-role.password');
    expect(statSync(appPasswordFile).mode & 0o777).toBe(0o600);
    const appPassword = readFileSync(appPasswordFile, 'utf8').trim();
    expect(appPassword).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(output).not.toContain(appPassword);
    const pid = embeddedServerPid(home);
    expect(pid).toBeDefined();

    // A second process finds the running embedded database, uses it, and leaves it running.
    const created = cli(['admin', 'create', '--email', EMAIL], { PLATFORMA_ADMIN_PASSWORD: PASSWORD });
    expect(created.status, created.output).toBe(0);
    expect(created.stdout).toContain(`Created platform administrator ${EMAIL}`);
    expect(created.stderr).toContain(`Using the embedded PostgreSQL in ${home}.`);
    expect(created.stderr).not.toContain('was empty until now');
    expect(created.output).not.toContain(PASSWORD);
    expect(embeddedServerPid(home)).toBe(pid);

    const doctor = cli(['doctor']);
    expect(doctor.status, doctor.output).toBe(0);
    expect(doctor.stdout).toMatch(/ok {3}database: PostgreSQL \S+ \(embedded\)/);
    expect(doctor.stdout).toContain('none pending');
    expect(embeddedServerPid(home)).toBe(pid);

    const auth = await signIn();
    const response = await fetch(`${baseUrl}/api/v1/tenants`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ organizationName: 'Acme Corp', domain: 'acme.example.com', adminEmail: 'ops@acme.example.com' }),
    });
    expect(response.status).toBe(201);
    tenantId = ((await response.json()) as { id: string }).id;
    expect(tenantId).toMatch(/^ten_/);

    const exit = await stopServer(server);
    expect(exit, server.output()).toEqual({ code: 0, signal: null });
    expect(embeddedServerPid(home)).toBeUndefined();
  }, STEP_TIMEOUT * 2);

  it('restart: the data is still there, and the start-up no longer asks for an administrator', async () => {
    expect(tenantId).toBeDefined();
    const server = startServer();
    await waitReady(server);
    expect(server.output()).not.toContain('No administrator exists yet');
    const auth = await signIn();
    const response = await fetch(`${baseUrl}/api/v1/tenants/${tenantId}`, { headers: { cookie: auth.cookie } });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ id: tenantId, organizationName: 'Acme Corp', domain: 'acme.example.com' });
    const exit = await stopServer(server);
    expect(exit, server.output()).toEqual({ code: 0, signal: null });
    expect(embeddedServerPid(home)).toBeUndefined();
  }, STEP_TIMEOUT * 2);

  it('migrate with no server running starts the database itself, reports up to date, and stops it again', () => {
    expect(embeddedServerPid(home)).toBeUndefined();
    const starts = () => readFileSync(join(home, 'postgres.log'), 'utf8').split('database system is ready to accept connections').length - 1;
    const startsBefore = starts();
    const migrate = cli(['migrate']);
    expect(migrate.status, migrate.output).toBe(0);
    expect(migrate.stdout).toContain('The database is up to date.');
    expect(starts()).toBe(startsBefore + 1);
    expect(embeddedServerPid(home)).toBeUndefined();
  }, STEP_TIMEOUT);

  it('admin create in a data directory without a database says it made a new installation, and where', () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'platforma-embedded-elsewhere-'));
    try {
      const created = cli(['admin', 'create', '--email', EMAIL], { PLATFORMA_HOME: elsewhere, PLATFORMA_ADMIN_PASSWORD: PASSWORD });
      expect(created.status, created.output).toBe(0);
      expect(created.stderr).toContain(`Using the embedded PostgreSQL in ${elsewhere}.`);
      expect(created.stderr).toContain('was empty until now: it is a new installation');
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  }, STEP_TIMEOUT);
});
