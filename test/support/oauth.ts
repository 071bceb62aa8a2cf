// Drives the OAuth server the way real clients and browsers do, without a network: openid-client
// gets a fetch that goes through app.inject(), and a cookie-carrying "browser" follows redirects
// until they leave the platform (to the client's redirect URI).
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import * as client from 'openid-client';
import { expect } from 'vitest';
import { systemContext } from '../../src/kernel/context.js';
import { addMember, type SignedInHeaders, type TestPlatform } from './platform.js';
import { registerSecret } from './suite-log.js';

type InjectableApp = Pick<FastifyInstance, 'inject'>;

/** A fetch for openid-client's customFetch that answers from the app in-process. */
export function injectFetch(app: InjectableApp) {
  return async (url: string, options: { method?: string; headers?: Record<string, string> | Headers; body?: unknown }): Promise<Response> => {
    const target = new URL(url);
    const headers: Record<string, string> = {};
    new Headers(options.headers as HeadersInit | undefined).forEach((value, name) => (headers[name] = value));
    headers.host = target.host;
    const body = options.body === undefined || options.body === null ? undefined : options.body instanceof URLSearchParams ? options.body.toString() : String(options.body);
    const response = await app.inject({ method: (options.method ?? 'GET') as 'GET', url: target.pathname + target.search, headers, ...(body === undefined ? {} : { payload: body }) });
    const out = new Headers();
    for (const [name, value] of Object.entries(response.headers)) {
      for (const v of [value].flat()) if (v !== undefined) out.append(name, String(v));
    }
    const empty = response.statusCode === 204 || response.statusCode === 304 || response.rawPayload.length === 0;
    return new Response(empty ? null : new Uint8Array(response.rawPayload), { status: response.statusCode, headers: out });
  };
}

export interface Hop {
  status: number;
  url: string;
  body: string;
  headers: Record<string, string | string[] | number | undefined>;
}

/** A minimal browser: a cookie jar (paths ignored) and redirects followed while they stay on `origin`. */
export class TestBrowser {
  readonly jar = new Map<string, string>();

  constructor(
    private readonly app: InjectableApp,
    private readonly origin: string,
    cookies: Record<string, string> = {},
  ) {
    for (const [name, value] of Object.entries(cookies)) this.jar.set(name, value);
  }

  #remember(setCookie: string | string[] | undefined) {
    for (const line of [setCookie ?? []].flat()) {
      const [pair, ...attributes] = line.split(';');
      const eq = (pair ?? '').indexOf('=');
      const name = (pair ?? '').slice(0, eq).trim();
      const value = (pair ?? '').slice(eq + 1).trim();
      const expires = attributes.map((a) => a.trim()).find((a) => a.toLowerCase().startsWith('expires='));
      const expired = expires !== undefined && new Date(expires.slice(8)).getTime() < Date.now();
      if (!value || expired) this.jar.delete(name);
      else this.jar.set(name, value);
    }
  }

  /** One request, no redirect following. */
  async request(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Hop> {
    const target = new URL(url, this.origin);
    const cookie = [...this.jar].map(([n, v]) => `${n}=${v}`).join('; ');
    const response = await this.app.inject({
      method: (init.method ?? 'GET') as 'GET',
      url: target.pathname + target.search,
      headers: { host: target.host, ...(cookie ? { cookie } : {}), ...(init.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      ...(init.form ? { payload: new URLSearchParams(init.form).toString() } : {}),
    });
    this.#remember(response.headers['set-cookie']);
    return { status: response.statusCode, url: target.href, body: response.body, headers: response.headers };
  }

  /** Follows redirects on the platform; returns the last page, or the first URL off the platform. */
  async navigate(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<{ page?: Hop; leftTo?: URL }> {
    let hop = await this.request(url, init);
    for (let i = 0; i < 10; i++) {
      const location = hop.headers.location;
      if (hop.status < 300 || hop.status >= 400 || typeof location !== 'string') return { page: hop };
      const next = new URL(location, hop.url);
      if (next.origin !== this.origin) return { leftTo: next };
      hop = await this.request(next.href);
    }
    throw new Error('too many redirects');
  }
}

/** openid-client's discovery against the in-process app (issuer = PUBLIC_URL/oauth). */
export async function discoverOAuth(app: InjectableApp, issuer: string, clientId: string, clientSecret: string): Promise<client.Configuration> {
  const config = await client.discovery(new URL(issuer), clientId, undefined, client.ClientSecretBasic(clientSecret), {
    [client.customFetch]: injectFetch(app),
    execute: [client.allowInsecureRequests],
  });
  config[client.customFetch] = injectFetch(app);
  return config;
}

/** The OAuth error code of a failed openid-client call (body error or WWW-Authenticate challenge). */
export async function oauthError(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    const e = error as { error?: string; cause?: { parameters?: { error?: string } }[] };
    return e.error ?? e.cause?.[0]?.parameters?.error ?? String(error);
  }
  throw new Error('expected the call to fail');
}

/**
 * An OAuth access token (client credentials) for a tenant: registers a client through the API with
 * `headers` (staff or a tenant administrator) and asks the token endpoint for `scopes`.
 */
export async function clientCredentialsToken(
  app: InjectableApp,
  headers: Record<string, string>,
  tenantId: string,
  options: { role?: string; scopes?: string[] } = {},
): Promise<string> {
  const scopes = options.scopes ?? ['tenants:read'];
  const created = await app.inject({ method: 'POST', url: `/api/v1/tenants/${tenantId}/oauth-clients`, headers, payload: { name: 'Test client', scopes, ...(options.role ? { role: options.role } : {}) } });
  if (created.statusCode !== 201) throw new Error(`creating the OAuth client failed: ${created.statusCode} ${created.body}`);
  const { clientId, clientSecret, issuer } = created.json() as { clientId: string; clientSecret: string; issuer: string };
  const config = await discoverOAuth(app, issuer, clientId, clientSecret);
  return (await client.clientCredentialsGrant(config, { scope: scopes.join(' ') })).access_token;
}

/** The fixtures both OAuth suites share: requests on the platform's host, tenants, people, clients. */
export interface OAuthSuiteFixtures {
  api(method: string, url: string, headers: Record<string, string>, payload?: object): Promise<LightMyRequestResponse>;
  /** Authorization header for a token; the token is remembered for the suites' log checks. */
  bearer(token: string): Record<string, string>;
  createTenant(name: string): Promise<string>;
  createPerson(email: string, memberships: [string, string][]): Promise<SignedInHeaders>;
  createClient(tenantId: string, body: Record<string, unknown>, as?: Record<string, string>): Promise<{ clientId: string; clientSecret: string; issuer: string }>;
}

/**
 * Builds the fixtures over a suite's state (read lazily: the platform starts in beforeAll). Every
 * token and client secret they see goes into `credentialsSeen` and the suite-wide log scan.
 */
export function oauthSuiteFixtures(state: { platform: () => TestPlatform; staff: () => SignedInHeaders; credentialsSeen: string[]; password: string; host: string }): OAuthSuiteFixtures {
  const api: OAuthSuiteFixtures['api'] = (method, url, headers, payload) =>
    state.platform().platform.app.inject({ method: method as 'GET', url, headers: { host: state.host, ...headers }, ...(payload ? { payload } : {}) });
  return {
    api,
    bearer(token) {
      state.credentialsSeen.push(token);
      registerSecret('OAuth token', token);
      return { authorization: `Bearer ${token}` };
    },
    async createTenant(name) {
      const response = await api('POST', '/api/v1/tenants', state.staff(), { organizationName: name, domain: `${name.toLowerCase()}.example.com`, adminEmail: `ops@${name.toLowerCase()}.example.com` });
      expect(response.statusCode, response.body).toBe(201);
      return response.json().id;
    },
    async createPerson(email, memberships) {
      const t = state.platform();
      await t.platform.identity.service.createUser({ email, password: state.password }, systemContext('test'));
      for (const [tenantId, role] of memberships) {
        await addMember(t.platform, tenantId, email, role);
      }
      return t.signIn(email, state.password);
    },
    async createClient(tenantId, body, as) {
      const response = await api('POST', `/api/v1/tenants/${tenantId}/oauth-clients`, as ?? state.staff(), body);
      expect(response.statusCode, response.body).toBe(201);
      const created = response.json() as { clientId: string; clientSecret: string; issuer: string };
      state.credentialsSeen.push(created.clientSecret);
      registerSecret('OAuth client secret', created.clientSecret);
      return created;
    },
  };
}
