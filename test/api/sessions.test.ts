// A person's sessions: listed with the current one marked, revocable one by one (only their own),
// and ended by the idle timeout and the absolute timeout.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, problemOf, type TestPlatform } from '../support/platform.js';
import { auditEntries } from '../support/audit.js';
import { systemContext } from '../../src/kernel/context.js';
import { ManualClock } from '../../src/kernel/clock.js';

let t: TestPlatform;
const clock = new ManualClock(new Date());
const PASSWORD = 'a long enough passphrase';
const MINUTE = 60_000;

async function signIn(email: string, userAgent: string) {
  const response = await t.platform.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', payload: { email, password: PASSWORD }, headers: { 'user-agent': userAgent }, remoteAddress: '192.0.2.7' });
  expect(response.statusCode, response.body).toBe(200);
  const cookie = response.cookies.find((c) => c.name === 'platforma_session');
  return { cookie: `platforma_session=${cookie?.value}`, 'x-csrf-token': response.json().csrfToken as string };
}

const get = (url: string, headers: Record<string, string>) => t.platform.app.inject({ method: 'GET', url, headers });
const del = (url: string, headers: Record<string, string>) => t.platform.app.inject({ method: 'DELETE', url, headers });

beforeAll(async () => {
  t = await startTestPlatform({ clock, env: { SESSION_IDLE_SECONDS: '1800', SESSION_TTL_SECONDS: '7200' } });
  for (const email of ['lee@example.com', 'kim@example.com']) await t.platform.identity.service.createUser({ email, password: PASSWORD }, systemContext('test'));
});
afterAll(() => t.close());

describe('listing and revoking', () => {
  it('lists my live sessions with the current one marked, and lets me end another of mine but not someone else’s', async () => {
    const laptop = await signIn('lee@example.com', 'Laptop Firefox');
    const phone = await signIn('lee@example.com', 'Phone Safari');
    const other = await signIn('kim@example.com', 'Kim Chrome');

    const listed = await get('/api/v1/me/sessions', laptop);
    expect(listed.statusCode).toBe(200);
    const sessions = listed.json().data as { id: string; current: boolean; userAgent: string; sourceIp: string; createdAt: string; lastSeenAt: string }[];
    expect(sessions.map((s) => [s.userAgent, s.current]).sort()).toEqual([
      ['Laptop Firefox', true],
      ['Phone Safari', false],
    ]);
    expect(sessions.every((s) => s.sourceIp === '192.0.2.7' && !Number.isNaN(Date.parse(s.createdAt)) && !Number.isNaN(Date.parse(s.lastSeenAt)))).toBe(true);
    const phoneSession = sessions.find((s) => s.userAgent === 'Phone Safari')!;
    const kimSession = (await get('/api/v1/me/sessions', other)).json().data[0] as { id: string };

    const notMine = await del(`/api/v1/me/sessions/${kimSession.id}`, laptop);
    expect(notMine.statusCode).toBe(404);
    expect(problemOf(notMine).code).toBe('PLAT_NOT_FOUND');
    expect((await get('/api/v1/me', other)).statusCode).toBe(200);

    expect((await del(`/api/v1/me/sessions/${phoneSession.id}`, laptop)).statusCode).toBe(204);
    expect((await get('/api/v1/me', phone)).statusCode).toBe(401);
    expect((await get('/api/v1/me', laptop)).statusCode).toBe(200);
    expect((await get('/api/v1/me/sessions', laptop)).json().data).toHaveLength(1);
    expect(await auditEntries(t, { action: 'identity.session.revoked', targetId: phoneSession.id })).toHaveLength(1);
    // Already ended: nothing left to revoke.
    expect((await del(`/api/v1/me/sessions/${phoneSession.id}`, laptop)).statusCode).toBe(404);
  });

  it('gives every sign-in a new session id', async () => {
    const first = await signIn('kim@example.com', 'a');
    const second = await signIn('kim@example.com', 'a');
    expect(first.cookie).not.toBe(second.cookie);
  });
});

describe('timeouts', () => {
  it('ends a session left idle longer than SESSION_IDLE_SECONDS, but not one in use', async () => {
    const used = await signIn('lee@example.com', 'busy');
    const idle = await signIn('lee@example.com', 'idle');
    for (let i = 0; i < 3; i++) {
      clock.advance(20 * MINUTE);
      expect((await get('/api/v1/me', used)).statusCode).toBe(200);
    }
    // 60 minutes since its last use, against an idle timeout of 30.
    expect((await get('/api/v1/me', idle)).statusCode).toBe(401);
  });

  it('ends even a busy session at SESSION_TTL_SECONDS', async () => {
    const busy = await signIn('kim@example.com', 'busy');
    for (let i = 0; i < 5; i++) {
      clock.advance(20 * MINUTE);
      expect((await get('/api/v1/me', busy)).statusCode).toBe(200);
    }
    clock.advance(21 * MINUTE); // 121 minutes after sign-in, against a lifetime of 120
    expect((await get('/api/v1/me', busy)).statusCode).toBe(401);
  });
});
