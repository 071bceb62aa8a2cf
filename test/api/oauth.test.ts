// The OAuth 2.0 / OpenID Connect authorization server: discovery, keys, client credentials driven by
// a standard client (openid-client 6), the tokens used against the Platforma API, and the tenant
// routes for clients. Authorization code + PKCE: oauth-authorization-code.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as client from 'openid-client';
import { startTestPlatform, type TestPlatform, type SignedInHeaders } from '../support/platform.js';
import { clientCredentialsToken, discoverOAuth, oauthError, oauthSuiteFixtures } from '../support/oauth.js';

const ORIGIN = 'http://platforma.test';
const ISSUER = `${ORIGIN}/oauth`;
const PASSWORD = 'a long enough passphrase';

let t: TestPlatform;
/** Everything the platform logged, and every credential the tests saw: none may meet. */
const logLines: string[] = [];
const credentialsSeen: string[] = [];
let staff: SignedInHeaders;
let tenantA: string;
let tenantB: string;

const { api, bearer, createTenant, createPerson, createClient } = oauthSuiteFixtures({
  platform: () => t,
  staff: () => staff,
  credentialsSeen,
  password: PASSWORD,
  host: 'platforma.test',
});

const discover = (clientId: string, clientSecret: string) => discoverOAuth(t.platform.app, ISSUER, clientId, clientSecret);

beforeAll(async () => {
  t = await startTestPlatform({ env: { PUBLIC_URL: ORIGIN, LOG_LEVEL: 'trace' }, logDestination: { write: (line: string) => void logLines.push(line) } });
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

  it('keeps signing keys where only the owner and the application role can read them, and the app cannot change them', async () => {
    const pg = await import('pg');
    const db = new pg.default.Client({ connectionString: t.database.ownerUrl });
    await db.connect();
    try {
      const { rows } = await db.query(`select has_table_privilege('platforma_app', 'identity.oauth_keys', 'select') as app_reads,
        has_table_privilege('platforma_app', 'identity.oauth_keys', 'update') as app_updates,
        has_table_privilege('platforma_app', 'identity.oauth_keys', 'delete') as app_deletes,
        has_table_privilege('public', 'identity.oauth_keys', 'select') as public_reads,
        (select count(*)::int from identity.oauth_keys where purpose = 'signing') as signing_keys`);
      expect(rows[0]).toEqual({ app_reads: true, app_updates: false, app_deletes: false, public_reads: false, signing_keys: 1 });
    } finally {
      await db.end();
    }
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
    const token = await clientCredentialsToken(t.platform.app, { host: 'platforma.test', ...staff }, tenantA, { role: 'owner', scopes: ['tenants:write', 'identity:write'] });
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
    const audit = (await api('GET', `/api/v1/tenants/${tenantB}/audit-events?limit=100`, staff)).json().data as { action: string; target: { id: string } }[];
    const trail = audit.filter((entry) => entry.target.id === created.clientId).map((entry) => entry.action);
    expect(trail.sort()).toEqual(['identity.oauth_client.created', 'identity.oauth_client.deleted']);
    expect(JSON.stringify(audit)).not.toContain(created.clientSecret);
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

describe('logs', () => {
  it('never contain a client secret, an access or refresh token or an authorization code seen in these tests', () => {
    expect(credentialsSeen.length).toBeGreaterThan(5);
    for (const credential of credentialsSeen) {
      const leaked = logLines.find((line) => line.includes(credential));
      expect(leaked, 'a credential was logged').toBeUndefined();
    }
  });
});
