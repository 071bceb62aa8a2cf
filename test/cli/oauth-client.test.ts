// `platforma oauth-client create`, the real command in a real process, against the database of an
// in-process platform: the client it prints works with a standard client (openid-client) on that
// platform, and a second replica on the same database shares the signing keys.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as client from 'openid-client';
import { loadPlatformConfig as loadConfig } from '../../src/registry.js';
import { createPlatform } from '../../src/platform.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { injectFetch } from '../support/oauth.js';
import { runCli } from '../support/cli.js';

const ORIGIN = 'http://platforma.test';
let t: TestPlatform;
let tenantId: string;

beforeAll(async () => {
  t = await startTestPlatform({ env: { PUBLIC_URL: ORIGIN } });
  const staff = await t.signIn();
  const created = await t.platform.app.inject({ method: 'POST', url: '/api/v1/tenants', headers: staff, payload: { organizationName: 'Cli Co', domain: 'cli.example.com', adminEmail: 'ops@cli.example.com' } });
  tenantId = created.json().id;
});
afterAll(() => t.close());

describe('platforma oauth-client create', () => {
  it('prints client_id, the secret once and the issuer; the client gets tokens the API accepts, on every replica', async () => {
    const result = await runCli(['oauth-client', 'create', '--tenant', tenantId, '--name', 'Billing sync', '--grant', 'client_credentials', '--scopes', 'tenants:read,identity:read'], {
      DATABASE_URL: t.database.ownerUrl,
      PUBLIC_URL: ORIGIN,
      LOG_LEVEL: 'silent',
    });
    expect(result.code, result.stderr).toBe(0);
    const printed = JSON.parse(result.stdout);
    expect(printed).toMatchObject({ issuer: `${ORIGIN}/oauth`, tenant_id: tenantId, grant_type: 'client_credentials', scopes: ['tenants:read', 'identity:read'], role: 'read-only' });
    expect(printed.client_id).toMatch(/^oac_/);
    expect(printed.client_secret).toMatch(/^oacs_/);

    const config = await client.discovery(new URL(printed.issuer), printed.client_id, undefined, client.ClientSecretBasic(printed.client_secret), {
      [client.customFetch]: injectFetch(t.platform.app),
      execute: [client.allowInsecureRequests],
    });
    config[client.customFetch] = injectFetch(t.platform.app);
    const { access_token: token } = await client.clientCredentialsGrant(config, { scope: 'tenants:read' });
    const read = await t.platform.app.inject({ method: 'GET', url: `/api/v1/tenants/${tenantId}`, headers: { authorization: `Bearer ${token}` } });
    expect(read.statusCode, read.body).toBe(200);

    // Another replica on the same database verifies the same token: the keys live in the database.
    const replica = await createPlatform({
      config: loadConfig({ DATABASE_URL: t.database.ownerUrl, LOG_LEVEL: 'silent', PUBLIC_URL: ORIGIN }),
      database: { ownerUrl: t.database.ownerUrl, appUrl: t.database.appUrl, embedded: false, release: async () => {} },
    });
    try {
      const again = await replica.app.inject({ method: 'GET', url: `/api/v1/tenants/${tenantId}`, headers: { authorization: `Bearer ${token}` } });
      expect(again.statusCode, again.body).toBe(200);
    } finally {
      await replica.app.close();
      await replica.kernel.db.destroy();
    }
  });

  it('refuses an authorization_code client without a redirect URI, naming the option', async () => {
    const result = await runCli(['oauth-client', 'create', '--tenant', tenantId, '--name', 'No redirect', '--grant', 'authorization_code'], { DATABASE_URL: t.database.ownerUrl, LOG_LEVEL: 'silent' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('--redirectUris');
  });
});
