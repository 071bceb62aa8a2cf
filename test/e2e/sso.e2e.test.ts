// Single sign-on in a real browser: a tenant owner adds an OpenID Connect provider in the portal
// (inline field errors included), registers the redirect URI the page shows at the provider, and a
// person of the organisation's domain signs in email-first: Continue sends the browser to the
// provider (a real oidc-provider on its own port) and back, through the same-site handoff that
// sets the SameSite=Strict session cookie, into the portal, signed in.
import { createServer, type AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemContext } from '../../src/kernel/context.js';
import { addMember, startTestPlatform, type TestPlatform } from '../support/platform.js';
import { startOidcIdp, type TestOidcIdp } from '../support/oidc-idp.js';
import { auditEntries } from '../support/audit.js';
import { assertWebAppsBuilt, bodyRows, cellUnder, definitionOf, launchChromium, signInThroughUi, tableNamed, watchConsole } from './browser.js';

let t: TestPlatform;
let browser: Browser;
let idp: TestOidcIdp;
let base: string;
let tenantId: string;
const PASSWORD = 'the owner’s long passphrase';

/** A free port, so PUBLIC_URL (which our redirect URIs are built from) can be known before listening. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  assertWebAppsBuilt();
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  t = await startTestPlatform({ start: true, env: { PORT: String(port), PUBLIC_URL: base } });
  const staff = await t.signIn();
  tenantId = (await t.platform.app.inject({ method: 'POST', url: '/api/v1/tenants', headers: staff, payload: { organizationName: 'Acme', domain: 'acme.example.com', adminEmail: 'ops@acme.example.com' } })).json().id;
  await t.platform.identity.service.createUser({ email: 'boss@example.com', password: PASSWORD }, systemContext('test'));
  await addMember(t.platform, tenantId, 'boss@example.com', 'owner');
  idp = await startOidcIdp([]);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await idp?.close();
  await t?.close();
});

describe('single sign-on in the browser', () => {
  it('an owner adds an OIDC provider in the portal; a person of the domain signs in email-first through it', { timeout: 120_000 }, async () => {
    const ownerContext = await browser.newContext();
    const owner = await ownerContext.newPage();
    const ownerConsole = watchConsole(owner);
    await owner.goto(`${base}/portal/organization/sso`);
    await signInThroughUi(owner, 'boss@example.com', PASSWORD);
    const providers = tableNamed(owner, 'Identity providers');
    await providers.waitFor();
    await owner.getByRole('button', { name: 'Add identity provider' }).click();
    const form = owner.getByRole('region', { name: 'Add an identity provider' });
    const domains = form.getByLabel('Email domains');
    await form.getByLabel('Name', { exact: true }).fill('Acme Login');
    await domains.fill('gmail.com');
    await form.getByLabel('Issuer URL').fill(idp.issuer);
    await form.getByLabel('Client id', { exact: true }).fill(idp.clientId);
    await form.getByLabel('Client secret', { exact: true }).fill(idp.clientSecret);
    await form.getByLabel('Require single sign-on').check();
    await form.getByRole('button', { name: 'Add provider' }).click();
    // Someone else's domain: refused inline, on the field, naming the domain.
    const domainsError = form.getByRole('alert');
    await domainsError.waitFor();
    expect(await domainsError.textContent()).toContain('gmail.com');
    expect(await domains.getAttribute('aria-invalid')).toBe('true');
    await domains.fill('acme.example.com');
    await form.getByRole('button', { name: 'Add provider' }).click();
    await owner.getByRole('status').filter({ hasText: 'Acme Login is added' }).waitFor();
    // One provider, listed by its name; what to register at it is a region of its own.
    const rows = bodyRows(providers);
    // The list is fetched again after the notice: wait for its row before counting.
    await rows.first().waitFor();
    expect(await rows.count()).toBe(1);
    expect(await cellUnder(rows, 'Name').textContent()).toBe('Acme Login');
    const registration = owner.getByRole('region', { name: 'Register at Acme Login' });
    expect(await definitionOf(registration, 'Client secret').textContent()).toBe('Set');
    const redirectUri = (await definitionOf(registration, 'Redirect URI').textContent())?.trim() ?? '';
    expect(redirectUri).toMatch(new RegExp(`^${base}/api/v1/auth/sso/${tenantId}/idp_[0-9a-z]{26}/callback$`));
    // The secret never reaches the page again.
    expect(await owner.content()).not.toContain(idp.clientSecret);
    expect(ownerConsole).toEqual([]);
    await ownerContext.close();

    // At the provider: register the redirect URI, and let its next sign-in be Wile, with MFA.
    idp.registerRedirectUri(redirectUri);
    idp.signInNext({ email: 'wile@acme.example.com', amr: ['pwd', 'mfa'] });

    const context = await browser.newContext();
    const page = await context.newPage();
    const consoleProblems = watchConsole(page);
    await page.goto(`${base}/portal/`);
    await page.getByLabel('Email', { exact: true }).fill('wile@acme.example.com');
    await page.getByRole('button', { name: 'Continue', exact: true }).click();
    // Mandatory: straight to the provider and back, no password step; lands in the portal signed in.
    await page.getByRole('navigation', { name: 'Main' }).waitFor({ timeout: 30_000 });
    expect(new URL(page.url()).pathname.startsWith('/portal/')).toBe(true);
    expect(await page.getByLabel('Password', { exact: true }).count()).toBe(0);
    await page.getByRole('banner').getByText('wile@acme.example.com', { exact: true }).waitFor();
    const session = await (await page.request.get(`${base}/api/v1/auth/session`)).json();
    expect(session).toMatchObject({ user: { email: 'wile@acme.example.com' }, activeTenantId: tenantId, tenantRole: 'member', restriction: null });
    const cookies = await context.cookies();
    expect(cookies.find((c) => c.name === 'platforma_session')).toMatchObject({ sameSite: 'Strict', httpOnly: true });
    expect(consoleProblems).toEqual([]);
    expect((await auditEntries(t, { action: 'identity.sso.sign_in.succeeded' })).at(-1)?.after).toMatchObject({ protocol: 'oidc', mfaByIdentityProvider: true });
    await context.close();
  });
});
