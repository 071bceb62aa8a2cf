// The invitation link, followed in a real browser: the portal page previews it and creates the account.
import pg from 'pg';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemContext } from '../../src/kernel/context.js';
import { addMember, startTestPlatform, type TestPlatform } from '../support/platform.js';
import { assertWebAppsBuilt, launchChromium, watchConsole } from './browser.js';

let t: TestPlatform;
let browser: Browser;
let base: string;

beforeAll(async () => {
  assertWebAppsBuilt();
  t = await startTestPlatform({ start: true });
  base = `http://127.0.0.1:${(t.platform.app.server.address() as AddressInfo).port}`;
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe('accepting an invitation in the portal', () => {
  it('shows what the link offers, creates the account, and leaves the new member signed in to the portal', async () => {
    const staff = await t.signIn();
    const tenant = (await t.platform.app.inject({ method: 'POST', url: '/api/v1/tenants', headers: staff, payload: { organizationName: 'Hooli', domain: 'hooli.example.com', adminEmail: 'ops@hooli.example.com' } })).json();
    await t.platform.identity.service.createUser({ email: 'gavin@hooli.example.com', password: 'a long enough passphrase' }, systemContext('test'));
    await addMember(t.platform, tenant.id, 'gavin@hooli.example.com', 'owner');
    const owner = await t.signIn('gavin@hooli.example.com', 'a long enough passphrase');
    expect((await t.platform.app.inject({ method: 'POST', url: `/api/v1/tenants/${tenant.id}/invitations`, headers: owner, payload: { email: 'richard@example.com', role: 'developer' } })).statusCode).toBe(201);

    const client = new pg.Client({ connectionString: t.database.ownerUrl });
    await client.connect();
    const { rows } = await client.query<{ text: string }>("select text from notifications.outgoing_mail where \"to\" = 'richard@example.com'");
    await client.end();
    const link = /(http\S+\/portal\/accept-invitation#token=[A-Za-z0-9_-]+)/.exec(rows[0]?.text ?? '')?.[1];
    expect(link).toBeDefined();

    const page = await browser.newPage();
    const consoleErrors = watchConsole(page);
    await page.goto(`${base}${new URL(link as string).pathname}${new URL(link as string).hash}`);
    // What the link offers, said above the form: the organisation, the role and the address.
    const summary = page.getByText(/^Join .+ as .+ with .+\.$/);
    await expect.poll(() => summary.textContent()).toContain('Hooli');
    expect(await summary.textContent()).toBe('Join Hooli as developer with richard@example.com.');
    await page.getByLabel('Choose a password').fill('richards new passphrase');
    await page.getByRole('button', { name: 'Join Hooli' }).click();
    // Accepting signs the person in: the portal opens, working in the organisation they joined.
    await page.waitForURL(`${base}/portal/`);
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    const session = await page.evaluate(async () => (await fetch('/api/v1/auth/session')).json());
    expect(session).toMatchObject({ activeTenantId: tenant.id, tenantRole: 'developer', restriction: null, user: { email: 'richard@example.com' } });

    const richard = await t.signIn('richard@example.com', 'richards new passphrase');
    expect((await t.platform.app.inject({ method: 'GET', url: '/api/v1/me', headers: richard })).json().memberships).toEqual([{ tenantId: tenant.id, organizationName: 'Hooli', role: 'developer' }]);
    expect(consoleErrors).toEqual([]);
    await page.close();
  });
});
