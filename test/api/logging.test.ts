// Logs never carry credentials: not the password sent to sign in, not the session cookie, not the
// CSRF token — whether the request succeeds, is refused, or fails on the server (where the error
// and the request are logged); and the logger itself redacts credential fields.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, ADMIN_PASSWORD, ADMIN_EMAIL, type TestPlatform, type SignedInHeaders } from '../support/platform.js';
import { APP_ROLE } from '../../src/kernel/db/roles.js';
import { createLogger } from '../../src/kernel/logging.js';

const lines: string[] = [];
const destination = { write: (line: string) => void lines.push(line) };

let t: TestPlatform;
let auth: SignedInHeaders;
let owner: pg.Client;
let sessionToken: string;
let csrfToken: string;

interface LogLine {
  level: number;
  msg?: string;
  [key: string]: unknown;
}
const parsed = () => lines.map((line) => JSON.parse(line) as LogLine);

beforeAll(async () => {
  t = await startTestPlatform({ env: { LOG_LEVEL: 'trace' }, logDestination: destination });
  auth = await t.signIn();
  sessionToken = auth.cookie.replace(/^platforma_session=/, '');
  csrfToken = auth['x-csrf-token'];
  expect(sessionToken.length).toBeGreaterThan(20);
  expect(csrfToken.length).toBeGreaterThan(20);
  owner = new pg.Client({ connectionString: t.database.ownerUrl });
  await owner.connect();
});
afterAll(async () => {
  await owner?.end();
  await t?.close();
});

/** Makes the application role fail on one table in this test's database only, for the duration of `work`. */
async function withBrokenTable<T>(table: string, work: () => Promise<T>): Promise<T> {
  await owner.query(`revoke select on ${table} from ${APP_ROLE}`);
  try {
    return await work();
  } finally {
    await owner.query(`grant select on ${table} to ${APP_ROLE}`);
  }
}

function expectNoSecrets() {
  const secrets = { password: ADMIN_PASSWORD, sessionToken, csrfToken };
  for (const line of lines) {
    for (const [name, secret] of Object.entries(secrets)) expect(line.includes(secret), `${name} in log line: ${line.slice(0, 500)}`).toBe(false);
  }
}

describe('logs', () => {
  it('carry no credentials through successful and refused requests', async () => {
    const app = t.platform.app;
    const created = await app.inject({ method: 'POST', url: '/api/v1/tenants', headers: auth, payload: { organizationName: 'Logged', domain: 'logged.example.com', adminEmail: 'ops@logged.example.com' } });
    expect(created.statusCode).toBe(201);
    const id = created.json().id as string;
    const refusals = [
      await app.inject({ method: 'POST', url: `/api/v1/tenants/${id}/reactivate`, headers: auth }), // 409
      await app.inject({ method: 'PATCH', url: `/api/v1/tenants/${id}`, headers: auth, payload: { organizationName: 123 } }), // 400
      await app.inject({ method: 'PATCH', url: `/api/v1/tenants/${id}`, headers: { cookie: auth.cookie, 'x-csrf-token': `${csrfToken}x` }, payload: { organizationName: 'X' } }), // 403
      await app.inject({ method: 'GET', url: `/api/v1/tenants/${id}`, headers: { cookie: `platforma_session=${sessionToken}x` } }), // 401
      await app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', payload: { email: ADMIN_EMAIL, password: `${ADMIN_PASSWORD}?` } }), // 401
      await app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', payload: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD, remember: true } }), // 400
      await app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', headers: { 'content-type': 'application/json' }, payload: `{"email":"${ADMIN_EMAIL}","password":"${ADMIN_PASSWORD}"` }), // 400
    ];
    expect(refusals.map((r) => r.statusCode)).toEqual([409, 400, 403, 401, 401, 400, 400]);
    expectNoSecrets();
    // None of these is a server error, so none is logged as one.
    expect(parsed().filter((l) => l.level >= 50)).toEqual([]);
  });

  it('carry no credentials when a request fails on the server and is logged with its error', async () => {
    const before = lines.length;
    const tenant = await withBrokenTable('tenancy.tenants', () => t.platform.app.inject({ method: 'GET', url: '/api/v1/tenants', headers: auth }));
    expect(tenant.statusCode).toBe(500);
    const write = await withBrokenTable('tenancy.tenants', () =>
      // (A session token sent as a bearer credential is refused with 401 before any handler runs;
      // the bearer case of a failing request comes with API keys.)
      t.platform.app.inject({ method: 'POST', url: '/api/v1/tenants', headers: auth, payload: { organizationName: 'Fails', domain: 'fails.example.com', adminEmail: 'ops@fails.example.com' } }),
    );
    expect(write.statusCode).toBe(500);
    const signIn = await withBrokenTable('identity.users', () => t.platform.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', headers: { cookie: auth.cookie }, payload: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } }));
    expect(signIn.statusCode).toBe(500);
    // The failures were logged (with the error and the request)…
    const errors = parsed().slice(before).filter((l) => l.level >= 50);
    expect(errors.length).toBeGreaterThanOrEqual(3);
    expect(JSON.stringify(errors)).toMatch(/permission denied/);
    // …with the request's method and URL; if headers are ever logged with it, credentials are redacted.
    for (const line of errors.filter((l) => l.req !== undefined)) {
      const req = line.req as { method?: string; url?: string; headers?: Record<string, unknown> };
      expect(req.method).toBeDefined();
      expect(req.url).toMatch(/^\/api\/v1\//);
      for (const name of ['cookie', 'authorization', 'x-csrf-token']) if (req.headers?.[name] !== undefined) expect(req.headers[name]).toBe('[redacted]');
    }
    expectNoSecrets();
    // The response itself says nothing about the cause.
    expect(tenant.body).not.toMatch(/permission denied/);
  });
});

describe('the logger', () => {
  it('redacts credentials wherever a request, a sign-in result or a configuration would carry them', () => {
    const captured: string[] = [];
    const logger = createLogger('trace', { write: (line: string) => void captured.push(line) });
    const secret = (name: string) => `SECRET-${name}-0123456789`;
    logger.info({ req: { method: 'POST', headers: { cookie: `platforma_session=${secret('cookie')}`, authorization: `Bearer ${secret('bearer')}`, 'x-csrf-token': secret('csrf-header') } } }, 'request');
    logger.info({ res: { headers: { 'set-cookie': `platforma_session=${secret('set-cookie')}; HttpOnly` } } }, 'response');
    logger.info({ body: { email: 'a@example.com', password: secret('body-password') } }, 'body');
    logger.info({ signedIn: { sessionToken: secret('session-token'), csrfToken: secret('csrf-token'), user: { id: 'usr_1' } } }, 'signed in');
    logger.info({ password: secret('top-password'), sessionToken: secret('top-session'), csrfToken: secret('top-csrf'), token: secret('top-token') }, 'top level');
    logger.info({ config: { databaseUrl: `postgres://owner:${secret('db')}@db/app`, port: 8080 } }, 'config');
    logger.info({ user: { passwordHash: secret('hash') } }, 'user');
    logger.info({ body: { currentPassword: secret('current'), newPassword: secret('new') } }, 'password change');
    logger.info({ enrolment: { secret: secret('totp'), otpauthUrl: `otpauth://totp/x?secret=${secret('url')}`, qrCode: `data:image/png;base64,${secret('qr')}` } }, 'mfa');
    logger.info({ body: { recoveryCode: secret('recovery') }, confirmed: { recoveryCodes: [secret('codes')] } }, 'recovery');
    expect(captured).toHaveLength(10);
    for (const line of captured) expect(line, line).not.toMatch(/SECRET-/);
    // What is not a credential stays readable.
    expect(captured.join('')).toContain('a@example.com');
    expect(captured.join('')).toContain('usr_1');
  });
});
