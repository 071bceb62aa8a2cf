// The OAuth provider's private keys are sealed with the installation key (ADR 0006): the stored
// rows hold no private JWK member and no cookie secret in clear, tokens still verify on a server
// started afterwards from the same rows, keys stored in clear by an earlier version are sealed on
// the next start, and the application role cannot change a key in any other way.
import { generateKeyPairSync } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPlatformConfig as loadConfig } from '../../src/registry.js';
import { createPlatform, type Platform } from '../../src/platform.js';
import { startTestPlatform, type TestPlatform, type SignedInHeaders } from '../support/platform.js';
import { clientCredentialsToken } from '../support/oauth.js';
import { registerSecret } from '../support/suite-log.js';

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'secret'];

let t: TestPlatform;
let staff: SignedInHeaders;
let tenantId: string;
let owner: pg.Client;

/** Another server process on the same database and configuration: what a restart looks like. */
async function restarted(): Promise<Platform> {
  const config = loadConfig({ DATABASE_URL: t.database.ownerUrl, LOG_LEVEL: 'silent', PORT: '0', HOST: '127.0.0.1' });
  return createPlatform({ config, database: { ownerUrl: t.database.ownerUrl, appUrl: t.database.appUrl, embedded: false, release: async () => {} } });
}

const keyRows = async () => (await owner.query('select kid, purpose, material, material::text as text from identity.oauth_keys order by created_at')).rows as { kid: string; purpose: string; material: Record<string, unknown>; text: string }[];

beforeAll(async () => {
  t = await startTestPlatform();
  staff = await t.signIn();
  const created = await t.platform.app.inject({ method: 'POST', url: '/api/v1/tenants', headers: staff, payload: { organizationName: 'Keyholder', domain: 'keyholder.example.com', adminEmail: 'ops@keyholder.example.com' } });
  tenantId = created.json().id;
  owner = new pg.Client({ connectionString: t.database.ownerUrl });
  await owner.connect();
});
afterAll(async () => {
  await owner?.end();
  await t?.close();
});

describe('sealed OAuth keys', () => {
  it('stores no private JWK member and no cookie secret in clear, and tokens still verify after a restart', async () => {
    const token = await clientCredentialsToken(t.platform.app, staff, tenantId);
    registerSecret('access token', token);
    const rows = await keyRows();
    expect(rows.map((r) => r.purpose).sort()).toEqual(['cookie', 'signing']);
    for (const row of rows) {
      for (const member of PRIVATE_MEMBERS) expect(row.material, `${row.purpose} ${member}`).not.toHaveProperty(member);
      expect(String(row.material.sealed)).toMatch(/^v1\./);
    }
    // The signing row keeps its public half readable (the JWKS is built from the same key).
    const signing = rows.find((r) => r.purpose === 'signing')!;
    expect(signing.material).toMatchObject({ kty: 'RSA', alg: 'RS256', kid: signing.kid });
    const jwks = (await t.platform.app.inject({ method: 'GET', url: '/oauth/jwks' })).json().keys as { kid: string; n: string }[];
    expect(jwks).toEqual([expect.objectContaining({ kid: signing.kid, n: signing.material.n })]);

    const second = await restarted();
    try {
      const answer = await second.app.inject({ method: 'GET', url: `/api/v1/tenants/${tenantId}`, headers: { authorization: `Bearer ${token}` } });
      expect(answer.statusCode, answer.body).toBe(200);
    } finally {
      await second.close();
    }
  });

  it('seals keys an earlier version stored in clear on the next start, and keeps signing with them', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const legacy: Record<string, unknown> = { ...(privateKey.export({ format: 'jwk' }) as Record<string, unknown>), kid: 'legacy-signing-key', alg: 'RS256', use: 'sig' };
    registerSecret('legacy private key', String(legacy.d));
    await owner.query('delete from identity.oauth_keys');
    await owner.query(`insert into identity.oauth_keys (kid, purpose, material, created_at) values ($1, 'signing', $2, now()), ('cookie-legacy', 'cookie', '{"secret": "legacy-cookie-secret-0123456789"}', now())`, [legacy.kid, JSON.stringify(legacy)]);

    const second = await restarted();
    try {
      const jwks = (await second.app.inject({ method: 'GET', url: '/oauth/jwks' })).json().keys as { kid: string; n: string }[];
      expect(jwks).toEqual([expect.objectContaining({ kid: 'legacy-signing-key', n: legacy.n })]);
      const rows = await keyRows();
      expect(rows.map((r) => r.kid).sort()).toEqual(['cookie-legacy', 'legacy-signing-key']);
      for (const row of rows) {
        for (const member of PRIVATE_MEMBERS) expect(row.material, `${row.kid} ${member}`).not.toHaveProperty(member);
        expect(row.text).not.toContain(String(legacy.d));
        expect(row.text).not.toContain('legacy-cookie-secret');
      }
      const token = await clientCredentialsToken(second.app, staff, tenantId); // sessions live in the database: staff's works here too
      const answer = await second.app.inject({ method: 'GET', url: `/api/v1/tenants/${tenantId}`, headers: { authorization: `Bearer ${token}` } });
      expect(answer.statusCode, answer.body).toBe(200);
      expect(JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()).kid).toBe('legacy-signing-key');
    } finally {
      await second.close();
    }
  });

  it('lets the application role change a key only by sealing it once', async () => {
    const app = new pg.Client({ connectionString: t.database.appUrl });
    await app.connect();
    try {
      for (const material of ['{"sealed": "v1.other"}', '{"kty": "RSA", "d": "x"}']) {
        const error = await app.query('update identity.oauth_keys set material = $1', [material]).catch((e: unknown) => e as { code?: string });
        expect((error as { code?: string }).code, material).toBe('42501');
      }
      const error = await app.query("update identity.oauth_keys set kid = 'stolen'").catch((e: unknown) => e as { code?: string });
      expect((error as { code?: string }).code).toBe('42501');
      const deleted = await app.query('delete from identity.oauth_keys').catch((e: unknown) => e as { code?: string });
      expect((deleted as { code?: string }).code).toBe('42501');
    } finally {
      await app.end();
    }
  });
});

