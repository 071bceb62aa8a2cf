// Throttling and lockout that hold under concurrency: attempts are counted in PostgreSQL before the
// password is checked, so a burst of parallel guesses never gets more checks than the threshold.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestPlatform, problemOf, type TestPlatform } from '../support/platform.js';
import { auditEntries } from '../support/audit.js';
import { systemContext } from '../../src/kernel/context.js';

let t: TestPlatform;
const PASSWORD = 'a long enough passphrase';
// Long enough that a slow machine never sees a lock run out mid-test: its end is reached by moving Date.
const LOCK_SECONDS = 60;

function signIn(email: string, password: string, remoteAddress = '10.1.1.1') {
  return t.platform.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', payload: { email, password }, remoteAddress });
}

beforeAll(async () => {
  t = await startTestPlatform({ env: { SIGN_IN_LOCK_SECONDS: String(LOCK_SECONDS), SIGN_IN_MAX_FAILURES: '5', SIGN_IN_MAX_FAILURES_PER_IP: '8' } });
});
afterAll(() => t.close());

describe('account lockout', () => {
  it('lets at most 5 of 50 parallel wrong passwords be checked, then refuses even the right one until the lock expires', async () => {
    const user = await t.platform.identity.service.createUser({ email: 'victim@example.com', password: PASSWORD }, systemContext('test'));
    // From 50 different addresses, so only the per-account limit is in play.
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => signIn('victim@example.com', `wrong guess number ${i}`, `10.2.${Math.floor(i / 200)}.${i + 1}`)));
    const statuses = answers.map((a) => a.statusCode);
    const checked = statuses.filter((s) => s === 401).length;
    expect(checked).toBeLessThanOrEqual(5);
    expect(statuses.filter((s) => s === 423).length).toBe(50 - checked);
    expect(statuses.every((s) => s === 401 || s === 423)).toBe(true);
    const locked = answers.find((a) => a.statusCode === 423)!;
    expect(problemOf(locked).code).toBe('PLAT_ACCOUNT_LOCKED');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(locked.headers['retry-after'])).toBeLessThanOrEqual(LOCK_SECONDS);
    // Every password check that failed is audited: their number is the number of checks made.
    expect(await auditEntries(t, { action: 'identity.sign_in.failed', targetId: user.id })).toHaveLength(checked);
    expect(await auditEntries(t, { action: 'identity.account.locked', targetId: user.id })).toHaveLength(1);

    const rightButLocked = await signIn('victim@example.com', PASSWORD);
    expect(rightButLocked.statusCode).toBe(423);
    expect(await auditEntries(t, { action: 'identity.sign_in.succeeded' })).toHaveLength(0);

    // The lock's expiry is kept by rate-limiter-flexible, which reads Date.now() (not the platform's
    // clock): move that time past the lock instead of waiting it out.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + (LOCK_SECONDS + 0.5) * 1000 });
    try {
      expect((await signIn('victim@example.com', PASSWORD)).statusCode).toBe(200);
    } finally {
      vi.useRealTimers();
    }
  });

  it('starts the count afresh after a successful sign-in', async () => {
    await t.platform.identity.service.createUser({ email: 'forgetful@example.com', password: PASSWORD }, systemContext('test'));
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 4; i++) expect((await signIn('forgetful@example.com', 'not it at all', `10.3.${round}.${i}`)).statusCode).toBe(401);
      expect((await signIn('forgetful@example.com', PASSWORD, `10.3.${round}.9`)).statusCode).toBe(200);
    }
  });
});

describe('per-address limit', () => {
  it('refuses an address that keeps failing across many accounts with 429, while other addresses go on', async () => {
    const answers = [];
    for (let i = 0; i < 9; i++) answers.push((await signIn(`nobody${i}@example.com`, 'guess', '10.9.9.9')).statusCode);
    expect(answers.slice(0, 8)).toEqual(Array(8).fill(401));
    const refused = await signIn('nobody-else@example.com', 'guess', '10.9.9.9');
    expect(refused.statusCode).toBe(429);
    expect(problemOf(refused).code).toBe('PLAT_RATE_LIMITED');
    expect(refused.headers['retry-after']).toBeDefined();
    expect((await signIn('nobody-else@example.com', 'guess', '10.9.9.10')).statusCode).toBe(401);
  });
});
