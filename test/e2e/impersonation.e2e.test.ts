// The impersonation banner in a real browser: while support staff act as a tenant user, every page
// of the app says whose account it is and who is behind it; "Stop impersonating" ends it and the
// page shows the staff member again.
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, startTestPlatform, type TestPlatform } from '../support/platform.js';
import { systemContext } from '../../src/kernel/context.js';
import { WEB_DIST, assertWebAppsBuilt, launchChromium, watchConsole, navLink } from './browser.js';

const SCREENSHOT = '/tmp/impersonation-banner.png';
const PASSWORD = 'banner test passphrase';

let t: TestPlatform;
let browser: Browser;
let baseUrl: string;

beforeAll(async () => {
  assertWebAppsBuilt();
  t = await startTestPlatform({ start: true, env: { PLATFORMA_WEB_DIST: WEB_DIST } });
  baseUrl = `http://127.0.0.1:${(t.platform.app.server.address() as AddressInfo).port}`;
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe('the impersonation banner', () => {
  it('shows who is impersonated and by whom on every page, and stops impersonating from its button', { timeout: 90_000 }, async () => {
    const admin = await t.signIn();
    const tenant = await t.platform.app.inject({ method: 'POST', url: '/api/v1/tenants', headers: admin, payload: { organizationName: 'Bannered', domain: 'bannered.example.com', adminEmail: 'ops@bannered.example.com' } });
    const tenantId = tenant.json().id as string;
    const mia = await t.platform.identity.service.createUser({ email: 'mia@bannered.example.com', password: PASSWORD }, systemContext('test'));
    await addMember(t.platform, tenantId, mia.email, 'member');
    await t.platform.identity.service.createUser({ email: 'sam@support.example.com', password: PASSWORD, platformRole: 'support' }, systemContext('test'));
    const support = await t.signIn('sam@support.example.com', PASSWORD);
    const started = await t.platform.app.inject({ method: 'POST', url: '/api/v1/impersonations', headers: support, payload: { userId: mia.id, tenantId, reason: 'Ticket 99: portal looks empty' } });
    expect(started.statusCode, started.body).toBe(201);

    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const [name, value] = support.cookie.split('=') as [string, string];
    await context.addCookies([{ name, value, url: baseUrl, httpOnly: true, sameSite: 'Strict' }]);
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    const consoleProblems = watchConsole(page);
    try {
      await page.goto(`${baseUrl}/portal`);
      const banner = page.getByRole('status').filter({ hasText: 'You are acting as' });
      await banner.waitFor();
      expect(await banner.textContent()).toContain('You are acting as mia@bannered.example.com (signed in as sam@support.example.com; reason: Ticket 99');
      await page.getByRole('banner').getByText('mia@bannered.example.com', { exact: true }).waitFor();
      // Another page of the app: still there.
      await navLink(page, 'Orders').click();
      await banner.waitFor();
      await page.screenshot({ path: SCREENSHOT });

      await page.getByRole('button', { name: 'Stop impersonating' }).click();
      await banner.waitFor({ state: 'detached' });
      await page.getByRole('banner').getByText('sam@support.example.com', { exact: true }).waitFor();
      expect(consoleProblems).toEqual([]);
    } finally {
      await context.close();
    }
    // The server agrees: the session is the staff member's own again.
    expect((await t.platform.app.inject({ method: 'GET', url: '/api/v1/auth/session', headers: support })).json()).toMatchObject({ user: { email: 'sam@support.example.com' }, impersonatedBy: null });
  });
});
