// A real platform on a fresh database, driven through app.inject(): no network, no mocks.
import type { LightMyRequestResponse } from 'fastify';
import { multistream, type DestinationStream, type StreamEntry } from 'pino';
import { expect } from 'vitest';
import { loadPlatformConfig as loadConfig } from '../../src/registry.js';
import { createLogger } from '../../src/kernel/logging.js';
import type { Clock } from '../../src/kernel/clock.js';
import { createPlatform, type Platform } from '../../src/platform.js';
import { systemContext } from '../../src/kernel/context.js';
import { consoleOperatorContext } from '../../src/modules/identity/access/builtin-roles.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { totpCode } from './totp.js';
import { expectStatus } from './api.js';

export { totpCode } from './totp.js';
import { registerSecret, suiteLogDestination } from './suite-log.js';

export const ADMIN_EMAIL = 'admin@example.com';
export const ADMIN_PASSWORD = 'correct horse battery staple';

export interface TestPlatform {
  platform: Platform;
  database: TestDatabase;
  /**
   * Creates the first administrator (once) and signs in, completing MFA for real: a person who
   * must enrol (staff) is enrolled with a fresh authenticator, and later sign-ins enter a code
   * computed from that secret at the platform's time. With a clock the test can move (ManualClock)
   * a third sign-in of one person within a TOTP period moves it to the next period instead of
   * waiting for it. Returns headers for authenticated writes.
   */
  signIn(email?: string, password?: string): Promise<SignedInHeaders>;
  /** The TOTP secret signIn enrolled for this person (undefined if it never did). */
  totpSecret(email: string): string | undefined;
  close(): Promise<void>;
}

export interface SignedInHeaders extends Record<string, string> {
  cookie: string;
  'x-csrf-token': string;
}

export interface TestPlatformOptions {
  clock?: Clock;
  start?: boolean;
  env?: Record<string, string>;
  /** Where the platform's pino logger writes (set LOG_LEVEL in `env` too: the default is silent). */
  logDestination?: DestinationStream;
}

export async function startTestPlatform(options: TestPlatformOptions = {}): Promise<TestPlatform> {
  const database = await createTestDatabase();
  const config = loadConfig({ DATABASE_URL: database.ownerUrl, LOG_LEVEL: 'silent', PORT: '0', HOST: '127.0.0.1', ...options.env });
  // Everything is logged at trace into the run's log files (scanned for secrets after the suite);
  // the test's own destination, if any, gets what its LOG_LEVEL asks for.
  const streams: StreamEntry[] = [{ level: 'trace', stream: suiteLogDestination() }];
  if (options.logDestination && config.logLevel !== 'silent') streams.push({ level: config.logLevel, stream: options.logDestination });
  const platform = await createPlatform({
    config,
    database: { ownerUrl: database.ownerUrl, appUrl: database.appUrl, embedded: false, release: async () => {} },
    clock: options.clock,
    logger: createLogger('trace', multistream(streams)),
  });
  // Every platform leaves at least this line, so the log scan can tell "nothing logged" from "not captured".
  platform.kernel.logger.trace({ testFile: expect.getState().testPath ?? null }, 'test platform started');
  if (options.start) await platform.start();
  let adminCreated = false;
  const secrets = new Map<string, string>();
  return {
    platform,
    database,
    totpSecret: (email) => secrets.get(email.toLowerCase()),
    async signIn(email = ADMIN_EMAIL, password = ADMIN_PASSWORD) {
      if (email === ADMIN_EMAIL && !adminCreated) {
        await platform.identity.service.createPlatformAdmin({ email, password }, systemContext('test'));
        adminCreated = true;
      }
      registerSecret('password', password);
      const response = await platform.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', payload: { email, password } });
      if (response.statusCode !== 200) throw new Error(`sign-in failed: ${response.statusCode} ${response.body}`);
      const cookie = response.cookies.find((c) => c.name === 'platforma_session');
      if (!cookie) throw new Error('no session cookie');
      const body = expectStatus(response, { method: 'post', path: '/api/v1/auth/sign-in' }, 200);
      const headers: SignedInHeaders = { cookie: `platforma_session=${cookie.value}`, 'x-csrf-token': body.csrfToken };
      registerSecret('session token', cookie.value);
      registerSecret('csrf token', body.csrfToken);
      const post = async (url: string, payload: unknown) => {
        const answer = await platform.app.inject({ method: 'POST', url, headers, payload: payload as Record<string, unknown> });
        if (answer.statusCode >= 300) throw new Error(`${url} failed: ${answer.statusCode} ${answer.body}`);
        return answer;
      };
      if (body.restriction === 'mfa_enroll') {
        const { secret } = expectStatus(await post('/api/v1/me/mfa/totp', {}), { method: 'post', path: '/api/v1/me/mfa/totp' }, 200);
        secrets.set(email.toLowerCase(), secret);
        registerSecret('TOTP seed', secret);
        await post('/api/v1/me/mfa/totp/confirm', { code: await totpCode(secret, platform.kernel.clock) });
      } else if (body.restriction === 'mfa_verify') {
        const secret = secrets.get(email.toLowerCase());
        if (!secret) throw new Error(`${email} has MFA on with an authenticator this test platform did not enrol`);
        await post('/api/v1/auth/mfa/verify', { code: await totpCode(secret, platform.kernel.clock) });
      }
      return headers;
    },
    async close() {
      await platform.close();
      await database.drop();
    },
  };
}

/** Asserts nothing about status; returns the parsed problem document of an error response. */
export function problemOf(response: LightMyRequestResponse): { code: string; status: number; detail: string; requestId: string; errors?: { pointer: string; message: string }[]; [k: string]: unknown } {
  if (!String(response.headers['content-type']).startsWith('application/problem+json')) {
    throw new Error(`expected problem+json, got ${response.headers['content-type']}: ${response.body}`);
  }
  return response.json();
}


/**
 * Makes an existing account a member at once, as the console's `platforma member add` does: test
 * fixtures only need the membership. Over the API a person joins by accepting an invitation.
 */
export async function addMember(platform: Platform, tenantId: string, email: string, role: string): Promise<void> {
  await platform.identity.access.attachMember(tenantId, { email, role }, consoleOperatorContext('test'));
}
