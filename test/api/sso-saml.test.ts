// SAML 2.0 single sign-on against a real signing IdP (generated certificate, xml-crypto signatures):
// identity-first discovery, the AuthnRequest, the signed Response posted to our ACS, just-in-time
// membership, and every way an assertion must be refused — tampered, expired, for another
// audience, replayed, unsigned, signed by another key — each audited.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, problemOf, type TestPlatform, type SignedInHeaders } from '../support/platform.js';
import { auditEntries, ownerQuery } from '../support/audit.js';
import { registerSecret } from '../support/suite-log.js';
import { ENTITY_ID, requestIdOf, samlKeys, samlResponse, type AssertionOptions, type SamlIdpKeys } from '../support/saml-idp.js';
import { bindingOf, finishSignIn } from '../support/sso.js';

let t: TestPlatform;
let staff: SignedInHeaders;
let keys: SamlIdpKeys;
let tenantId: string;
let provider: { id: string; serviceProvider: { acsUrl: string; entityId: string; metadataUrl: string; startUrl: string } };
const ENTRY_POINT = 'https://idp.example.test/saml/sso';
/** The binding cookie of the browser that started the latest sign-in. */
let binding = '';

async function inject(method: 'GET' | 'POST' | 'PATCH', url: string, headers: Record<string, string> = {}, payload?: unknown) {
  return t.platform.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
}

/** Starts a sign-in (as the browser would, from discovery) and returns the AuthnRequest ID. */
async function start(email: string): Promise<string> {
  const discovered = await inject('POST', '/api/v1/auth/discover', {}, { email });
  expect(discovered.json()).toMatchObject({ method: 'sso', providerName: 'Acme SAML', passwordAllowed: false });
  const redirect = await inject('GET', discovered.json().startUrl);
  expect(redirect.statusCode, redirect.body).toBe(302);
  const location = String(redirect.headers.location);
  expect(location.startsWith(`${ENTRY_POINT}?SAMLRequest=`)).toBe(true);
  binding = bindingOf(redirect);
  relayState = new URL(location).searchParams.get('RelayState') ?? '';
  return requestIdOf(location);
}

/** What the IdP posts back with the response: the RelayState our AuthnRequest carried. */
let relayState = '';

async function postToAcs(response: string) {
  registerSecret('SAML response', response);
  return t.platform.app.inject({
    method: 'POST',
    url: new URL(provider.serviceProvider.acsUrl).pathname,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ SAMLResponse: response, RelayState: relayState }).toString(),
  });
}

function assertion(requestId: string, email: string, overrides: Partial<AssertionOptions> = {}): AssertionOptions {
  return { requestId, email, acsUrl: provider.serviceProvider.acsUrl, audience: provider.serviceProvider.entityId, ...overrides };
}

async function expectRefused(response: string, reason: RegExp) {
  const before = (await auditEntries(t, { action: 'identity.sso.sign_in.failed' })).length;
  const page = await postToAcs(response);
  expect(page.statusCode).toBe(400);
  expect(page.body).toContain('Sign-in failed');
  expect(page.headers['set-cookie']).toBeUndefined();
  const failures = await auditEntries(t, { action: 'identity.sso.sign_in.failed' });
  expect(failures).toHaveLength(before + 1);
  expect(String(failures.at(-1)?.after?.reason)).toMatch(reason);
}

beforeAll(async () => {
  t = await startTestPlatform();
  staff = await t.signIn();
  keys = await samlKeys();
  const tenant = await inject('POST', '/api/v1/tenants', staff, { organizationName: 'Acme', domain: 'acme.example.com', adminEmail: 'ops@acme.example.com' });
  tenantId = tenant.json().id;
  const created = await inject('POST', `/api/v1/tenants/${tenantId}/identity-providers`, staff, {
    type: 'saml',
    name: 'Acme SAML',
    config: { entryPoint: ENTRY_POINT, idpCertificate: keys.certificate, idpEntityId: ENTITY_ID, domains: ['acme.example.com'], defaultRole: 'developer', mandatory: true },
  });
  expect(created.statusCode, created.body).toBe(201);
  provider = created.json();
});
afterAll(() => t.close());

describe('signing in through a SAML identity provider', () => {
  it('publishes service provider metadata naming our entity id and ACS', async () => {
    const metadata = await inject('GET', new URL(provider.serviceProvider.metadataUrl).pathname);
    expect(metadata.statusCode).toBe(200);
    expect(metadata.body).toContain(`entityID="${provider.serviceProvider.entityId}"`);
    expect(metadata.body).toContain(`Location="${provider.serviceProvider.acsUrl}"`);
  });

  it('creates the account and membership on first sign-in and lands in the tenant', async () => {
    const requestId = await start('wile@acme.example.com');
    const page = await postToAcs(samlResponse(keys, assertion(requestId, 'wile@acme.example.com')));
    const { headers, location } = await finishSignIn(t, page, binding);
    expect(location).toBe('/portal/');
    const session = (await inject('GET', '/api/v1/auth/session', headers)).json();
    expect(session).toMatchObject({ user: { email: 'wile@acme.example.com', platformRole: null }, activeTenantId: tenantId, tenantRole: 'developer', restriction: null });
    const [user] = await ownerQuery<{ password_hash: string | null }>(t, "select password_hash from identity.users where email = 'wile@acme.example.com'");
    expect(user?.password_hash).toBeNull();
    const succeeded = await auditEntries(t, { action: 'identity.sso.sign_in.succeeded' });
    expect(succeeded.at(-1)?.after).toMatchObject({ provider: provider.id, protocol: 'saml', mfaByIdentityProvider: false });
    expect((await auditEntries(t, { action: 'identity.member.added' })).at(-1)?.after).toMatchObject({ role: 'developer', via: 'sso' });
    // The tenant's own audit trail shows it.
    const trail = (await inject('GET', `/api/v1/tenants/${tenantId}/audit-events?limit=100`, staff)).json();
    expect(trail.data.map((e: { action: string }) => e.action)).toContain('identity.sso.sign_in.succeeded');
  });

  it('refuses password sign-in for the domain (the provider is mandatory) and says where to go', async () => {
    const refused = await inject('POST', '/api/v1/auth/sign-in', {}, { email: 'wile@acme.example.com', password: 'whatever it is here' });
    expect(refused.statusCode).toBe(403);
    expect(problemOf(refused)).toMatchObject({ code: 'PLAT_SSO_REQUIRED', provider: 'Acme SAML' });
    // The same answer for an address with no account: the domain decides, not the account.
    const unknown = await inject('POST', '/api/v1/auth/sign-in', {}, { email: 'nobody@acme.example.com', password: 'whatever it is here' });
    expect(problemOf(unknown).code).toBe('PLAT_SSO_REQUIRED');
    // Other domains still use passwords.
    expect((await inject('POST', '/api/v1/auth/discover', {}, { email: 'someone@elsewhere.example.com' })).json()).toEqual({ method: 'password' });
  });

  it('counts an IdP-asserted multi-factor AuthnContext as MFA when the tenant requires it; otherwise our own step is owed', async () => {
    const patched = await inject('PATCH', `/api/v1/tenants/${tenantId}`, staff, { settings: { authentication: { mfaRequired: true } } });
    expect(patched.statusCode, patched.body).toBe(200);
    const plain = await finishSignIn(t, await postToAcs(samlResponse(keys, assertion(await start('road@acme.example.com'), 'road@acme.example.com'))), binding);
    expect((await inject('GET', '/api/v1/auth/session', plain.headers)).json().restriction).toBe('mfa_enroll');
    const strong = await finishSignIn(t, await postToAcs(samlResponse(keys, assertion(await start('runner@acme.example.com'), 'runner@acme.example.com', { authnContext: 'https://refeds.org/profile/mfa' }))), binding);
    expect((await inject('GET', '/api/v1/auth/session', strong.headers)).json().restriction).toBeNull();
    await inject('PATCH', `/api/v1/tenants/${tenantId}`, staff, { settings: { authentication: { mfaRequired: false } } });
  });
});

describe('assertions that must be refused', () => {
  it('refuses an assertion changed after signing (the email swapped)', async () => {
    const requestId = await start('wile@acme.example.com');
    const tampered = samlResponse(keys, assertion(requestId, 'wile@acme.example.com', { afterSigning: (xml) => xml.split('wile@acme.example.com').join('boss@acme.example.com') }));
    await expectRefused(tampered, /assertion_rejected/);
    expect(await ownerQuery(t, "select 1 from identity.users where email = 'boss@acme.example.com'")).toEqual([]);
  });

  it('refuses an expired assertion (NotOnOrAfter in the past)', async () => {
    const requestId = await start('wile@acme.example.com');
    const past = new Date(Date.now() - 3600_000);
    await expectRefused(samlResponse(keys, assertion(requestId, 'wile@acme.example.com', { notBefore: new Date(past.getTime() - 600_000), notOnOrAfter: past })), /assertion_rejected.*(expired|subject confirmation)/i);
  });

  it('refuses an assertion for another audience', async () => {
    const requestId = await start('wile@acme.example.com');
    await expectRefused(samlResponse(keys, assertion(requestId, 'wile@acme.example.com', { audience: 'https://other-sp.example.test/metadata' })), /assertion_rejected.*audience/i);
  });

  it('refuses an unsigned assertion', async () => {
    const requestId = await start('wile@acme.example.com');
    await expectRefused(samlResponse(keys, assertion(requestId, 'wile@acme.example.com', { signWith: false })), /assertion_rejected/);
  });

  it('refuses an assertion signed by a key other than the configured IdP certificate', async () => {
    const requestId = await start('wile@acme.example.com');
    await expectRefused(samlResponse(keys, assertion(requestId, 'wile@acme.example.com', { signWith: await samlKeys() })), /assertion_rejected/);
  });

  it('refuses a replayed assertion, even in answer to a new request', async () => {
    const requestId = await start('wile@acme.example.com');
    const assertionId = '_replayed0123456789abcdef';
    const first = samlResponse(keys, assertion(requestId, 'wile@acme.example.com', { assertionId }));
    await finishSignIn(t, await postToAcs(first), binding);
    // The very same post again: its request was answered already.
    await expectRefused(first, /assertion_rejected.*InResponseTo/);
    // The same assertion id in answer to a fresh request: the assertion was consumed.
    const again = await start('wile@acme.example.com');
    await expectRefused(samlResponse(keys, assertion(again, 'wile@acme.example.com', { assertionId })), /assertion_replayed/);
  });

  it('refuses a response to a request we never sent', async () => {
    await expectRefused(samlResponse(keys, assertion('_never-sent-0123456789', 'wile@acme.example.com')), /assertion_rejected.*InResponseTo/);
  });

  it('refuses an email outside the provider’s domains, even when correctly signed', async () => {
    const requestId = await start('wile@acme.example.com');
    await expectRefused(samlResponse(keys, assertion(requestId, 'mallory@evil.example.net')), /domain_not_allowed/);
  });

  it('refuses a handoff redeemed by a browser other than the one that started (login CSRF)', async () => {
    const page = await postToAcs(samlResponse(keys, assertion(await start('wile@acme.example.com'), 'wile@acme.example.com')));
    const url = /url=([^"]+)"/.exec(page.body)?.[1] as string;
    registerSecret('SSO handoff', new URL(url, 'http://x').searchParams.get('handoff'));
    const elsewhere = await inject('GET', url, { cookie: 'platforma_sso=another-browsers-binding-value' });
    expect(elsewhere.statusCode).toBe(400);
    expect(elsewhere.cookies.find((c) => c.name === 'platforma_session')).toBeUndefined();
    expect((await auditEntries(t, { action: 'identity.sso.sign_in.failed' })).at(-1)?.after).toMatchObject({ reason: 'browser_mismatch' });
    // Spent: not even the right browser can use it now.
    expect((await inject('GET', url, { cookie: `platforma_sso=${binding}` })).statusCode).toBe(400);
  });

  it('refuses a handoff used twice', async () => {
    const page = await postToAcs(samlResponse(keys, assertion(await start('wile@acme.example.com'), 'wile@acme.example.com')));
    await finishSignIn(t, page, binding);
    const url = /url=([^"]+)"/.exec(page.body)?.[1] as string;
    const second = await inject('GET', url, { cookie: `platforma_sso=${binding}` });
    expect(second.statusCode).toBe(400);
    expect(second.cookies.find((c) => c.name === 'platforma_session')).toBeUndefined();
  });
});
