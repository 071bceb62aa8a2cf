// Account security in a real browser: a refused password says which rules it fails on every form
// that sets one, the recovery codes can be copied and downloaded exactly as shown, and reloading
// the enrolment page keeps the secret an authenticator app may already have scanned.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { addMember, totpCode, type SignedInHeaders } from '../support/platform.js';
import { registerSecret } from '../support/suite-log.js';
import { systemContext } from '../../src/kernel/context.js';
import { browserSuite, errorOf, pageWithSession, signInThroughUi, watchConsole } from './browser.js';

const suite = browserSuite();
const PASSWORD = 'security page passphrase';

async function tenant(admin: SignedInHeaders, name: string, domain: string, authentication: Record<string, unknown>): Promise<string> {
  const created = await suite.t.platform.app.inject({ method: 'POST', url: '/api/v1/tenants', headers: admin, payload: { organizationName: name, domain, adminEmail: `ops@${domain}`, settings: { authentication } } });
  expect(created.statusCode, created.body).toBe(201);
  return created.json().id as string;
}

async function member(email: string, tenantId: string, password = PASSWORD): Promise<void> {
  registerSecret('password', password);
  await suite.t.platform.identity.service.createUser({ email, password }, systemContext('test'));
  await addMember(suite.t.platform, tenantId, email, 'member');
}

/** The link in the newest mail to `to` with this purpose, read as staff through the mail API. */
async function linkMailedTo(admin: SignedInHeaders, to: string, purpose: string): Promise<string> {
  const list = await suite.t.platform.app.inject({ method: 'GET', url: `/api/v1/mail?to=${encodeURIComponent(to)}`, headers: admin });
  const message = (list.json().data as { id: string; purpose: string }[]).find((m) => m.purpose === purpose);
  if (!message) throw new Error(`no ${purpose} mail to ${to}`);
  const text = (await suite.t.platform.app.inject({ method: 'GET', url: `/api/v1/mail/${message.id}`, headers: admin })).json().text as string;
  const link = /https?:\/\/\S+#token=[A-Za-z0-9_-]+/.exec(text)?.[0];
  if (!link) throw new Error('no link in the mail');
  const url = new URL(link);
  return `${suite.base}${url.pathname}${url.hash}`;
}

/** The QR code an authenticator app scans. */
const qrCode = (page: Page) => page.getByRole('img', { name: 'QR code to scan with an authenticator app' });
/** The key the QR code holds, shown to be typed by hand. */
const keyByHand = (page: Page) => page.getByLabel('Or enter this key by hand');

async function shownSecret(page: Page): Promise<string> {
  await qrCode(page).waitFor();
  const secret = (await keyByHand(page).inputValue()).trim();
  registerSecret('TOTP seed', secret);
  return secret;
}

describe('account security in a browser', () => {
  it('names every rule a refused password fails: on the forced password change, the account page and the invitation page', { timeout: 120_000 }, async () => {
    const { t, browser } = suite;
    const admin = await t.signIn();
    const strict = await tenant(admin, 'Strict Rules', 'rules.example.com', { passwordPolicy: { minLength: 16, requireNumbers: true, requireSpecialChars: true, maxAge: 0 } });

    // Signed in with a password the tenant refuses: the session may only change it.
    await member('pat@rules.example.com', strict, 'only letters here at length');
    const forced = await pageWithSession(browser, suite.base, await t.signIn('pat@rules.example.com', 'only letters here at length'));
    try {
      await forced.page.goto(`${suite.base}/portal/`);
      await forced.page.getByRole('heading', { name: 'Choose a new password', level: 1 }).waitFor();
      const newPassword = forced.page.getByLabel('New password', { exact: true });
      await forced.page.getByLabel('Current password', { exact: true }).fill('only letters here at length');
      await newPassword.fill('short');
      await forced.page.getByRole('button', { name: 'Change password' }).click();
      await expect.poll(() => errorOf(newPassword)).toBe('Must be at least 16 characters. Must contain a number. Must contain a special character.');
      expect(await newPassword.getAttribute('aria-invalid')).toBe('true');
      await newPassword.fill('pat@rules.example.com-2024!');
      await forced.page.getByRole('button', { name: 'Change password' }).click();
      await expect.poll(() => errorOf(newPassword)).toBe('Must not contain your email address or be built on its name.');
      expect(forced.consoleProblems).toEqual([]);
    } finally {
      await forced.context.close();
    }

    // The account page of someone working in no strict tenant: the platform default, and the screen for common passwords.
    const relaxed = await tenant(admin, 'Relaxed Rules', 'relaxed-rules.example.com', {});
    await member('lee@relaxed-rules.example.com', relaxed);
    const account = await pageWithSession(browser, suite.base, await t.signIn('lee@relaxed-rules.example.com', PASSWORD));
    try {
      await account.page.goto(`${suite.base}/portal/account/password`);
      expect(await account.page.getByText(/^Your password needs/).textContent()).toContain('must not be a common password or contain your email address');
      const newPassword = account.page.getByLabel('New password', { exact: true });
      await account.page.getByLabel('Current password', { exact: true }).fill(PASSWORD);
      await newPassword.fill('P@ssw0rd2024!');
      await account.page.getByLabel('New password again', { exact: true }).fill('P@ssw0rd2024!');
      await account.page.getByRole('button', { name: 'Change password' }).click();
      await expect.poll(() => errorOf(newPassword)).toBe('Must not be a common or easily guessed password.');
      expect(account.consoleProblems).toEqual([]);
    } finally {
      await account.context.close();
    }

    // Signing up by accepting an invitation: the inviting tenant's policy, rule by rule.
    const invited = await t.platform.app.inject({ method: 'POST', url: `/api/v1/tenants/${strict}/invitations`, headers: admin, payload: { email: 'joiner@example.com', role: 'member' } });
    expect(invited.statusCode, invited.body).toBe(201);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const consoleProblems = watchConsole(page);
    try {
      await page.goto(await linkMailedTo(admin, 'joiner@example.com', 'identity.invitation'));
      const password = page.getByLabel('Choose a password');
      const join = page.getByRole('button', { name: 'Join Strict Rules' });
      await password.fill('joiner-2024-!!!!!');
      await join.click();
      await expect.poll(() => errorOf(password)).toBe('Must not contain your email address or be built on its name.');
      await password.fill('plum');
      await join.click();
      await expect.poll(() => errorOf(password)).toBe('Must be at least 16 characters. Must contain a number. Must contain a special character.');
      await page.screenshot({ path: '/tmp/accept-invitation-password-rules.png' });
      expect(consoleProblems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('keeps the secret across a reload of the forced enrolment page, and the recovery codes copy and download exactly as shown', { timeout: 120_000 }, async () => {
    const { t, browser } = suite;
    const admin = await t.signIn();
    const strict = await tenant(admin, 'Two Factor Shop', 'twofactor.example.com', { mfaRequired: true });
    const email = 'mia@twofactor.example.com';
    await member(email, strict);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, permissions: ['clipboard-read', 'clipboard-write'], acceptDownloads: true });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const consoleProblems = watchConsole(page);
    try {
      await page.goto(`${suite.base}/portal/`);
      await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
      await signInThroughUi(page, email, PASSWORD);
      const enrolHeading = page.getByRole('heading', { name: 'Set up two-step verification', level: 1 });
      await enrolHeading.waitFor();
      const scanned = await shownSecret(page);
      const scannedImage = await qrCode(page).getAttribute('src');

      // The person reloads the page after scanning the code into their app: nothing changes.
      await page.reload();
      await enrolHeading.waitFor();
      expect(await shownSecret(page)).toBe(scanned);
      expect(await qrCode(page).getAttribute('src')).toBe(scannedImage);

      // A code from the app that scanned the page before the reload turns MFA on.
      await page.getByLabel('Code from the app').fill(await totpCode(scanned));
      await page.getByRole('button', { name: 'Turn on two-step verification' }).click();
      await page.getByRole('heading', { name: 'Save your recovery codes', level: 1 }).waitFor();
      const shown = await page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem').allTextContents();
      shown.forEach((code) => registerSecret('recovery code', code));
      expect(shown).toHaveLength(10);

      await page.getByRole('button', { name: 'Copy', exact: true }).click();
      // The button says it worked.
      await page.getByRole('button', { name: 'Copied', exact: true }).waitFor();
      expect(await page.getByRole('button', { name: 'Copy', exact: true }).count()).toBe(0);
      const clipboard = await page.evaluate(() => navigator.clipboard.readText());
      expect(clipboard.trim().split('\n')).toEqual(shown);

      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download .txt' }).click()]);
      expect(download.suggestedFilename()).toBe('platforma-recovery-codes.txt');
      const saved = await readFile((await download.path())!, 'utf8');
      expect(saved.trim().split('\n')).toEqual(shown);
      await page.screenshot({ path: '/tmp/recovery-codes-actions.png' });

      await page.getByRole('button', { name: 'I have saved them — continue' }).click();
      await page.getByRole('navigation', { name: 'Main' }).waitFor();
      expect(consoleProblems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('keeps the secret when the account page is reloaded during set-up, and gives a new one only on "Start over"', { timeout: 90_000 }, async () => {
    const { t, browser } = suite;
    const admin = await t.signIn();
    const relaxed = await tenant(admin, 'Optional Factor', 'optional.example.com', {});
    await member('ola@optional.example.com', relaxed);
    const { context, page, consoleProblems } = await pageWithSession(browser, suite.base, await t.signIn('ola@optional.example.com', PASSWORD));
    try {
      await page.goto(`${suite.base}/portal/account/security`);
      const setUp = page.getByRole('button', { name: 'Set up two-step verification' });
      await setUp.click();
      const scanned = await shownSecret(page);
      await page.reload();
      await setUp.click();
      expect(await shownSecret(page)).toBe(scanned);

      await page.getByRole('button', { name: 'Start over with a new key' }).click();
      await expect.poll(async () => (await keyByHand(page).inputValue()).trim()).not.toBe(scanned);
      const replaced = await shownSecret(page);
      await page.getByLabel('Code from the app').fill(await totpCode(replaced));
      await page.getByRole('button', { name: 'Turn on two-step verification' }).click();
      await page.getByRole('region', { name: 'Save your recovery codes' }).waitFor();
      expect(consoleProblems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
