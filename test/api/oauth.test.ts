// The OAuth 2.0 / OpenID Connect authorization server driven by a standard client (openid-client
// 6) and a cookie-carrying browser, and its tokens used against the Platforma API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as client from 'openid-client';
import { startTestPlatform, type TestPlatform, type SignedInHeaders } from '../support/platform.js';
import { injectFetch, TestBrowser } from '../support/oauth.js';
import { systemContext } from '../../src/kernel/context.js';

const ORIGIN = 'http://platforma.test';
const ISSUER = `${ORIGIN}/oauth`;
const REDIRECT_URI = 'http://localhost:8765/callback';
const PASSWORD = 'a long enough passphrase';

let t: TestPlatform;
let staff: SignedInHeaders;
let tenantA: string;
let tenantB: string;

async function api(method: string, url: string, headers: Record<string, string>, payload?: object) {
  return t.platform.app.inject({ method: method as 'GET', url, headers: { host: 'platforma.test', ...headers }, ...(payload ? { payload } : {}) });
}
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function createTenant(name: string): Promise<string> {
  const response = await api('POST', '/api/v1/tenants', staff, { organizationName: name, domain: `${name.toLowerCase()}.example.com`, adminEmail: `ops@${name.toLowerCase()}.example.com` });
  expect(response.statusCode, response.body).toBe(201);
  return response.json().id;
}

async function createPerson(email: string, memberships: [string, string][]): Promise<SignedInHeaders> {
  await t.platform.identity.service.createUser({ email, password: PASSWORD }, systemContext('test'));
  for (const [tenantId, role] of memberships) {
    const added = await api('POST', `/api/v1/tenants/${tenantId}/members`, staff, { email, role });
    expect(added.statusCode, added.body).toBe(201);
  }
  return t.signIn(email, PASSWORD);
}

async function createClient(tenantId: string, body: Record<string, unknown>, as: Record<string, string> = staff) {
  const response = await api('POST', `/api/v1/tenants/${tenantId}/oauth-clients`, as, body);
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { clientId: string; clientSecret: string; issuer: string };
}

async function discover(clientId: string, clientSecret: string): Promise<client.Configuration> {
  const config = await client.discovery(new URL(ISSUER), clientId, undefined, client.ClientSecretBasic(clientSecret), {
    [client.customFetch]: injectFetch(t.platform.app),
    execute: [client.allowInsecureRequests],
  });
  config[client.customFetch] = injectFetch(t.platform.app);
  return config;
}

/** The OAuth error code of a failed openid-client call (body error or WWW-Authenticate challenge). */
async function oauthError(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    const e = error as { error?: string; cause?: { parameters?: { error?: string } }[] };
    return e.error ?? e.cause?.[0]?.parameters?.error ?? String(error);
  }
  throw new Error('expected the call to fail');
}

beforeAll(async () => {
  t = await startTestPlatform({ env: { PUBLIC_URL: ORIGIN } });
  staff = await t.signIn();
  tenantA = await createTenant('Alpha');
  tenantB = await createTenant('Bravo');
});
afterAll(() => t.close());

describe('discovery and keys', () => {
  it('publishes a discovery document for issuer PUBLIC_URL/oauth with S256 PKCE only, and public keys only', async () => {
    const created = await createClient(tenantA, { name: 'Discovery probe' });
    expect(created.issuer).toBe(ISSUER);
    const config = await discover(created.clientId, created.clientSecret);
    const metadata = config.serverMetadata();
    expect(metadata.issuer).toBe(ISSUER);
    expect(metadata.code_challenge_methods_supported).toEqual(['S256']);
    expect(metadata.grant_types_supported).toEqual(expect.arrayContaining(['authorization_code', 'client_credentials', 'refresh_token']));
    expect(metadata.revocation_endpoint).toBe(`${ISSUER}/token/revocation`);
    expect(metadata.introspection_endpoint).toBe(`${ISSUER}/token/introspection`);
    const jwks = await api('GET', '/oauth/jwks', {});
    expect(jwks.statusCode).toBe(200);
    const keys = jwks.json().keys as Record<string, unknown>[];
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(key).not.toHaveProperty('d');
  });

  it('keeps client secrets only as hashes', async () => {
    const created = await createClient(tenantA, { name: 'Hash check' });
    const pg = await import('pg');
    const db = new pg.default.Client({ connectionString: t.database.ownerUrl });
    await db.connect();
    try {
      const { rows } = await db.query('select row_to_json(c)::text as row from identity.oauth_clients c where id = $1', [created.clientId]);
      expect(rows[0].row).not.toContain(created.clientSecret);
      expect(rows[0].row).toContain('sha256:');
    } finally {
      await db.end();
    }
  });
});

describe('client credentials', () => {
  it('issues a JWT the API accepts in the client’s tenant, with its role, narrowed by scopes', async () => {
    const created = await createClient(tenantA, { name: 'Reporting', grantType: 'client_credentials', role: 'admin', scopes: ['tenants:read', 'identity:read'] });
    const config = await discover(created.clientId, created.clientSecret);

    const narrow = await client.clientCredentialsGrant(config, { scope: 'tenants:read' });
    expect(narrow.access_token.split('.')).toHaveLength(3);
    expect((await api('GET', `/api/v1/tenants/${tenantA}`, bearer(narrow.access_token))).statusCode).toBe(200);
    // The admin role may list members, but the token's scopes do not reach identity.
    expect((await api('GET', `/api/v1/tenants/${tenantA}/members`, bearer(narrow.access_token))).statusCode).toBe(403);
    // Scopes never add writes: tenants:read does not update the tenant.
    expect((await api('POST', `/api/v1/tenants/${tenantA}/suspend`, bearer(narrow.access_token), { reason: 'x' })).statusCode).toBe(403);

    const wide = await client.clientCredentialsGrant(config, { scope: 'tenants:read identity:read' });
    expect((await api('GET', `/api/v1/tenants/${tenantA}/members`, bearer(wide.access_token))).statusCode).toBe(200);
  });

  it('acts with read-only by default: scopes cannot widen the role', async () => {
    const created = await createClient(tenantA, { name: 'Dashboard', scopes: ['tenants:read', 'identity:read'] });
    const config = await discover(created.clientId, created.clientSecret);
    const token = await client.clientCredentialsGrant(config, { scope: 'tenants:read identity:read' });
    expect((await api('GET', `/api/v1/tenants/${tenantA}`, bearer(token.access_token))).statusCode).toBe(200);
    expect((await api('GET', `/api/v1/tenants/${tenantA}/members`, bearer(token.access_token))).statusCode).toBe(403);
  });

  it('refuses a scope the client was not registered for, and a wrong secret', async () => {
    const created = await createClient(tenantA, { name: 'Narrow', scopes: ['tenants:read'] });
    const config = await discover(created.clientId, created.clientSecret);
    expect(await oauthError(client.clientCredentialsGrant(config, { scope: 'identity:write' }))).toBe('invalid_scope');
    const wrong = await discover(created.clientId, `${created.clientSecret.slice(0, -2)}xx`);
    expect(await oauthError(client.clientCredentialsGrant(wrong, { scope: 'tenants:read' }))).toBe('invalid_client');
  });

  it('never lets a token for tenant A act on tenant B', async () => {
    const created = await createClient(tenantA, { name: 'Owner bot', role: 'owner', scopes: ['tenants:write', 'identity:write'] });
    const config = await discover(created.clientId, created.clientSecret);
    const token = (await client.clientCredentialsGrant(config, { scope: 'tenants:write identity:write' })).access_token;
    expect((await api('GET', `/api/v1/tenants/${tenantA}/members`, bearer(token))).statusCode).toBe(200);
    for (const [method, url] of [
      ['GET', `/api/v1/tenants/${tenantB}`],
      ['GET', `/api/v1/tenants/${tenantB}/members`],
      ['GET', `/api/v1/tenants/${tenantB}/oauth-clients`],
      ['POST', `/api/v1/tenants/${tenantB}/suspend`],
    ] as const) {
      const response = await api(method, url, bearer(token), method === 'POST' ? { reason: 'attack' } : undefined);
      expect([403, 404], `${method} ${url}`).toContain(response.statusCode);
    }
    const list = await api('GET', '/api/v1/tenants', bearer(token));
    expect(list.statusCode).toBe(200);
    expect(list.json().data.map((tenant: { id: string }) => tenant.id)).toEqual([tenantA]);
  });

  it('refuses a revoked token on the very next call, and introspection says it is inactive', async () => {
    const created = await createClient(tenantA, { name: 'Short lived', scopes: ['tenants:read'] });
    const config = await discover(created.clientId, created.clientSecret);
    const token = (await client.clientCredentialsGrant(config, { scope: 'tenants:read' })).access_token;
    expect((await api('GET', `/api/v1/tenants/${tenantA}`, bearer(token))).statusCode).toBe(200);
    expect((await client.tokenIntrospection(config, token)).active).toBe(true);

    await client.tokenRevocation(config, token);
    const refused = await api('GET', `/api/v1/tenants/${tenantA}`, bearer(token));
    expect(refused.statusCode).toBe(401);
    expect(refused.json().code).toBe('PLAT_UNAUTHENTICATED');
    expect((await client.tokenIntrospection(config, token)).active).toBe(false);
  });

  it('ends every token of a deleted client at once', async () => {
    const created = await createClient(tenantA, { name: 'Temporary', scopes: ['tenants:read'] });
    const config = await discover(created.clientId, created.clientSecret);
    const token = (await client.clientCredentialsGrant(config, { scope: 'tenants:read' })).access_token;
    expect((await api('DELETE', `/api/v1/tenants/${tenantA}/oauth-clients/${created.clientId}`, staff)).statusCode).toBe(204);
    expect((await api('GET', `/api/v1/tenants/${tenantA}`, bearer(token))).statusCode).toBe(401);
    expect(await oauthError(client.clientCredentialsGrant(config, { scope: 'tenants:read' }))).toBe('invalid_client');
  });

  it('refuses tokens that are not ours: another signature, a tampered payload', async () => {
    const created = await createClient(tenantA, { name: 'Tamper', scopes: ['tenants:read'] });
    const config = await discover(created.clientId, created.clientSecret);
    const token = (await client.clientCredentialsGrant(config, { scope: 'tenants:read' })).access_token;
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...claims, tenant_id: tenantB })).toString('base64url')}.${signature}`;
    expect((await api('GET', `/api/v1/tenants/${tenantB}`, bearer(forged))).statusCode).toBe(401);
  });
});

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
    expect((await api('POST', `/api/v1/tenants/${tenantA}/members`, bearer(tokens.access_token), { email: 'staff@example.com', role: 'member' })).statusCode).toBe(403);
    expect([403, 404]).toContain((await api('GET', `/api/v1/tenants/${tenantB}`, bearer(tokens.access_token))).statusCode);
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

describe('tenant routes for OAuth clients', () => {
  it('lists a tenant’s clients without secrets, only to those allowed, and deletes them', async () => {
    const created = await createClient(tenantB, { name: 'Bravo app', grantType: 'authorization_code', redirectUris: ['https://app.example.com/cb'], scopes: ['tenants:read'] });
    const list = await api('GET', `/api/v1/tenants/${tenantB}/oauth-clients`, staff);
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain(created.clientSecret);
    expect(list.json().data).toEqual([expect.objectContaining({ clientId: created.clientId, name: 'Bravo app', grantType: 'authorization_code', redirectUris: ['https://app.example.com/cb'], role: null, issuer: ISSUER })]);

    const member = await createPerson('mike@example.com', [[tenantB, 'member']]);
    expect((await api('GET', `/api/v1/tenants/${tenantB}/oauth-clients`, member)).statusCode).toBe(403);
    expect((await api('POST', `/api/v1/tenants/${tenantB}/oauth-clients`, member, { name: 'x' })).statusCode).toBe(403);
    // Another tenant's client id under this tenant's path: not found, never deleted.
    const other = await createClient(tenantA, { name: 'Alpha only' });
    expect((await api('DELETE', `/api/v1/tenants/${tenantB}/oauth-clients/${other.clientId}`, staff)).statusCode).toBe(404);

    expect((await api('DELETE', `/api/v1/tenants/${tenantB}/oauth-clients/${created.clientId}`, staff)).statusCode).toBe(204);
    expect((await api('GET', `/api/v1/tenants/${tenantB}/oauth-clients`, staff)).json().data).toEqual([]);
  });

  it('lets a developer create clients but never with a role stronger than theirs', async () => {
    const dev = await createPerson('dev@example.com', [[tenantB, 'developer']]);
    expect((await api('POST', `/api/v1/tenants/${tenantB}/oauth-clients`, dev, { name: 'CI', role: 'developer' })).statusCode).toBe(201);
    const escalate = await api('POST', `/api/v1/tenants/${tenantB}/oauth-clients`, dev, { name: 'Root', role: 'owner' });
    expect(escalate.statusCode).toBe(400);
    expect(escalate.json().errors[0].pointer).toBe('/role');
  });

  it('rejects bad redirect URIs, unknown scopes and fields it does not accept', async () => {
    const bad = await api('POST', `/api/v1/tenants/${tenantA}/oauth-clients`, staff, { name: 'Bad', grantType: 'authorization_code', redirectUris: ['http://app.example.com/cb', 'https://x.example/cb#frag'], scopes: ['root'] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors.map((e: { pointer: string }) => e.pointer)).toEqual(['/redirectUris/0', '/redirectUris/1', '/scopes/0']);
    expect((await api('POST', `/api/v1/tenants/${tenantA}/oauth-clients`, staff, { name: 'Sneaky', tenantId: tenantB })).statusCode).toBe(400);
  });
});
