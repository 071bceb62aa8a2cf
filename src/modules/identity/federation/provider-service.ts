// Tenant administrators manage their identity providers: identity's own list per tenant
// (identity.tenant_identity_providers, ADR 0017) with its own version (the ETag of these
// endpoints), changed by identity's own use cases, each recording its audit entry with its event;
// the tenant API shows the list as settings.authentication.providers of the composed
// TenantDocument. Here:
// the protocol's config is validated, the OIDC client secret is sealed into its own table (in the
// same transaction), and an email domain is claimed by one provider only (identity.sso_domain_claims,
// whose primary key decides in the same transaction), and only by the tenant whose domain it is (the
// tenant's domain or a subdomain: tenant domains are assigned by platform staff, so a tenant cannot
// claim somebody else's people).
import type { IdentityPorts } from '../module.js';
import type { Tx } from '../../../kernel/db/database.js';
import { newId } from '../../../kernel/ids.js';
import type { SecretBox } from '../../../kernel/encryption.js';
import { resourceName } from '../../../kernel/authz/authorize.js';
import type { RequestContext } from '../../../kernel/context.js';
import { ConflictError, NotFoundError, PreconditionFailedError, ValidationError } from '../../../kernel/errors.js';
import { ifMatchAccepts } from '../../../kernel/api/etags.js';
import type { EventContract } from '../../../kernel/events.js';
import { callerScope, defineUseCase, type UseCaseRun } from '../../../kernel/use-case.js';
import { IdentityProviderCreated, IdentityProviderDeleted, IdentityProviderUpdated, type IdentityProviderPayload } from '../events.js';
import { authorizeBeforehand } from '../use-cases.js';
import { IdentityRepository } from '../accounts/repository.js';
import { TENANT_ROLES } from '../access/builtin-roles.js';
import type { TenantDirectory } from '../accounts/service.js';
import { SsoRepository } from './repository.js';
import { TenantProviderDirectory } from './tenant-providers.js';
import { providerId, usableProviders, validateConfig, type OidcConfigInput, type ProviderEntry, type SamlConfigInput, type SsoProvider } from './provider-config.js';
import { ssoUrls } from './urls.js';

export interface IdentityProviderView {
  id: string;
  type: 'oidc' | 'saml';
  name: string;
  enabled: boolean;
  config: Record<string, unknown>;
  serviceProvider: { startUrl: string; redirectUri?: string; entityId?: string; acsUrl?: string; metadataUrl?: string };
}

export interface CreateProviderInput {
  type: 'oidc' | 'saml' | 'oauth';
  name: string;
  enabled?: boolean;
  config: Record<string, unknown>;
}

export interface UpdateProviderInput {
  name?: string;
  enabled?: boolean;
  config?: Record<string, unknown>;
}

/** Roles a provider may hand out on first sign-in: everything but owner (an owner is made by people). */
const JIT_ROLES: readonly string[] = TENANT_ROLES.filter((role) => role !== 'owner');

export const secretContext = (tenantId: string, id: string) => `sso-client-secret:${tenantId}:${id}`;

/** What a change to a tenant's list of providers needs: the ETag the caller read, and the tenant's domain (what providers may claim). */
interface ProviderChangeInput {
  tenantId: string;
  ifMatch: string | undefined;
  domain: string;
}

type ProviderView = { provider: IdentityProviderView; version: number };

/** A tenant's provider, or all of them (`*`): what the actions are decided on. */
const providerResource = ({ tenantId, providerId }: { tenantId: string; providerId?: string }) => resourceName(tenantId, 'identity-provider', providerId ?? '*');

export class IdentityProviderService {
  readonly #sso = new SsoRepository();
  readonly #identity = new IdentityRepository();
  readonly #providers: TenantProviderDirectory;

  constructor(
    private readonly kernel: IdentityPorts,
    private readonly tenants: TenantDirectory,
    private readonly secrets: SecretBox,
  ) {
    this.#providers = new TenantProviderDirectory(kernel, tenants);
  }

  readonly useCases = {
    /** Which of the tenant's providers have a client secret stored (the list itself is read beforehand, with the tenant's facts). */
    list: defineUseCase<{ tenantId: string }, Set<string>>({
      name: 'identity.list-identity-providers',
      access: { action: 'identity:identity-provider.list' },
      resource: providerResource,
      scope: (input, context) => callerScope(context, input.tenantId),
      run: ({ tx, input }) => this.#sso.secretProviderIds(tx, input.tenantId),
    }),
    get: defineUseCase<{ tenantId: string; providerId: string }, Set<string>>({
      name: 'identity.get-identity-provider',
      access: { action: 'identity:identity-provider.read' },
      resource: providerResource,
      scope: (input, context) => callerScope(context, input.tenantId),
      run: ({ tx, input }) => this.#sso.secretProviderIds(tx, input.tenantId),
    }),
    create: defineUseCase<ProviderChangeInput & { provider: SsoProvider & ProviderEntry; config: OidcConfigInput | SamlConfigInput }, { version: number }>({
      name: 'identity.create-identity-provider',
      access: { action: 'identity:identity-provider.create' },
      resource: providerResource,
      scope: (input, context) => callerScope(context, input.tenantId),
      run: (run) => {
        const { tenantId, provider, config } = run.input;
        const id = provider.config.id;
        return this.#change(run, IdentityProviderCreated, id, async (current, tx) => {
          await this.#checkClaims(tx, tenantId, id, config, current);
          if (provider.type === 'oidc') await this.#sealSecret(tx, tenantId, id, (config as OidcConfigInput).clientSecret);
          return [...current.providers, provider];
        });
      },
    }),
    update: defineUseCase<ProviderChangeInput & { providerId: string; patch: UpdateProviderInput }, { provider: SsoProvider; hasSecret: boolean; version: number }>({
      name: 'identity.update-identity-provider',
      access: { action: 'identity:identity-provider.update' },
      resource: providerResource,
      scope: (input, context) => callerScope(context, input.tenantId),
      run: async (run) => {
        const { tenantId, providerId: id, patch } = run.input;
        let updated: SsoProvider | undefined;
        let hasSecret = false;
        const { version } = await this.#change(run, IdentityProviderUpdated, id, async (current, tx) => {
          const existing = usableProviders(current.providers).find((p) => p.config.id === id);
          if (!existing) throw new NotFoundError('Identity provider', id);
          const { id: _id, ...stored } = existing.config;
          void _id;
          const merged: Record<string, unknown> = { ...stored, ...(patch.config ?? {}) };
          const newSecret = existing.type === 'oidc' && typeof patch.config?.clientSecret === 'string' ? patch.config.clientSecret : undefined;
          // The stored secret stays unless a new one is sent (write-only: the form never has it).
          if (existing.type === 'oidc' && merged.clientSecret === undefined) merged.clientSecret = 'unchanged';
          const config = normalise(validateConfig(existing.type, merged));
          await this.#checkClaims(tx, tenantId, id, config, current);
          if (newSecret !== undefined) await this.#sealSecret(tx, tenantId, id, newSecret);
          hasSecret = existing.type === 'oidc' && (newSecret !== undefined || (await this.#sso.findClientSecret(tx, tenantId, id)) !== undefined);
          updated = toEntry(existing.type, id, patch.name ?? existing.name, patch.enabled ?? existing.enabled, config);
          return current.providers.map((entry) => (providerId(entry) === id ? (updated as unknown as ProviderEntry) : entry));
        });
        return { provider: updated as SsoProvider, hasSecret, version };
      },
    }),
    delete: defineUseCase<ProviderChangeInput & { providerId: string }, void>({
      name: 'identity.delete-identity-provider',
      access: { action: 'identity:identity-provider.delete' },
      resource: providerResource,
      scope: (input, context) => callerScope(context, input.tenantId),
      run: async (run) => {
        const { tenantId, providerId: id } = run.input;
        await this.#change(run, IdentityProviderDeleted, id, async (current, tx) => {
          if (!current.providers.some((entry) => providerId(entry) === id)) throw new NotFoundError('Identity provider', id);
          await this.#sso.deleteClientSecret(tx, tenantId, id);
          await this.#sso.replaceDomainClaims(tx, tenantId, id, []);
          return current.providers.filter((entry) => providerId(entry) !== id);
        });
      },
    }),
  };

  async list(tenantId: string, context: RequestContext): Promise<{ data: IdentityProviderView[]; version: number }> {
    // Decided before the tenant's facts are read: a caller not allowed learns nothing of them.
    authorizeBeforehand(this.useCases.list, context, { tenantId });
    const tenant = await this.#providers.of(tenantId);
    if (!tenant) throw new NotFoundError('Tenant', tenantId);
    const withSecret = await this.kernel.useCases.run(this.useCases.list, context, { tenantId });
    return { data: usableProviders(tenant.providers).map((p) => this.#view(tenantId, p, withSecret.has(p.config.id))), version: tenant.version };
  }

  async get(tenantId: string, id: string, context: RequestContext): Promise<ProviderView> {
    authorizeBeforehand(this.useCases.get, context, { tenantId, providerId: id });
    const tenant = await this.#providers.of(tenantId);
    if (!tenant) throw new NotFoundError('Tenant', tenantId);
    const withSecret = await this.kernel.useCases.run(this.useCases.get, context, { tenantId, providerId: id });
    const provider = usableProviders(tenant.providers).find((p) => p.config.id === id);
    if (!provider) throw new NotFoundError('Identity provider', id);
    return { provider: this.#view(tenantId, provider, withSecret.has(id)), version: tenant.version };
  }

  async create(tenantId: string, input: CreateProviderInput, ifMatch: string | undefined, context: RequestContext): Promise<ProviderView> {
    authorizeBeforehand(this.useCases.create, context, { tenantId });
    if (input.type !== 'oidc' && input.type !== 'saml') {
      throw new ValidationError('Only OpenID Connect (oidc) and SAML 2.0 (saml) providers can sign people in.', [{ pointer: '/type', message: 'must be oidc or saml (plain OAuth has no identity)' }]);
    }
    const type = input.type;
    const config = normalise(validateConfig(type, input.config));
    const provider = toEntry(type, newId('identityProvider'), input.name, input.enabled ?? true, config);
    const domain = await this.#liveTenantDomain(tenantId);
    const { version } = await this.kernel.useCases.run(this.useCases.create, context, { tenantId, ifMatch, domain, provider, config });
    return { provider: this.#view(tenantId, provider, type === 'oidc'), version };
  }

  async update(tenantId: string, id: string, patch: UpdateProviderInput, ifMatch: string | undefined, context: RequestContext): Promise<ProviderView> {
    authorizeBeforehand(this.useCases.update, context, { tenantId, providerId: id });
    const domain = await this.#liveTenantDomain(tenantId);
    const { provider, hasSecret, version } = await this.kernel.useCases.run(this.useCases.update, context, { tenantId, ifMatch, domain, providerId: id, patch });
    return { provider: this.#view(tenantId, provider, hasSecret), version };
  }

  async delete(tenantId: string, id: string, ifMatch: string | undefined, context: RequestContext): Promise<void> {
    authorizeBeforehand(this.useCases.delete, context, { tenantId, providerId: id });
    const domain = await this.#liveTenantDomain(tenantId);
    await this.kernel.useCases.run(this.useCases.delete, context, { tenantId, ifMatch, domain, providerId: id });
  }

  /** The tenant's domain (what its providers may claim), from the tenants module's facts; its providers change only while it lives. */
  async #liveTenantDomain(tenantId: string): Promise<string> {
    const tenant = await this.tenants.profileOf(tenantId);
    if (!tenant) throw new NotFoundError('Tenant', tenantId);
    if (tenant.status === 'terminated') throw new ConflictError('The tenant is terminated; terminated tenants are final.', { currentStatus: 'terminated' });
    return tenant.domain;
  }

  /**
   * Changes the tenant's list under its row lock, checked against If-Match on the list's version,
   * recorded as identity's change (the provider before and after) with its event.
   */
  async #change(
    { tx, input, record }: UseCaseRun<ProviderChangeInput>,
    contract: EventContract<IdentityProviderPayload>,
    id: string,
    apply: (current: { providers: ProviderEntry[]; domain: string }, tx: Tx) => Promise<ProviderEntry[]>,
  ): Promise<{ version: number }> {
    const { tenantId, ifMatch, domain } = input;
    const now = this.kernel.clock.now();
    const current = await this.#sso.lockProviders(tx, tenantId, now);
    if (!ifMatchAccepts(ifMatch, current.version)) {
      throw new PreconditionFailedError(`The identity providers are at version ${current.version}; reload them and apply your change again.`, { currentVersion: current.version });
    }
    const providers = await apply({ providers: current.providers, domain }, tx);
    const version = current.version + 1;
    await this.#sso.replaceProviders(tx, tenantId, providers, version, now);
    const entry = (list: ProviderEntry[]) => list.find((provider) => providerId(provider) === id);
    record({ tenantId, target: { type: 'identity-provider', id }, before: entry(current.providers), after: entry(providers), event: { contract, payload: { tenantId, providerId: id, version } } });
    return { version };
  }

  async #sealSecret(tx: Tx, tenantId: string, id: string, secret: string): Promise<void> {
    await this.#sso.putClientSecret(tx, { tenant_id: tenantId, provider_id: id, secret_ciphertext: this.secrets.seal(secret, secretContext(tenantId, id)), updated_at: this.kernel.clock.now() });
  }

  /** Domains: the tenant's own, claimed by no other provider anywhere; the default role exists. */
  async #checkClaims(tx: Tx, tenantId: string, id: string, config: OidcConfigInput | SamlConfigInput, current: { providers: ProviderEntry[]; domain: string }): Promise<void> {
    const foreign = config.domains.map((domain, index) => ({ domain, index })).filter(({ domain }) => domain !== current.domain && !domain.endsWith(`.${current.domain}`));
    if (foreign.length > 0) {
      throw new ValidationError(`A provider may claim only the tenant’s domain ${current.domain} and its subdomains.`, foreign.map(({ index }) => ({ pointer: `/config/domains/${index}`, message: `is not ${current.domain} or one of its subdomains` })));
    }
    if (!JIT_ROLES.includes(config.defaultRole) && !(config.defaultRole.startsWith('role_') && (await this.#identity.findRole(tx, tenantId, config.defaultRole)))) {
      throw new ValidationError('The default role does not exist.', [{ pointer: '/config/defaultRole', message: `must be one of ${JIT_ROLES.join(', ')} or a custom role id of this tenant` }]);
    }
    const taken = await this.#sso.replaceDomainClaims(tx, tenantId, id, config.domains);
    if (taken.length > 0) {
      throw new ConflictError('An email domain can sign in through one identity provider only.', {
        errors: config.domains.map((domain, index) => ({ domain, index })).filter(({ domain }) => taken.includes(domain)).map(({ index }) => ({ pointer: `/config/domains/${index}`, message: 'is claimed by another identity provider' })),
      });
    }
  }

  #view(tenantId: string, provider: SsoProvider, hasSecret: boolean): IdentityProviderView {
    const { id, ...config } = provider.config;
    const urls = ssoUrls(this.kernel.config.publicUrl, tenantId, id);
    return {
      id,
      type: provider.type,
      name: provider.name,
      enabled: provider.enabled,
      config: provider.type === 'oidc' ? { ...config, clientSecretSet: hasSecret } : config,
      serviceProvider:
        provider.type === 'oidc'
          ? { startUrl: urls.start, redirectUri: urls.callback }
          : { startUrl: urls.start, entityId: urls.metadata, acsUrl: urls.acs, metadataUrl: urls.metadata },
    };
  }
}

function normalise<T extends OidcConfigInput | SamlConfigInput>(config: T): T {
  return { ...config, domains: config.domains.map((d) => d.toLowerCase()) };
}

function toEntry(type: 'oidc' | 'saml', id: string, name: string, enabled: boolean, config: OidcConfigInput | SamlConfigInput): SsoProvider & ProviderEntry {
  if (type === 'oidc') {
    const { clientSecret: _secret, ...rest } = config as OidcConfigInput;
    void _secret;
    return { type, name, enabled, config: { id, ...rest, scopes: rest.scopes ?? [] } } as SsoProvider & ProviderEntry;
  }
  return { type, name, enabled, config: { id, ...(config as SamlConfigInput) } } as SsoProvider & ProviderEntry;
}
