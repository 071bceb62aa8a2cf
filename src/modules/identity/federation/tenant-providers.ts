// Reads of a tenant's identity providers, identity's own list since it left the tenant document
// (ADR 0017), with the tenant facts single sign-on depends on (its domain and status) from the
// tenants module's read port.
import type { IdentityPorts } from '../module.js';
import { inTransaction } from '../../../kernel/db/database.js';
import { SYSTEM_SCOPE } from '../../../kernel/use-case.js';
import type { TenantDirectory } from '../accounts/service.js';
import type { TenantStatus } from '../../tenants/index.js';
import type { ProviderEntry } from './provider-config.js';
import { SsoRepository } from './repository.js';

export interface TenantProviders {
  providers: ProviderEntry[];
  /** The list's version: its ETag. */
  version: number;
  domain: string;
  status: TenantStatus;
}

export class TenantProviderDirectory {
  readonly #sso = new SsoRepository();

  constructor(
    private readonly kernel: IdentityPorts,
    private readonly tenants: TenantDirectory,
  ) {}

  /** A tenant's providers (undefined: no such tenant; a tenant that configured none has an empty list at version 1). */
  async of(tenantId: string): Promise<TenantProviders | undefined> {
    const tenant = await this.tenants.profileOf(tenantId);
    if (!tenant) return undefined;
    const [row] = await inTransaction(this.kernel.db, SYSTEM_SCOPE, (tx) => this.#sso.providersOf(tx, [tenantId]));
    return { providers: row?.providers ?? [], version: row?.version ?? 1, domain: tenant.domain, status: tenant.status };
  }

  /** Providers of live (not terminated) tenants that claim any of these lower-case email domains. */
  async claiming(domains: string[]): Promise<{ tenantId: string; provider: ProviderEntry }[]> {
    const rows = await inTransaction(this.kernel.db, SYSTEM_SCOPE, (tx) => this.#sso.providersClaiming(tx, domains));
    const profiles = await this.tenants.profilesOf([...new Set(rows.map((row) => row.tenant_id))]);
    return rows.filter((row) => (profiles.get(row.tenant_id)?.status ?? 'terminated') !== 'terminated').map((row) => ({ tenantId: row.tenant_id, provider: row.provider }));
  }
}
