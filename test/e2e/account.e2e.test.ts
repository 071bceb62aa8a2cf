// The signed-in person's own account in a real browser, against a real platform: signing in with a
// TOTP code, enrolling MFA from the account page and signing in with it (and a recovery code, once),
// a personal API key shown once and used from a script until it is revoked in the page, ending
// another session, resetting a forgotten password from the mailed link, confirming the email
// address from its link, and switching organisation from the top bar.
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, ADMIN_PASSWORD, startTestPlatform, totpCode, type SignedInHeaders, type TestPlatform } from '../support/platform.js';
import { registerSecret } from '../support/suite-log.js';
import { systemContext } from '../../src/kernel/context.js';
import { WEB_DIST, assertWebAppsBuilt, cellUnder, definitionOf, errorOf, launchChromium, navLink, pressInDialog, row, signInThroughUi, watchConsole } from './browser.js';

const PASSWORD = 'account page passphrase';

let t: TestPlatform;
let admin: SignedInHeaders;
let browser: Browser;
let baseUrl: string;

beforeAll(async () => {
  assertWebAppsBuilt();
  t = await startTestPlatform({ start: true, env: { PLATFORMA_WEB_DIST: WEB_DIST } });
  admin = await t.signIn();
  baseUrl = `http://127.0.0.1:${(t.platform.app.server.address() as AddressInfo).port}`;
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

function inject(method: 'GET' | 'POST' | 'DELETE', url: string, headers: Record<string, string>, payload?: object) {
  return t.platform.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload }) });
}

async function tenant(name: string, domain: string): Promise<string> {
  const created = await inject('POST', '/api/v1/tenants', admin, { organizationName: name, domain, adminEmail: `ops@${domain}` });
  expect(created.statusCode, created.body).toBe(201);
  return created.json().id as string;
}

/** A person with a password, member of each of these tenants (in order). */
async function member(email: string, ...tenantIds: string[]): Promise<void> {
  await memberAs('member', email, ...tenantIds);
}

async function memberAs(role: string, email: string, ...tenantIds: string[]): Promise<void> {
  await t.platform.identity.service.createUser({ email, password: PASSWORD }, systemContext('test'));
  for (const tenantId of tenantIds) {
    await addMember(t.platform, tenantId, email, role);
  }
}

async function newPage(session?: SignedInHeaders): Promise<{ context: BrowserContext; page: Page; consoleProblems: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  if (session) {
    // Sign-in is not what such a test is about: the browser starts with a session made through the API.
    const [name, value] = [session.cookie.slice(0, session.cookie.indexOf('=')), session.cookie.slice(session.cookie.indexOf('=') + 1)];
    await context.addCookies([{ name, value, url: baseUrl, httpOnly: true, sameSite: 'Strict' }]);
  }
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  return { context, page, consoleProblems: watchConsole(page) };
}

/** Every sign-in through the page goes through here: the email step, then the password step. */
async function signInThroughPage(page: Page, email: string, password: string): Promise<void> {
  registerSecret('password', password);
  await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
  await signInThroughUi(page, email, password);
}

/** The newest mail to `to` with this purpose, read as staff through the mail API (no SMTP: the platform stores it). */
async function linkMailedTo(to: string, purpose: string): Promise<string> {
  const list = await inject('GET', `/api/v1/mail?to=${encodeURIComponent(to)}`, admin);
  const message = (list.json().data as { id: string; purpose: string }[]).find((m) => m.purpose === purpose);
  if (!message) throw new Error(`no ${purpose} mail to ${to}`);
  const text = (await inject('GET', `/api/v1/mail/${message.id}`, admin)).json().text as string;
  const link = /https?:\/\/\S+#token=[A-Za-z0-9_-]+/.exec(text)?.[0];
  if (!link) throw new Error(`no link in the mail: ${text}`);
  registerSecret('mailed token', new URL(link).hash.slice('#token='.length));
  // The link names PUBLIC_URL; the test server listens on its own port.
  return `${baseUrl}${new URL(link).pathname}${new URL(link).hash}`;
}

/** The app itself (not a sign-in step): its main navigation. */
const appShell = (page: Page) => page.getByRole('navigation', { name: 'Main' });
/** The second step of signing in, where the authenticator's code (or a recovery code) is asked for. */
const mfaStep = (page: Page) => page.getByRole('heading', { name: 'Two-step verification', level: 1 });
/** The account page's two-step verification section. */
const mfaSection = (page: Page) => page.getByRole('region', { name: 'Two-step verification' });
/** The section's status badge, On or Off (exactly one of them shows). */
const mfaStatus = (page: Page) => mfaSection(page).getByText(/^(On|Off)$/);
/** How many unused recovery codes the section says are left. */
async function recoveryCodesLeft(page: Page): Promise<string | undefined> {
  return /You have (\d+) unused recovery codes/.exec((await mfaSection(page).getByText(/unused recovery codes/).textContent()) ?? '')?.[1];
}

describe('account pages in a browser', () => {
  it('signs in with a TOTP code, enrols MFA from the account page, then signs in with it and with a recovery code once', { timeout: 180_000 }, async () => {
    // Staff must have MFA: the password step, then the code the authenticator shows now.
    const staff = 'carla@example.com';
    await t.platform.identity.service.createUser({ email: staff, password: ADMIN_PASSWORD, platformRole: 'platform-admin' }, systemContext('test'));
    await t.signIn(staff, ADMIN_PASSWORD);
    const admins = await newPage();
    try {
      await admins.page.goto(`${baseUrl}/admin`);
      await signInThroughPage(admins.page, staff, ADMIN_PASSWORD);
      await mfaStep(admins.page).waitFor();
      await admins.page.getByLabel('Authentication code').fill(await totpCode(t.totpSecret(staff)!));
      await admins.page.getByRole('button', { name: 'Verify', exact: true }).click();
      await appShell(admins.page).waitFor();
      // The account page says MFA is on and, for staff, mandatory.
      await navLink(admins.page, 'Account').click();
      await admins.page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Two-step verification' }).click();
      expect(await mfaStatus(admins.page).textContent()).toBe('On');
      await mfaSection(admins.page).getByText(/It is mandatory for your account/).waitFor();
      expect(await admins.page.getByRole('button', { name: 'Turn off two-step verification' }).count()).toBe(0);
      expect(admins.consoleProblems).toEqual([]);
    } finally {
      await admins.context.close();
    }

    // A tenant user without MFA turns it on from the account page.
    const email = 'tess@mfa.example.com';
    await member(email, await tenant('Factor Two', 'mfa.example.com'));
    const { context, page, consoleProblems } = await newPage();
    try {
      await page.goto(`${baseUrl}/portal/account/security`);
      await signInThroughPage(page, email, PASSWORD);
      await mfaSection(page).waitFor();
      expect(await mfaStatus(page).textContent()).toBe('Off');
      await page.getByRole('button', { name: 'Set up two-step verification' }).click();
      await page.getByRole('img', { name: 'QR code to scan with an authenticator app' }).waitFor();
      const secret = (await page.getByLabel('Or enter this key by hand').inputValue()).trim();
      registerSecret('TOTP seed', secret);
      await page.getByLabel('Code from the app').fill('000000');
      await page.getByRole('button', { name: 'Turn on two-step verification' }).click();
      await mfaSection(page).getByRole('alert').waitFor();
      await page.getByLabel('Code from the app').fill(await totpCode(secret));
      await page.getByRole('button', { name: 'Turn on two-step verification' }).click();
      const codeList = page.getByRole('list', { name: 'Recovery codes' });
      await codeList.waitFor();
      const recoveryCodes = await codeList.getByRole('listitem').allTextContents();
      await page.screenshot({ path: '/tmp/account-recovery-codes.png' });
      expect(recoveryCodes).toHaveLength(10);
      recoveryCodes.forEach((code) => registerSecret('recovery code', code));
      await page.getByRole('region', { name: 'Save your recovery codes' }).getByRole('button', { name: 'I have saved them' }).click();
      await expect.poll(() => recoveryCodesLeft(page)).toBe('10');
      expect(await mfaStatus(page).textContent()).toBe('On');

      // Signing in again now takes a code from the authenticator.
      await page.getByRole('button', { name: 'Sign out' }).click();
      await signInThroughPage(page, email, PASSWORD);
      await mfaStep(page).waitFor();
      await page.getByLabel('Authentication code').fill(await totpCode(secret));
      await page.getByRole('button', { name: 'Verify', exact: true }).click();
      await mfaSection(page).waitFor();

      // A recovery code works instead, once.
      await page.getByRole('button', { name: 'Sign out' }).click();
      await signInThroughPage(page, email, PASSWORD);
      await mfaStep(page).waitFor();
      await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
      await page.getByLabel('Recovery code', { exact: true }).fill(recoveryCodes[0]!);
      await page.getByRole('button', { name: 'Verify', exact: true }).click();
      await expect.poll(() => recoveryCodesLeft(page)).toBe('9');
      await page.getByRole('button', { name: 'Sign out' }).click();
      await signInThroughPage(page, email, PASSWORD);
      await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
      await page.getByLabel('Recovery code', { exact: true }).fill(recoveryCodes[0]!);
      await page.getByRole('button', { name: 'Verify', exact: true }).click();
      await page.getByRole('alert').waitFor();
      expect(await mfaStep(page).count()).toBe(1);
      expect(await appShell(page).count()).toBe(0);
      expect(consoleProblems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('creates a personal API key, shows its secret once for a script to use, and revokes it so the very next call is refused', { timeout: 90_000 }, async () => {
    const tenantId = await tenant('Keyed', 'keyed.example.com');
    await member('kim@keyed.example.com', tenantId);
    const { context, page, consoleProblems } = await newPage(await t.signIn('kim@keyed.example.com', PASSWORD));
    try {
      await page.goto(`${baseUrl}/portal/account/api-keys`);
      const keys = page.getByRole('region', { name: 'Personal API keys' });
      const noKeys = keys.getByText('You have no personal API keys.');
      await noKeys.waitFor();
      // Only the rows of keys: the header row holds column headers, not cells.
      const keyRows = keys.getByRole('table', { name: 'Personal API keys' }).getByRole('row').filter({ has: page.getByRole('cell') });
      // A past expiry is refused inline, and nothing is created.
      const expires = page.getByLabel('Expires on');
      await page.getByLabel('Name', { exact: true }).fill('deploy script');
      await page.getByLabel('Scopes').fill('tenants:tenant.read');
      await expires.fill('2020-01-01');
      await page.getByRole('button', { name: 'Create key' }).click();
      await expect.poll(() => errorOf(expires)).toBe('Choose a date in the future.');
      expect(await expires.getAttribute('aria-invalid')).toBe('true');
      expect(await keyRows.count()).toBe(0);
      await expires.fill('');
      await page.getByRole('button', { name: 'Create key' }).click();

      const created = page.getByRole('region', { name: 'Your new key “deploy script”' });
      await created.waitFor();
      expect(await created.getByText(/shown only once/).textContent()).toContain('shown only once');
      // The secret is the one text of the panel in the key format.
      const shownSecret = created.getByText(/^pk_[a-z0-9]{8}_\S+$/);
      const secret = (await shownSecret.textContent())!.trim();
      registerSecret('API key', secret);
      const keyRow = row(keys, 'deploy script');
      // The list reloads after the secret appears: wait for the row rather than counting at once.
      await keyRow.waitFor();
      expect(await keyRows.count()).toBe(1);
      const prefix = (await cellUnder(keyRow, 'Key').textContent())!.replace(/_…$/, '');
      expect(prefix).toMatch(/^pk_[a-z0-9]{8}$/);
      expect(secret.startsWith(`${prefix}_`)).toBe(true);
      expect(await cellUnder(keyRow, 'Last used').textContent()).toBe('Never');
      await page.screenshot({ path: '/tmp/account-api-key.png', fullPage: true });
      await created.getByRole('button', { name: 'I have copied it' }).click();
      expect(await created.count()).toBe(0);
      expect(await page.getByText(secret).count()).toBe(0);

      // A script, outside the browser, calls the API with the key.
      const call = () => fetch(`${baseUrl}/api/v1/tenants/${tenantId}`, { headers: { authorization: `Bearer ${secret}` } });
      const allowed = await call();
      expect(allowed.status).toBe(200);
      expect(((await allowed.json()) as { organizationName: string }).organizationName).toBe('Keyed');
      await page.reload();
      await expect.poll(() => cellUnder(keyRow, 'Last used').textContent()).not.toBe('Never');

      await keyRow.getByRole('button', { name: 'Revoke' }).click();
      await pressInDialog(page, 'Revoke key');
      expect(await page.getByRole('status').filter({ hasText: 'is revoked' }).textContent()).toBe('The key “deploy script” is revoked: calls with it are refused from now on.');
      await noKeys.waitFor();
      expect((await call()).status).toBe(401);
      expect(consoleProblems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('lists the person’s sessions with the current one marked, and ending the other one signs it out', { timeout: 60_000 }, async () => {
    await member('sid@sessions.example.com', await tenant('Sessions', 'sessions.example.com'));
    const browserSession = await t.signIn('sid@sessions.example.com', PASSWORD);
    const other = await t.signIn('sid@sessions.example.com', PASSWORD);
    const { context, page, consoleProblems } = await newPage(browserSession);
    try {
      await page.goto(`${baseUrl}/portal/account/sessions`);
      const sessions = page.getByRole('region', { name: 'Sessions' });
      // Only the rows of sessions: the header row holds column headers, not cells.
      const rows = sessions.getByRole('table', { name: 'Sessions' }).getByRole('row').filter({ has: page.getByRole('cell') });
      await rows.first().waitFor();
      expect(await rows.count()).toBe(2);
      await page.screenshot({ path: '/tmp/account-sessions.png' });
      // The current session is marked, and its button signs out here; the other one's ends it.
      const current = rows.filter({ hasText: 'This session' });
      expect(await current.count()).toBe(1);
      expect(await current.getByRole('button').textContent()).toBe('Sign out here');
      const otherRow = rows.filter({ hasNotText: 'This session' });
      expect(await otherRow.count()).toBe(1);
      await otherRow.getByRole('button', { name: 'End session', exact: true }).click();
      await pressInDialog(page, 'End session');
      expect(await sessions.getByRole('status').textContent()).toBe('The session has ended. That browser is signed out.');
      await expect.poll(() => rows.count()).toBe(1);
      expect(await rows.getByText('This session', { exact: true }).count()).toBe(1);
      expect((await inject('GET', '/api/v1/me', other)).statusCode).toBe(401);
      expect((await inject('GET', '/api/v1/me', browserSession)).statusCode).toBe(200);

      // Ending this browser's own session signs it out.
      await rows.getByRole('button', { name: 'Sign out here', exact: true }).click();
      await pressInDialog(page, 'End it and sign out');
      await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
      expect((await inject('GET', '/api/v1/me', browserSession)).statusCode).toBe(401);
      expect(consoleProblems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('changes the password on the account page: a wrong current password and what the policy misses are shown inline', { timeout: 60_000 }, async () => {
    const strict = await tenant('Strict', 'strict.example.com');
    const policy = await t.platform.app.inject({ method: 'PATCH', url: `/api/v1/tenants/${strict}`, headers: admin, payload: { settings: { authentication: { passwordPolicy: { minLength: 16, requireNumbers: true, requireSpecialChars: true, maxAge: 0 } } } } });
    expect(policy.statusCode, policy.body).toBe(200);
    const email = 'pat@strict.example.com';
    // A password the strict policy accepts (one it refuses would hold the session at the password step).
    const current = 'Original+passphrase-1';
    await t.platform.identity.service.createUser({ email, password: current }, systemContext('test'));
    await addMember(t.platform, strict, email, 'member');
    registerSecret('password', current);
    registerSecret('password', 'Sixteen+chars-and-2-digits');
    const { context, page, consoleProblems } = await newPage(await t.signIn(email, current));
    try {
      await page.goto(`${baseUrl}/portal/account/password`);
      const form = page.getByRole('region', { name: 'Change your password' });
      const currentPassword = form.getByLabel('Current password', { exact: true });
      const newPassword = form.getByLabel('New password', { exact: true });
      const repeatPassword = form.getByLabel('New password again', { exact: true });
      const submit = form.getByRole('button', { name: 'Change password' });
      expect(await form.getByText(/^Your password needs/).textContent()).toContain('at least 16 characters, a number and a special character');
      await currentPassword.fill('not my password at all');
      await newPassword.fill('Sixteen+chars-and-2-digits');
      await repeatPassword.fill('Sixteen+chars-and-2-digits');
      await submit.click();
      await expect.poll(() => errorOf(currentPassword)).toBe('This is not your current password.');
      expect(await currentPassword.getAttribute('aria-invalid')).toBe('true');
      // Still signed in: a wrong password is not the end of the session.
      expect(await appShell(page).count()).toBe(1);

      await currentPassword.fill(current);
      await newPassword.fill('only letters here at length');
      await repeatPassword.fill('only letters here at length');
      await submit.click();
      await expect.poll(() => errorOf(newPassword)).toBe('Must contain a number. Must contain a special character.');
      expect(await errorOf(currentPassword)).toBe('');
      await page.screenshot({ path: '/tmp/account-password.png' });

      await newPassword.fill('Sixteen+chars-and-2-digits');
      await repeatPassword.fill('Sixteen+chars-and-2-digits');
      await submit.click();
      expect(await form.getByRole('status').textContent()).toBe('Your password has been changed. Your other sessions have ended.');
      expect((await t.platform.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', payload: { email, password: 'Sixteen+chars-and-2-digits' } })).statusCode).toBe(200);
      expect(consoleProblems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('resets a forgotten password from the mailed link and signs in with the new one', { timeout: 60_000 }, async () => {
    const email = 'fay@forgetful.example.com';
    await member(email, await tenant('Forgetful', 'forgetful.example.com'));
    const { context, page, consoleProblems } = await newPage();
    try {
      await page.goto(`${baseUrl}/portal`);
      await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
      await page.getByRole('link', { name: 'Forgot password?' }).click();
      await page.getByLabel('Email', { exact: true }).fill(email);
      await page.getByRole('button', { name: 'Send reset link' }).click();
      expect(await page.getByRole('status').textContent()).toContain(`If an account exists for ${email}, a reset link is on its way.`);

      await page.goto(await linkMailedTo(email, 'identity.password_reset'));
      await page.getByRole('heading', { name: 'Choose a new password', level: 1 }).waitFor();
      // The policy's refusal shows under the field, and the link still works afterwards.
      const newPassword = page.getByLabel('New password', { exact: true });
      await newPassword.fill('too short');
      await page.getByLabel('New password again', { exact: true }).fill('too short');
      await page.getByRole('button', { name: 'Set new password' }).click();
      await expect.poll(() => errorOf(newPassword)).toContain('at least 12 characters');
      await page.screenshot({ path: '/tmp/account-reset-password.png' });
      await newPassword.fill('a remembered passphrase');
      await page.getByLabel('New password again', { exact: true }).fill('a remembered passphrase');
      await page.getByRole('button', { name: 'Set new password' }).click();
      expect(await page.getByRole('status').textContent()).toBe('Your password has been changed.');
      await page.getByRole('link', { name: 'Sign in', exact: true }).click();

      await signInThroughPage(page, email, PASSWORD);
      expect(await page.getByRole('alert').textContent()).toContain('The email or password is wrong.');
      await page.goto(`${baseUrl}/portal`);
      await signInThroughPage(page, email, 'a remembered passphrase');
      await appShell(page).waitFor();
      expect(consoleProblems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it.each(['admin', 'partner'])('%s also links from its sign-in page to its own forgot-password page, and back', { timeout: 30_000 }, async (app) => {
    const { context, page, consoleProblems } = await newPage();
    try {
      await page.goto(`${baseUrl}/${app}`);
      await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
      await page.getByRole('link', { name: 'Forgot password?' }).click();
      await page.getByRole('heading', { name: 'Reset your password', level: 1 }).waitFor();
      expect(new URL(page.url()).pathname).toBe(`/${app}/forgot-password`);
      await page.getByRole('link', { name: 'Back to sign in' }).click();
      await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
      expect(consoleProblems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('saves the name to be shown by, sends a verification link from the profile, and the link confirms the address', { timeout: 60_000 }, async () => {
    const email = 'vic@verified.example.com';
    await member(email, await tenant('Verified', 'verified.example.com'));
    const { context, page, consoleProblems } = await newPage(await t.signIn(email, PASSWORD));
    try {
      await page.goto(`${baseUrl}/portal/account`);
      const profile = page.getByRole('region', { name: 'Profile' });
      await definitionOf(profile, 'Email').getByText('Unverified', { exact: true }).waitFor();
      // The name to be shown by: too long is refused under the field, then saved.
      const displayName = profile.getByLabel('Name to be shown by');
      const save = profile.getByRole('button', { name: 'Save name' });
      await displayName.evaluate((input) => input.removeAttribute('maxlength'));
      await displayName.fill('V'.repeat(101));
      await save.click();
      await expect.poll(() => errorOf(displayName)).not.toBe('');
      expect(await displayName.getAttribute('aria-invalid')).toBe('true');
      await displayName.fill('Victoria Verity');
      await save.click();
      expect(await profile.getByRole('status').textContent()).toBe('Your name is saved.');
      await expect.poll(() => definitionOf(profile, 'Name').textContent()).toBe('Victoria Verity');
      await profile.getByRole('button', { name: 'Send verification link' }).click();
      expect(await profile.getByRole('status').filter({ hasText: 'verification link' }).textContent()).toContain(`A verification link is on its way to ${email}.`);
      await page.goto(await linkMailedTo(email, 'identity.email_verification'));
      expect(await page.getByRole('status').textContent()).toBe('Your email address is confirmed.');
      await page.getByRole('link', { name: 'Continue', exact: true }).click();
      await navLink(page, 'Account').click();
      await definitionOf(page.getByRole('region', { name: 'Profile' }), 'Email').getByText('Verified', { exact: true }).waitFor();
      expect(consoleProblems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('switches organisation from the top bar without signing in again, and the page then shows the new organisation’s data', { timeout: 60_000 }, async () => {
    const acme = await tenant('Acme', 'acme.example.com');
    const globex = await tenant('Globex', 'globex.example.com');
    const email = 'sam@two.example.com';
    await memberAs('owner', email, acme, globex);
    await member('ann@acme.example.com', acme);
    await member('gil@globex.example.com', globex);
    const session = await t.signIn(email, PASSWORD);
    const { context, page, consoleProblems } = await newPage(session);
    const memberships = page.getByRole('table', { name: 'Organisations' });
    // The organisation of the row marked Current (the one the session works in).
    const currentOrganisation = () => cellUnder(memberships.getByRole('row').filter({ has: page.getByText('Current', { exact: true }) }), 'Organisation').textContent();
    const switcher = page.getByRole('banner').getByRole('combobox', { name: 'Organisation' });
    try {
      await page.goto(`${baseUrl}/portal/account/profile`);
      await memberships.waitFor();
      const startedIn = (await inject('GET', '/api/v1/auth/session', session)).json().activeTenantId as string;
      const [from, to] = startedIn === acme ? (['Acme', globex] as const) : (['Globex', acme] as const);
      await expect.poll(currentOrganisation).toBe(from);
      await page.screenshot({ path: '/tmp/account-profile.png' });
      await switcher.selectOption(to);
      await expect.poll(currentOrganisation).toBe(from === 'Acme' ? 'Globex' : 'Acme');
      expect(await switcher.inputValue()).toBe(to);
      expect((await inject('GET', '/api/v1/auth/session', session)).json().activeTenantId).toBe(to);
      // Still the same session: nothing asked to sign in.
      expect(await page.getByRole('heading', { name: 'Sign in', level: 1 }).count()).toBe(0);

      // A page of tenant data shows the tenant worked in, and switching shows the other's.
      const [own, others] = to === globex ? (['gil@globex.example.com', 'ann@acme.example.com'] as const) : (['ann@acme.example.com', 'gil@globex.example.com'] as const);
      await page.goto(`${baseUrl}/portal/organization/members`);
      await row(page, own).waitFor();
      expect(await row(page, others).count()).toBe(0);
      await switcher.selectOption(startedIn);
      await row(page, others).waitFor();
      expect(await row(page, own).count()).toBe(0);
      expect(consoleProblems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
