// OpenID Connect single sign-on against a real provider (oidc-provider on its own port, not our
// authorization server): discovery by email, the authorization request with state, nonce and PKCE,
// the code exchange and ID token checks by openid-client, just-in-time membership, amr-based MFA,
// and the ways a callback must be refused — unknown or replayed state, wrong nonce, IdP errors.
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, startTestPlatform, problemOf, type TestPlatform, type SignedInHeaders } from '../support/platform.js';
import { auditEntries, ownerQuery } from '../support/audit.js';
import { registerSecret } from '../support/suite-log.js';
import { startOidcIdp, type TestOidcIdp } from '../support/oidc-idp.js';
import { bindingOf, finishSignIn } from '../support/sso.js';
import { systemContext } from '../../src/kernel/context.js';

const PUBLIC_URL = 'http://platforma.test';
let t: TestPlatform;
let staff: SignedInHeaders;
let idp: TestOidcIdp;
let tenantId: string;
let providerId: string;
let redirectUri: string;
/** The binding cookie of the browser that started the latest sign-in. */
let binding = '';

async function inject(method: 'GET' | 'POST' | 'PATCH', url: string, headers: Record<string, string> = {}, payload?: unknown) {
  return t.platform.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
}

/** A browser at the IdP: follows its redirects with its cookies until it sends us back. */
async function throughIdp(authorizationUrl: string): Promise<string> {
  const jar = new Map<string, string>();
  let url = authorizationUrl;
  for (let hop = 0; hop < 10; hop++) {
    if (url.startsWith(PUBLIC_URL)) return url;
    const response = await fetch(url, { redirect: 'manual', headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = (pair ?? '').indexOf('=');
      jar.set((pair ?? '').slice(0, eq), (pair ?? '').slice(eq + 1));
    }
    const location = response.headers.get('location');
    if (!location) throw new Error(`the IdP stopped at ${url} with ${response.status}: ${await response.text()}`);
    url = new URL(location, url).href;
  }
  throw new Error('too many redirects');
}

/** Discovery → start → the IdP → our callback: returns the callback URL the IdP sent the browser to. */
async function signInAtIdp(email: string): Promise<string> {
  const discovered = (await inject('POST', '/api/v1/auth/discover', {}, { email })).json();
  expect(discovered).toMatchObject({ method: 'sso', providerName: 'Acme Login', passwordAllowed: true });
  const start = await inject('GET', discovered.startUrl);
  expect(start.statusCode, start.body).toBe(302);
  binding = bindingOf(start);
  const location = new URL(String(start.headers.location));
  expect(location.origin).toBe(idp.issuer);
  for (const parameter of ['state', 'nonce', 'code_challenge']) expect(location.searchParams.get(parameter)).toBeTruthy();
  expect(location.searchParams.get('code_challenge_method')).toBe('S256');
  expect(location.searchParams.get('login_hint')).toBe(email);
  registerSecret('OIDC state', location.searchParams.get('state'));
  const callback = await throughIdp(location.href);
  registerSecret('OIDC code', new URL(callback).searchParams.get('code'));
  return callback;
}

const callback = (url: string) => inject('GET', url.slice(PUBLIC_URL.length));

async function expectRefused(page: LightMyRequestResponse, reason: RegExp) {
  expect(page.statusCode, page.body).toBe(400);
  expect(page.body).toContain('Sign-in failed');
  expect(page.headers['set-cookie']).toBeUndefined();
  const [failure] = await ownerQuery<{ after: { reason: string }; request_id: string }>(t, "select after, request_id from kernel.audit_entries where action = 'identity.sso.sign_in.failed' order by occurred_at desc, seq desc limit 1");
  expect(failure?.after.reason).toMatch(reason);
  // Announced with the refusal's code (never the provider's answer), by the request that audited it.
  const events = await ownerQuery<{ payload: unknown }>(t, "select payload from kernel.outbox where type = 'identity.sso.sign_in.failed' and request_id = $1", [failure?.request_id]);
  expect(events).toEqual([{ payload: { tenantId, providerId, reason: failure?.after.reason.split(':')[0] } }]);
}

beforeAll(async () => {
  t = await startTestPlatform({ env: { PUBLIC_URL } });
  staff = await t.signIn();
  const tenant = await inject('POST', '/api/v1/tenants', staff, { organizationName: 'Acme', domain: 'acme.example.com', adminEmail: 'ops@acme.example.com' });
  tenantId = tenant.json().id;
  // Our redirect URI names the provider's id: register it first, then start the IdP that knows it.
  const created = await inject('POST', `/api/v1/tenants/${tenantId}/identity-providers`, staff, {
    type: 'oidc',
    name: 'Acme Login',
    config: { issuer: 'http://127.0.0.1:9', clientId: 'to-be-set', clientSecret: 'to-be-set', domains: ['acme.example.com'], defaultRole: 'member', mandatory: false },
  });
  expect(created.statusCode, created.body).toBe(201);
  providerId = created.json().id;
  redirectUri = created.json().serviceProvider.redirectUri;
  idp = await startOidcIdp([redirectUri]);
});
afterAll(async () => {
  await idp?.close();
  await t?.close();
});

describe('signing in through an OpenID Connect provider', () => {
  it('keeps the client secret write-only', async () => {
    expect(redirectUri).toBe(`${PUBLIC_URL}/api/v1/auth/sso/${tenantId}/${providerId}/callback`);
    const patched = await inject('PATCH', `/api/v1/tenants/${tenantId}/identity-providers/${providerId}`, staff, { config: { issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret } });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json().config).toMatchObject({ issuer: idp.issuer, clientSecretSet: true });
    expect(patched.body).not.toContain(idp.clientSecret);
    expect((await inject('GET', `/api/v1/tenants/${tenantId}/identity-providers`, staff)).body).not.toContain(idp.clientSecret);
    expect((await inject('GET', `/api/v1/tenants/${tenantId}`, staff)).body).not.toContain(idp.clientSecret);
    const [stored] = await ownerQuery<{ secret_ciphertext: string }>(t, 'select secret_ciphertext from identity.sso_client_secrets where provider_id = $1', [providerId]);
    expect(stored?.secret_ciphertext).toMatch(/^v1\./);
    expect(stored?.secret_ciphertext).not.toContain(idp.clientSecret);
  });

  it('signs a new person in, creating account and membership, and lands in the tenant', async () => {
    idp.signInNext({ email: 'wile@acme.example.com' });
    const page = await callback(await signInAtIdp('wile@acme.example.com'));
    const { headers, location } = await finishSignIn(t, page, binding);
    expect(location).toBe('/portal/');
    const session = (await inject('GET', '/api/v1/auth/session', headers)).json();
    expect(session).toMatchObject({ user: { email: 'wile@acme.example.com' }, activeTenantId: tenantId, tenantRole: 'member', restriction: null });
    expect((await auditEntries(t, { action: 'identity.sso.sign_in.succeeded' })).at(-1)?.after).toMatchObject({ provider: providerId, protocol: 'oidc' });
    // The account and membership the provider brought about are audited and announced, acting as the provider.
    const userId = session.user.id as string;
    const audited = [...(await auditEntries(t, { action: 'identity.user.created', targetId: userId })), ...(await auditEntries(t, { action: 'identity.member.added', targetId: userId }))];
    expect(audited.map((entry) => [entry.action, entry.actor_id])).toEqual([
      ['identity.user.created', `identity-provider:${providerId}`],
      ['identity.member.added', `identity-provider:${providerId}`],
    ]);
    const events = await ownerQuery<{ type: string; tenant_id: string | null; payload: unknown; actor_id: string | null }>(t, "select type, tenant_id, payload, actor_id from kernel.outbox where payload ->> 'userId' = $1 and type in ('identity.user.created', 'identity.member.added') order by id", [userId]);
    expect(events).toEqual([
      { type: 'identity.user.created', tenant_id: null, payload: { userId, platformRole: null }, actor_id: null },
      { type: 'identity.member.added', tenant_id: tenantId, payload: { userId, role: 'member' }, actor_id: null },
    ]);
  });

  it('gives an existing account the membership it lacks, and keeps its password usable when the provider is optional', async () => {
    await t.platform.identity.service.createUser({ email: 'road@acme.example.com', password: 'a long enough passphrase' }, systemContext('test'));
    idp.signInNext({ email: 'road@acme.example.com' });
    const { headers } = await finishSignIn(t, await callback(await signInAtIdp('road@acme.example.com')), binding);
    expect((await inject('GET', '/api/v1/me', headers)).json().memberships).toEqual([{ tenantId, organizationName: 'Acme', role: 'member' }]);
    const password = await inject('POST', '/api/v1/auth/sign-in', {}, { email: 'road@acme.example.com', password: 'a long enough passphrase' });
    expect(password.statusCode).toBe(200);
  });

  it('takes amr mfa as the second factor when the tenant requires MFA; without it our own step is owed', async () => {
    await inject('PATCH', `/api/v1/tenants/${tenantId}`, staff, { settings: { authentication: { mfaRequired: true } } });
    idp.signInNext({ email: 'mfa@acme.example.com', amr: ['pwd', 'mfa'] });
    const strong = await finishSignIn(t, await callback(await signInAtIdp('mfa@acme.example.com')), binding);
    expect((await inject('GET', '/api/v1/auth/session', strong.headers)).json().restriction).toBeNull();
    idp.signInNext({ email: 'weak@acme.example.com', amr: ['pwd'] });
    const weak = await finishSignIn(t, await callback(await signInAtIdp('weak@acme.example.com')), binding);
    expect((await inject('GET', '/api/v1/auth/session', weak.headers)).json().restriction).toBe('mfa_enroll');
    await inject('PATCH', `/api/v1/tenants/${tenantId}`, staff, { settings: { authentication: { mfaRequired: false } } });
  });

  it('counts the MFA a tenant’s provider vouched for in that tenant only, not in another that requires MFA', async () => {
    const other = await inject('POST', '/api/v1/tenants', staff, { organizationName: 'Elsewhere', domain: 'elsewhere.example.com', adminEmail: 'ops@elsewhere.example.com' });
    expect(other.statusCode, other.body).toBe(201);
    const otherId = other.json().id as string;
    await inject('PATCH', `/api/v1/tenants/${otherId}`, staff, { settings: { authentication: { mfaRequired: true } } });
    idp.signInNext({ email: 'two@acme.example.com', amr: ['pwd', 'mfa'] });
    const session = await finishSignIn(t, await callback(await signInAtIdp('two@acme.example.com')), binding);
    await addMember(t.platform, otherId, 'two@acme.example.com', 'member');
    expect((await inject('POST', '/api/v1/auth/switch-tenant', session.headers, { tenantId: otherId })).statusCode).toBe(204);
    expect((await inject('GET', '/api/v1/auth/session', session.headers)).json()).toMatchObject({ activeTenantId: otherId, restriction: 'mfa_enroll' });
    // Back in the provider's tenant, its word counts again.
    expect((await inject('POST', '/api/v1/auth/switch-tenant', session.headers, { tenantId })).statusCode).toBe(204);
    expect((await inject('GET', '/api/v1/auth/session', session.headers)).json()).toMatchObject({ activeTenantId: tenantId, restriction: null });
  });

  it('never signs platform staff in through a tenant provider', async () => {
    await t.platform.identity.service.createUser({ email: 'staff@acme.example.com', password: 'a long enough passphrase', platformRole: 'operator' }, systemContext('test'));
    idp.signInNext({ email: 'staff@acme.example.com' });
    await expectRefused(await callback(await signInAtIdp('staff@acme.example.com')), /staff_account/);
  });
});

describe('callbacks that must be refused', () => {
  it('refuses an unknown state', async () => {
    idp.signInNext({ email: 'wile@acme.example.com' });
    const url = new URL(await signInAtIdp('wile@acme.example.com'));
    url.searchParams.set('state', 'not-the-state-we-sent');
    await expectRefused(await callback(url.href), /state_invalid/);
  });

  it('refuses a replayed callback (the state is single use)', async () => {
    idp.signInNext({ email: 'wile@acme.example.com' });
    const url = await signInAtIdp('wile@acme.example.com');
    await finishSignIn(t, await callback(url), binding);
    await expectRefused(await callback(url), /state_invalid/);
  });

  it('refuses an ID token whose nonce is not the one we sent', async () => {
    idp.signInNext({ email: 'wile@acme.example.com' });
    const url = await signInAtIdp('wile@acme.example.com');
    const state = new URL(url).searchParams.get('state') as string;
    const { createHash } = await import('node:crypto');
    await ownerQuery(t, "update identity.sso_pending set nonce = 'another-nonce' where key = $1", [`oidc:${createHash('sha256').update(state).digest('hex')}`]);
    await expectRefused(await callback(url), /nonce/);
  });

  it('refuses when the IdP reports an error, and audits it', async () => {
    idp.signInNext({ deny: 'the user said no' });
    await expectRefused(await callback(await signInAtIdp('wile@acme.example.com')), /idp_error/);
  });

  it('refuses an email the IdP has not verified', async () => {
    idp.signInNext({ email: 'unverified@acme.example.com', emailVerified: false });
    await expectRefused(await callback(await signInAtIdp('unverified@acme.example.com')), /email_unverified/);
    expect(await ownerQuery(t, "select 1 from identity.users where email = 'unverified@acme.example.com'")).toEqual([]);
  });

  it('answers 404 for a provider that does not exist', async () => {
    const response = await inject('GET', `/api/v1/auth/sso/${tenantId}/idp_01jaaaaaaaaaaaaaaaaaaaaaaa/start`);
    expect(problemOf(response).code).toBe('PLAT_NOT_FOUND');
  });
});
