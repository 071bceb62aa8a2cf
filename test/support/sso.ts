// Single sign-on from the browser's side, over app.inject(): the page our callback/ACS answers with
// moves on to /finish by a meta refresh; following it sets the session cookie.
import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { TestPlatform, SignedInHeaders } from './platform.js';
import { registerSecret } from './suite-log.js';

/** The same-site step a successful callback/ACS page points at (its meta refresh). */
export function finishUrlOf(page: LightMyRequestResponse): string {
  expect(page.statusCode, page.body).toBe(200);
  expect(page.headers['content-security-policy']).toContain("default-src 'none'");
  const url = /http-equiv="refresh" content="0;url=([^"]+)"/.exec(page.body)?.[1]?.replace(/&#38;/g, '&');
  if (!url) throw new Error(`no refresh in ${page.body}`);
  registerSecret('SSO handoff', new URL(url, 'http://x').searchParams.get('handoff'));
  return url;
}

/** The browser-binding cookie `start` set (only that browser may finish the sign-in). */
export function bindingOf(start: LightMyRequestResponse): string {
  const cookie = start.cookies.find((c) => c.name === 'platforma_sso');
  if (!cookie) throw new Error('start set no platforma_sso cookie');
  expect(cookie.sameSite?.toLowerCase()).toBe('lax');
  expect(cookie.httpOnly).toBe(true);
  registerSecret('SSO browser binding', cookie.value);
  return cookie.value;
}

/** Follows the finish step as the browser that started (its binding cookie): the new session's cookie and CSRF token. */
export async function finishSignIn(t: TestPlatform, page: LightMyRequestResponse, binding: string): Promise<{ headers: SignedInHeaders; location: string }> {
  const finish = await t.platform.app.inject({ method: 'GET', url: finishUrlOf(page), headers: { cookie: `platforma_sso=${binding}` } });
  expect(finish.statusCode, finish.body).toBe(302);
  const cookie = finish.cookies.find((c) => c.name === 'platforma_session');
  if (!cookie) throw new Error('no session cookie');
  expect(cookie.sameSite?.toLowerCase()).toBe('strict');
  expect(cookie.httpOnly).toBe(true);
  registerSecret('session token', cookie.value);
  const session = await t.platform.app.inject({ method: 'GET', url: '/api/v1/auth/session', headers: { cookie: `platforma_session=${cookie.value}` } });
  const csrfToken = (session.json() as { csrfToken: string }).csrfToken;
  registerSecret('csrf token', csrfToken);
  return { headers: { cookie: `platforma_session=${cookie.value}`, 'x-csrf-token': csrfToken }, location: String(finish.headers.location) };
}
