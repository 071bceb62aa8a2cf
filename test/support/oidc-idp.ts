// A real OpenID Connect provider for single sign-on tests: oidc-provider on its own port (not our
// own authorization server), with a tiny interaction that signs in whoever the test names next
// (with the `amr` it chooses) or refuses, so browsers and fetch-driven tests complete it unattended.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import Provider from 'oidc-provider';
import { exportJWK, generateKeyPair } from 'jose';
import { registerSecret } from './suite-log.js';

export interface TestOidcIdp {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Registers another redirect URI for our client (as an administrator does at a real IdP). */
  registerRedirectUri(uri: string): void;
  /** Who the next interaction signs in, and how. */
  signInNext(login: { email: string; amr?: string[]; emailVerified?: boolean } | { deny: string }): void;
  close(): Promise<void>;
}

export async function startOidcIdp(redirectUris: string[]): Promise<TestOidcIdp> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientId = 'platforma-test';
  const clientSecret = randomBytes(24).toString('base64url');
  registerSecret('OIDC client secret', clientSecret);
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: 'test-idp', alg: 'RS256', use: 'sig' };
  const accounts = new Map<string, { email: string; emailVerified: boolean }>();
  let next: { email: string; amr?: string[]; emailVerified?: boolean } | { deny: string } = { deny: 'nobody to sign in' };

  const uris = [...redirectUris];
  const store = new Map<string, Record<string, unknown>>();
  // Rebuilt when a redirect URI is registered: oidc-provider reads static clients once.
  const build = () => new Provider(issuer, {
    clients: [{ client_id: clientId, client_secret: clientSecret, redirect_uris: uris.length > 0 ? uris : [`${issuer}/unused`], grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic' }],
    jwks: { keys: [jwk] },
    cookies: { keys: [randomBytes(16).toString('hex')] },
    findAccount: async (_ctx: unknown, sub: string) => {
      const account = accounts.get(sub);
      return account && { accountId: sub, claims: async () => ({ sub, email: account.email, email_verified: account.emailVerified }) };
    },
    // amr with the openid scope, as Okta, Entra ID and Keycloak put it in every ID token.
    claims: { acr: null, amr: null, auth_time: null, sid: null, openid: ['sub', 'amr'], email: ['email', 'email_verified'] },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    pkce: { methods: ['S256'], required: () => true },
    ttl: { Interaction: 600, Grant: 600, Session: 600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
    adapter: (model: string) => new MemoryAdapter(model, store),
  });
  let provider = build();
  let handle = provider.callback();
  server.on('request', (req, res) => {
    if (!req.url?.startsWith('/interaction/')) return handle(req, res);
    void (async () => {
      const details = await provider.interactionDetails(req, res);
      if ('deny' in next) {
        await provider.interactionFinished(req, res, { error: 'access_denied', error_description: next.deny }, { mergeWithLastSubmission: false });
        return;
      }
      const sub = `sub-${next.email}`;
      accounts.set(sub, { email: next.email, emailVerified: next.emailVerified ?? true });
      const grant = new provider.Grant({ accountId: sub, clientId: String(details.params.client_id) });
      grant.addOIDCScope(String(details.params.scope ?? 'openid'));
      const grantId = await grant.save();
      await provider.interactionFinished(req, res, { login: { accountId: sub, amr: next.amr ?? ['pwd'] }, consent: { grantId } }, { mergeWithLastSubmission: false });
    })().catch((error: unknown) => {
      res.statusCode = 500;
      res.end(String(error));
    });
  });
  return {
    issuer,
    clientId,
    clientSecret,
    registerRedirectUri(uri) {
      uris.push(uri);
      provider = build();
      handle = provider.callback();
    },
    signInNext(login) {
      next = login;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** oidc-provider's storage, in memory for the test (its built-in one warns on every start). */
class MemoryAdapter {
  constructor(
    private readonly model: string,
    private readonly store: Map<string, Record<string, unknown>>,
  ) {}

  #key = (id: string) => `${this.model}:${id}`;

  async upsert(id: string, payload: Record<string, unknown>): Promise<void> {
    this.store.set(this.#key(id), payload);
  }

  async find(id: string): Promise<Record<string, unknown> | undefined> {
    return this.store.get(this.#key(id));
  }

  async findByUid(uid: string): Promise<Record<string, unknown> | undefined> {
    return [...this.store.entries()].find(([key, payload]) => key.startsWith(`${this.model}:`) && payload.uid === uid)?.[1];
  }

  async findByUserCode(): Promise<undefined> {
    return undefined;
  }

  async consume(id: string): Promise<void> {
    const payload = this.store.get(this.#key(id));
    if (payload) payload.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id: string): Promise<void> {
    this.store.delete(this.#key(id));
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    for (const [key, payload] of this.store) if (payload.grantId === grantId) this.store.delete(key);
  }
}
