// The tenant page in the admin console shows real usage: its members against the user quota (a
// tenant with two members said "Users 0 of 10"), and what its live orders hold of the others.
import { describe, expect, it } from 'vitest';
import { systemContext } from '../../src/kernel/context.js';
import { addMember } from '../support/platform.js';
import { browserSuite, pageWithSession } from './browser.js';

const suite = browserSuite();

describe('the tenant page', () => {
  it('counts the tenant’s members against its user quota', { timeout: 90_000 }, async () => {
    const { t, browser, base } = suite;
    const staff = await t.signIn();
    const created = await t.platform.app.inject({ method: 'POST', url: '/api/v1/tenants', headers: staff, payload: { organizationName: 'Counted', domain: 'counted.example.com', adminEmail: 'ops@counted.example.com' } });
    const tenant = created.json() as { id: string; quotas: { maxUsers: number } };
    for (const email of ['one@counted.example.com', 'two@counted.example.com']) {
      await t.platform.identity.service.createUser({ email, password: 'counted member passphrase' }, systemContext('test'));
      await addMember(t.platform, tenant.id, email, 'member');
    }
    const { context, page, consoleProblems } = await pageWithSession(browser, base, staff);
    try {
      await page.goto(`${base}/admin/tenants/${tenant.id}`);
      const usage = page.getByRole('region', { name: 'Subscription and usage' });
      const members = usage.getByRole('meter', { name: 'Members' });
      await members.waitFor();
      expect(await members.getAttribute('aria-valuenow')).toBe('2');
      expect(await members.getAttribute('aria-valuemax')).toBe(String(tenant.quotas.maxUsers));
      expect(await members.getAttribute('aria-valuetext')).toBe(`2 of ${tenant.quotas.maxUsers}`);
      expect(await usage.textContent()).toContain(`2 of ${tenant.quotas.maxUsers}`);
      expect(await usage.textContent()).not.toContain('Usage last updated');
      expect(consoleProblems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
