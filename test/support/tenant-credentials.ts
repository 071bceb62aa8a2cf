// Every kind of credential a tenant's owner can hold, made the way a customer makes them (over the
// API): the owner's session, a service API key and a personal API key with the owner role, and an
// OAuth client-credentials access token with the owner role and every API scope.
import { expect } from 'vitest';
import { API_SCOPES } from '../../src/modules/identity/credentials/oauth/scopes.js';
import { OAUTH_PATH } from '../../src/modules/identity/credentials/oauth/authorization-server.js';
import type { SignedInHeaders, TestPlatform } from './platform.js';
import { registerSecret } from './suite-log.js';

export interface NamedCredential {
  name: string;
  headers: Record<string, string>;
}

async function created(t: TestPlatform, url: string, headers: Record<string, string>, payload: object): Promise<Record<string, unknown>> {
  const response = await t.platform.app.inject({ method: 'POST', url, headers, payload });
  expect(response.statusCode, response.body).toBe(201);
  return response.json();
}

/** A client-credentials access token for a new OAuth client of the tenant, with this role and every API scope. */
export async function oauthToken(t: TestPlatform, tenantId: string, headers: Record<string, string>, name: string, role: string): Promise<{ clientId: string; token: string; secret: string }> {
  const client = await created(t, `/api/v1/tenants/${tenantId}/oauth-clients`, headers, { name, grantType: 'client_credentials', role, scopes: [...API_SCOPES] });
  const clientId = client.clientId as string;
  const secret = client.clientSecret as string;
  registerSecret('OAuth client secret', secret);
  const response = await t.platform.app.inject({
    method: 'POST',
    url: `${OAUTH_PATH}/token`,
    headers: { authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ grant_type: 'client_credentials', scope: API_SCOPES.join(' ') }).toString(),
  });
  expect(response.statusCode, response.body).toBe(200);
  const token = (response.json() as { access_token: string }).access_token;
  registerSecret('OAuth access token', token);
  return { clientId, token, secret };
}

/** The owner's session and three bearer credentials with the owner role, all of one tenant. */
export async function ownerCredentials(t: TestPlatform, tenantId: string, ownerSession: SignedInHeaders, label: string): Promise<NamedCredential[]> {
  const serviceKey = (await created(t, `/api/v1/tenants/${tenantId}/api-keys`, ownerSession, { name: `${label}-service`, role: 'owner' })).secret as string;
  const personalKey = (await created(t, '/api/v1/me/api-keys', ownerSession, { name: `${label}-personal`, tenantId })).secret as string;
  registerSecret('API key', serviceKey);
  registerSecret('API key', personalKey);
  const { token } = await oauthToken(t, tenantId, ownerSession, `${label}-oauth`, 'owner');
  return [
    { name: 'the owner’s session', headers: ownerSession },
    { name: 'a service API key with the owner role', headers: { authorization: `Bearer ${serviceKey}` } },
    { name: 'the owner’s personal API key', headers: { authorization: `Bearer ${personalKey}` } },
    { name: 'an OAuth token with the owner role and every scope', headers: { authorization: `Bearer ${token}` } },
  ];
}
