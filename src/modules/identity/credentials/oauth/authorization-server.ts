// The OAuth 2.0 / OpenID Connect authorization server: oidc-provider 8 (OpenID certified),
// configured for our API and persisted in PostgreSQL. Issuer = PUBLIC_URL + '/oauth'. Grants:
// client credentials (machine clients) and authorization code with PKCE (S256 required) plus
// rotating refresh tokens (third-party apps, consent screen in interaction-routes.ts). Access
// tokens are RS256 JWTs for one audience, the Platforma API (PUBLIC_URL + '/api/v1'), carrying the
// client's tenant; bearer.ts turns them into principals.
import { createHash, timingSafeEqual } from 'node:crypto';
import type Provider from 'oidc-provider';
import type { AdapterPayload, ClientInstance, Configuration } from 'oidc-provider';
import { createLocalJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { Kernel } from '../../../../kernel/kernel.js';
import { inTransaction } from '../../../../kernel/db/database.js';
import { SYSTEM_SCOPE } from '../../../../kernel/use-case.js';
import { IdentityRepository } from '../../accounts/repository.js';
import { OAuthRepository, type OAuthClientRow } from './repository.js';
import { PostgresAdapter } from './adapter.js';
import { loadProviderKeys, publicJwk } from './keys.js';
import type { SecretBox } from '../../../../kernel/encryption.js';
import { API_SCOPES, OPENID_SCOPES, isApiScope } from './scopes.js';

export const OAUTH_PATH = '/oauth';
const ACCESS_TOKEN_TTL = 15 * 60;

export const oauthIssuer = (publicUrl: string) => `${publicUrl}${OAUTH_PATH}`;
/** The audience of access tokens for the Platforma API (the resource indicator). */
export const apiAudience = (publicUrl: string) => `${publicUrl}/api/v1`;

/** Client secrets are 256 random bits: a SHA-256 digest is enough to make a stolen table useless. */
export function hashClientSecret(secret: string): string {
  return `sha256:${createHash('sha256').update(secret).digest('hex')}`;
}

function sameHash(stored: string | undefined, presented: string): boolean {
  if (!stored) return false;
  const a = Buffer.from(stored);
  const b = Buffer.from(hashClientSecret(presented));
  return a.length === b.length && timingSafeEqual(a, b);
}

/** What oidc-provider sees of one of our clients. */
function clientMetadata(row: OAuthClientRow): AdapterPayload {
  const machine = row.grant_type === 'client_credentials';
  return {
    client_id: row.id,
    // The stored hash, not the secret: compareClientSecret (patched below) hashes what is presented.
    client_secret: row.secret_hash,
    client_name: row.name,
    grant_types: machine ? ['client_credentials'] : ['authorization_code', 'refresh_token'],
    response_types: machine ? [] : ['code'],
    redirect_uris: machine ? [] : row.redirect_uris,
    token_endpoint_auth_method: 'client_secret_basic',
    scope: [...(machine ? [] : OPENID_SCOPES), ...row.scopes].join(' '),
    tenant_id: row.tenant_id,
  };
}

type StoredToken = { kind: string; jti: string; grantId?: string } & Record<string, unknown>;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export class AuthorizationServer {
  readonly issuer: string;
  readonly audience: string;
  readonly #repository = new OAuthRepository();
  readonly #identity = new IdentityRepository();
  #provider: Provider | undefined;
  #verifyKeys: JWTVerifyGetKey | undefined;
  #starting: Promise<void> | undefined;

  constructor(
    private readonly kernel: Pick<Kernel, 'config' | 'clock' | 'db'>,
    private readonly secrets: SecretBox,
  ) {
    this.issuer = oauthIssuer(kernel.config.publicUrl);
    this.audience = apiAudience(kernel.config.publicUrl);
  }

  /**
   * The provider, built on first use: it needs the keys from the database, and registering routes
   * must not touch the database (the API client generator builds the app without one).
   */
  async ready(): Promise<Provider> {
    this.#starting ??= this.#start().catch((error: unknown) => {
      this.#starting = undefined;
      throw error;
    });
    await this.#starting;
    return this.#provider as Provider;
  }

  /** The keys that verify our access tokens (the provider's JWKS). */
  async verifyKeys(): Promise<JWTVerifyGetKey> {
    await this.ready();
    return this.#verifyKeys as JWTVerifyGetKey;
  }

  /** Loads (on first start: creates) the keys and builds the provider. */
  async #start(): Promise<void> {
    const { db, clock } = this.kernel;
    // Loaded here, not at the top: it is hundreds of modules that commands without an HTTP server
    // (and servers until the first OAuth request) never use.
    const { default: Provider, errors } = await import('oidc-provider');
    const keys = await loadProviderKeys(db, clock, this.secrets);
    this.#verifyKeys = createLocalJWKSet({ keys: keys.signing.map(publicJwk) });
    const findClient = async (clientId: string) => {
      const row = await inTransaction(db, SYSTEM_SCOPE, (tx) => this.#repository.findClient(tx, clientId));
      return row ? clientMetadata(row) : undefined;
    };
    const jtiOfJwt = async (token: string) => {
      try {
        const { payload } = await jwtVerify(token, await this.verifyKeys(), { issuer: this.issuer, typ: 'at+jwt', algorithms: ['RS256'] });
        return typeof payload.jti === 'string' ? payload.jti : undefined;
      } catch {
        return undefined;
      }
    };
    const configuration: Configuration = {
      adapter: (model: string) => new PostgresAdapter(model, { db, clock, findClient, jtiOfJwt }),
      jwks: { keys: keys.signing },
      cookies: { keys: keys.cookie },
      findAccount: async (_ctx: unknown, sub: string) => {
        const user = await this.#identity.findUser(db, sub);
        if (!user) return undefined;
        return { accountId: sub, claims: async () => ({ sub, email: user.email, email_verified: user.email_verified_at !== null }) };
      },
      claims: { openid: ['sub'], email: ['email', 'email_verified'] },
      scopes: [...OPENID_SCOPES, ...API_SCOPES],
      extraClientMetadata: { properties: ['tenant_id'] },
      responseTypes: ['code'],
      clientAuthMethods: ['client_secret_basic'],
      pkce: { methods: ['S256'], required: () => true },
      features: {
        devInteractions: { enabled: false },
        clientCredentials: { enabled: true },
        introspection: { enabled: true },
        revocation: { enabled: true },
        userinfo: { enabled: true },
        resourceIndicators: {
          enabled: true,
          defaultResource: () => this.audience,
          useGrantedResource: () => true,
          getResourceServerInfo: (_ctx: unknown, resource: string, client: ClientInstance) => {
            if (resource !== this.audience) throw new errors.InvalidTarget!('the only resource is the Platforma API');
            return {
              scope: (client.scope ?? '').split(' ').filter(isApiScope).join(' '),
              audience: this.audience,
              accessTokenFormat: 'jwt',
              accessTokenTTL: ACCESS_TOKEN_TTL,
              jwt: { sign: { alg: 'RS256' } },
            };
          },
        },
      },
      formats: {
        customizers: {
          // oidc-provider does not store JWT access tokens (they are self-contained). We do, under
          // their jti and grant, before the token leaves: revocation, introspection and grant
          // revocation (code reuse, refresh token reuse) then work as for opaque tokens, and the
          // API refuses a token that is no longer on record.
          jwt: async (_ctx: unknown, token: StoredToken, jwt: { payload: { iat: number; exp: number } }) => {
            const fields = (token.constructor as unknown as { IN_PAYLOAD: string[] }).IN_PAYLOAD;
            const payload: Record<string, unknown> = { iat: jwt.payload.iat, exp: jwt.payload.exp };
            for (const field of fields) if (token[field] !== undefined) payload[field] = token[field];
            await this.#repository.upsertPayload(db, {
              model: token.kind,
              id: token.jti,
              payload,
              grant_id: token.grantId ?? null,
              uid: null,
              user_code: null,
              expires_at: new Date(jwt.payload.exp * 1000),
              consumed_at: null,
            });
          },
        },
      },
      // Every access token names the client's tenant; the API refuses it anywhere else.
      extraTokenClaims: async (_ctx: unknown, token: { client?: Record<string, unknown> }) => ({ tenant_id: token.client?.tenant_id }),
      interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `${OAUTH_PATH}/interaction/${interaction.uid}` },
      rotateRefreshToken: true,
      ttl: {
        AccessToken: ACCESS_TOKEN_TTL,
        ClientCredentials: ACCESS_TOKEN_TTL,
        AuthorizationCode: 60,
        IdToken: 3600,
        Interaction: 600,
        Grant: 14 * 24 * 3600,
        RefreshToken: 14 * 24 * 3600,
        Session: this.kernel.config.modules.identity.sessionTtlSeconds,
      },
      renderError: async (ctx: { type: string; body: string }, out: Record<string, string>) => {
        ctx.type = 'html';
        ctx.body = `<!doctype html><html><head><meta charset="utf-8"><title>Authorization failed</title></head><body><h1>Authorization failed</h1><p>${escapeHtml(out.error ?? 'error')}: ${escapeHtml(out.error_description ?? '')}</p></body></html>`;
      },
    };
    const provider = new Provider(this.issuer, configuration);
    provider.proxy = true;
    // Clients' secrets are stored hashed: compare the hash of what the client presents.
    provider.Client.prototype.compareClientSecret = function (this: ClientInstance, actual: string) {
      return sameHash(this.clientSecret, actual);
    };
    this.#provider = provider;
  }
}
