// Authorization code + PKCE driven by a standard client (openid-client 6) and a cookie-carrying
// browser signed in to Platforma: consent, tokens used against the API, and the negative cases.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as client from 'openid-client';
import { startTestPlatform, totpCode, type TestPlatform, type SignedInHeaders } from '../support/platform.js';
import { call } from '../support/api.js';
import { discoverOAuth, oauthError, TestBrowser, oauthSuiteFixtures } from '../support/oauth.js';

const ORIGIN = 'http://platforma.test';
const ISSUER = `${ORIGIN}/oauth`;
const REDIRECT_URI = 'http://localhost:8765/callback';
const PASSWORD = 'a long enough passphrase';

let t: TestPlatform;
/** Everything the platform logged, and every credential the tests saw: none may meet. */
const logLines: string[] = [];
const credentialsSeen: string[] = [];
let staff: SignedInHeaders;
let tenantA: string;
let tenantB: string;

const { api, bearer, createTenant, createPerson, createClient } = oauthSuiteFixtures({
  platform: () => t,
  staff: () => staff,
  credentialsSeen,
  password: PASSWORD,
  host: 'platforma.test',
});

const discover = (clientId: string, clientSecret: string) => discoverOAuth(t.platform.app, ISSUER, clientId, clientSecret);

beforeAll(async () => {
  t = await startTestPlatform({ env: { PUBLIC_URL: ORIGIN, LOG_LEVEL: 'trace' }, logDestination: { write: (line: string) => void logLines.push(line) } });
  staff = await t.signIn();
  tenantA = await createTenant('Alpha');
  tenantB = await createTenant('Bravo');
});
afterAll(() => t.close());

describe('authorization code with PKCE', () => {
  let app: { clientId: string; clientSecret: string };
  let config: client.Configuration;
  let alice: SignedInHeaders;

  beforeAll(async () => {
    app = await createClient(tenantA, { name: 'Acme Reports', grantType: 'authorization_code', redirectUris: [REDIRECT_URI], scopes: ['tenants:read', 'identity:read'] });
    config = await discover(app.clientId, app.clientSecret);
    alice = await createPerson('alice@example.com', [[tenantA, 'admin']]);
  });

  function browserFor(session: SignedInHeaders): TestBrowser {
    return new TestBrowser(t.platform.app, ORIGIN, { platforma_session: session.cookie.split('=')[1] as string });
  }

  async function authorizationUrl(extra: Record<string, string> = {}) {
    const verifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: 'openid email offline_access tenants:read identity:read',
      prompt: 'consent',
      state: client.randomState(),
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      ...extra,
    });
    return { url, verifier, state: url.searchParams.get('state') as string };
  }

  /** Walks the browser through the authorization request and the consent page; returns where it ends. */
  async function consent(browser: TestBrowser, url: URL): Promise<URL> {
    const first = await browser.navigate(url.href);
    expect(first.page?.status, first.page?.body).toBe(200);
    const page = first.page!;
    expect(page.body).toContain('Acme Reports');
    expect(page.body).toContain('Alpha');
    expect(page.body).toContain('tenants:read');
    expect(String(page.headers['content-security-policy'])).toContain(`form-action 'self' http://localhost:8765`);
    const action = /action="([^"]+\/confirm)"/.exec(page.body)?.[1];
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)?.[1];
    expect(action && csrf).toBeTruthy();
    const done = await browser.navigate(action!, { method: 'POST', form: { csrf: csrf! } });
    expect(done.leftTo, done.page?.body).toBeDefined();
    credentialsSeen.push(done.leftTo!.searchParams.get('code') ?? '');
    return done.leftTo!;
  }

  async function signInAndAuthorize() {
    const request = await authorizationUrl();
    const callback = await consent(browserFor(alice), request.url);
    return { ...request, callback };
  }

  it('signs the user in with the Platforma session, asks consent, and issues tokens the API accepts as that user in the client’s tenant', async () => {
    const { callback, verifier, state } = await signInAndAuthorize();
    expect(callback.origin + callback.pathname).toBe(REDIRECT_URI);
    const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state });
    expect(tokens.claims()?.email).toBe('alice@example.com');
    expect(tokens.refresh_token).toBeTruthy();
    const members = await api('GET', `/api/v1/tenants/${tenantA}/members`, bearer(tokens.access_token));
    expect(members.statusCode, members.body).toBe(200);
    // No write scope was granted, although alice (admin) could write herself.
    expect((await api('POST', `/api/v1/tenants/${tenantA}/invitations`, bearer(tokens.access_token), { email: 'staff@example.com', role: 'member' })).statusCode).toBe(403);
    expect([403, 404]).toContain((await api('GET', `/api/v1/tenants/${tenantB}`, bearer(tokens.access_token))).statusCode);
  });

  it('does not let a session that still owes its second factor consent', async () => {
    const person = await createPerson('pending@example.com', [[tenantA, 'admin']]);
    const { secret } = await call(t, 'post', '/api/v1/me/mfa/totp', 200, { headers: person, body: {} });
    expect((await t.platform.app.inject({ method: 'POST', url: '/api/v1/me/mfa/totp/confirm', headers: person, payload: { code: await totpCode(secret) } })).statusCode).toBe(200);
    const pending = await t.platform.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', payload: { email: 'pending@example.com', password: PASSWORD } });
    expect(pending.json().restriction).toBe('mfa_verify');
    const cookie = pending.cookies.find((c) => c.name === 'platforma_session')!.value;
    const result = await new TestBrowser(t.platform.app, ORIGIN, { platforma_session: cookie }).navigate((await authorizationUrl()).url.href);
    expect(result.page?.body).toContain('Sign in to continue');
    expect(result.page?.body).not.toMatch(/name="csrf"/);
  });

  it('refuses an authorization request without a PKCE challenge', async () => {
    const url = client.buildAuthorizationUrl(config, { redirect_uri: REDIRECT_URI, scope: 'openid tenants:read', state: 'no-pkce' });
    const result = await browserFor(alice).navigate(url.href);
    expect(result.leftTo?.searchParams.get('error')).toBe('invalid_request');
    expect(result.leftTo?.searchParams.get('error_description')).toMatch(/PKCE/);
  });

  it('refuses the code without the verifier, and with a wrong verifier', async () => {
    const missing = await signInAndAuthorize();
    expect(await oauthError(client.authorizationCodeGrant(config, missing.callback, { expectedState: missing.state }))).toBe('invalid_grant');
    const wrong = await signInAndAuthorize();
    expect(await oauthError(client.authorizationCodeGrant(config, wrong.callback, { pkceCodeVerifier: client.randomPKCECodeVerifier(), expectedState: wrong.state }))).toBe('invalid_grant');
  });

  it('refuses a reused code, and revokes what the first use issued', async () => {
    const { callback, verifier, state } = await signInAndAuthorize();
    const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state });
    expect((await api('GET', `/api/v1/tenants/${tenantA}`, bearer(tokens.access_token))).statusCode).toBe(200);
    expect(await oauthError(client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state }))).toBe('invalid_grant');
    expect((await api('GET', `/api/v1/tenants/${tenantA}`, bearer(tokens.access_token))).statusCode).toBe(401);
  });

  it('never redirects to a redirect_uri that does not match a registered one exactly', async () => {
    for (const redirect of [`${REDIRECT_URI}/`, `${REDIRECT_URI}?x=1`, 'http://localhost:8765/callback2', 'http://evil.example/callback']) {
      const { url } = await authorizationUrl({ redirect_uri: redirect });
      const result = await browserFor(alice).navigate(url.href);
      expect(result.leftTo, redirect).toBeUndefined();
      expect(result.page?.status, redirect).toBe(400);
      expect(result.page?.body).toContain('redirect_uri');
    }
  });

  it('rotates refresh tokens: the old one is refused after use, and its reuse ends the grant', async () => {
    const { callback, verifier, state } = await signInAndAuthorize();
    const first = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state });
    const second = await client.refreshTokenGrant(config, first.refresh_token!);
    credentialsSeen.push(first.refresh_token!, second.refresh_token!);
    expect(second.refresh_token).toBeTruthy();
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect((await api('GET', `/api/v1/tenants/${tenantA}`, bearer(second.access_token))).statusCode).toBe(200);
    expect(await oauthError(client.refreshTokenGrant(config, first.refresh_token!))).toBe('invalid_grant');
    // Reuse of a rotated token signals theft: everything issued from the grant ends.
    expect(await oauthError(client.refreshTokenGrant(config, second.refresh_token!))).toBe('invalid_grant');
    expect((await api('GET', `/api/v1/tenants/${tenantA}`, bearer(second.access_token))).statusCode).toBe(401);
  });

  it('refuses a person who is not a member of the client’s tenant', async () => {
    const bob = await createPerson('bob@example.com', [[tenantB, 'owner']]);
    const { url } = await authorizationUrl();
    const result = await browserFor(bob).navigate(url.href);
    expect(result.leftTo?.searchParams.get('error')).toBe('access_denied');
  });

  it('asks a visitor without a session to sign in, and denies when the user says no', async () => {
    const { url } = await authorizationUrl();
    const anonymous = await new TestBrowser(t.platform.app, ORIGIN).navigate(url.href);
    expect(anonymous.page?.body).toContain('Sign in to continue');
    const browser = browserFor(alice);
    const page = (await browser.navigate(url.href)).page!;
    const action = /action="([^"]+\/abort)"/.exec(page.body)?.[1];
    const denied = await browser.navigate(action!, { method: 'POST', form: {} });
    expect(denied.leftTo?.searchParams.get('error')).toBe('access_denied');
  });

  it('refuses the consent form without the session’s CSRF token', async () => {
    const { url } = await authorizationUrl();
    const browser = browserFor(alice);
    const page = (await browser.navigate(url.href)).page!;
    const action = /action="([^"]+\/confirm)"/.exec(page.body)?.[1];
    const forged = await browser.navigate(action!, { method: 'POST', form: { csrf: 'guess' } });
    expect(forged.page?.status).toBe(403);
  });

  it('acts with the user’s current role: a demoted user’s token loses what the role lost', async () => {
    const carol = await createPerson('carol@example.com', [[tenantA, 'admin']]);
    const { url, verifier, state } = await authorizationUrl();
    const callback = await consent(browserFor(carol), url);
    const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state });
    expect((await api('GET', `/api/v1/tenants/${tenantA}/members`, bearer(tokens.access_token))).statusCode).toBe(200);
    const me = (await api('GET', '/api/v1/me', carol)).json();
    expect((await api('PUT', `/api/v1/tenants/${tenantA}/members/${me.user.id}`, staff, { role: 'member' })).statusCode).toBe(200);
    expect((await api('GET', `/api/v1/tenants/${tenantA}/members`, bearer(tokens.access_token))).statusCode).toBe(403);
    expect((await api('DELETE', `/api/v1/tenants/${tenantA}/members/${me.user.id}`, staff)).statusCode).toBe(204);
    expect((await api('GET', `/api/v1/tenants/${tenantA}`, bearer(tokens.access_token))).statusCode).toBe(401);
  });
});

describe('logs', () => {
  it('never contain a client secret, an access or refresh token or an authorization code seen in these tests', () => {
    expect(credentialsSeen.length).toBeGreaterThan(5);
    for (const credential of credentialsSeen) {
      const leaked = logLines.find((line) => line.includes(credential));
      expect(leaked, 'a credential was logged').toBeUndefined();
    }
  });
});
