// The two protocols behind one tenant provider each: OpenID Connect through openid-client (discovery
// cached per issuer and client for a few minutes) and SAML 2.0 through node-saml, whose AuthnRequest
// IDs are kept in identity.sso_pending (bound to the provider, so a response is accepted only in
// answer to a request we sent from that provider, once).
import { createHash } from 'node:crypto';
import * as oidc from 'openid-client';
import { SAML, ValidateInResponseTo, type CacheProvider } from '@node-saml/node-saml';
import type { IdentityPorts } from '../module.js';
import { inTransaction } from '../../../kernel/db/database.js';
import { SYSTEM_SCOPE } from '../../../kernel/use-case.js';
import { SsoRepository } from './repository.js';
import { isLoopback, type StoredOidcConfig, type StoredSamlConfig } from './provider-config.js';
import { ssoUrls } from './urls.js';

const DISCOVERY_TTL_MS = 5 * 60_000;
export const PENDING_TTL_MS = 10 * 60_000;

export class OidcClients {
  readonly #cache = new Map<string, { configuration: Promise<oidc.Configuration>; at: number }>();

  constructor(private readonly kernel: IdentityPorts) {}

  /** The discovered configuration of a provider (its issuer's metadata and our client). */
  configuration(config: StoredOidcConfig, clientSecret: string): Promise<oidc.Configuration> {
    const key = `${config.issuer}\n${config.clientId}\n${createHash('sha256').update(clientSecret).digest('hex')}`;
    const now = this.kernel.clock.now().getTime();
    const cached = this.#cache.get(key);
    if (cached && now - cached.at < DISCOVERY_TTL_MS) return cached.configuration;
    const issuer = new URL(config.issuer);
    // http is accepted for loopback issuers only (development and the tests' own provider).
    const configuration = oidc.discovery(issuer, config.clientId, undefined, oidc.ClientSecretBasic(clientSecret), isLoopback(issuer) ? { execute: [oidc.allowInsecureRequests], timeout: 10 } : { timeout: 10 });
    this.#cache.set(key, { configuration, at: now });
    configuration.catch(() => this.#cache.delete(key));
    return configuration;
  }
}

/**
 * node-saml's request-id cache on PostgreSQL, for one provider (every replica sees every request):
 * the protocol's own bookkeeping before anyone is known, in the system's scope, nothing audited.
 */
class PendingSamlRequests implements CacheProvider {
  readonly #repository = new SsoRepository();

  constructor(
    private readonly kernel: IdentityPorts,
    private readonly tenantId: string,
    private readonly providerId: string,
  ) {}

  async saveAsync(key: string, value: string) {
    const now = this.kernel.clock.now();
    await inTransaction(this.kernel.db, SYSTEM_SCOPE, async (tx) => {
      await this.#repository.deleteExpiredPending(tx, now);
      await this.#repository.insertPending(tx, {
        key: `saml:${key}`,
        tenant_id: this.tenantId,
        provider_id: this.providerId,
        protocol: 'saml',
        nonce: null,
        code_verifier: null,
        return_to: null,
        browser_binding: null,
        created_at: now,
        expires_at: new Date(now.getTime() + PENDING_TTL_MS),
      });
    });
    return { value, createdAt: now.getTime() };
  }

  async getAsync(key: string) {
    const row = await inTransaction(this.kernel.db, SYSTEM_SCOPE, (tx) => this.#repository.findPending(tx, `saml:${key}`, this.providerId, this.kernel.clock.now()));
    return row ? new Date(row.created_at).toISOString() : null;
  }

  async removeAsync(key: string | null) {
    if (key === null) return null;
    const row = await inTransaction(this.kernel.db, SYSTEM_SCOPE, (tx) => this.#repository.takePending(tx, `saml:${key}`, this.providerId, new Date(0)));
    return row ? key : null;
  }
}

/** A node-saml instance for one provider: our entity id is the metadata URL, assertions must be signed. */
export function samlFor(kernel: IdentityPorts, tenantId: string, config: StoredSamlConfig): SAML {
  const urls = ssoUrls(kernel.config.publicUrl, tenantId, config.id);
  return new SAML({
    issuer: urls.metadata,
    audience: urls.metadata,
    callbackUrl: urls.acs,
    entryPoint: config.entryPoint,
    idpCert: config.idpCertificate,
    ...(config.idpEntityId ? { idpIssuer: config.idpEntityId } : {}),
    identifierFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
    wantAssertionsSigned: true,
    wantAuthnResponseSigned: false,
    validateInResponseTo: ValidateInResponseTo.always,
    requestIdExpirationPeriodMs: PENDING_TTL_MS,
    acceptedClockSkewMs: 60_000,
    disableRequestedAuthnContext: true,
    signatureAlgorithm: 'sha256',
    cacheProvider: new PendingSamlRequests(kernel, tenantId, config.id),
  });
}
