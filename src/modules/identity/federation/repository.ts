// All SQL of single sign-on: each tenant's identity providers, sealed client secrets, pending
// sign-ins (OIDC state, SAML request ids), consumed SAML assertions and the one-time handoffs to a
// same-site request.
import { sql } from 'kysely';
import type { Db, Tx } from '../../../kernel/db/database.js';
import type { ProviderEntry } from './provider-config.js';

/** A tenant's identity providers: one ordered list with one version (its ETag). */
export interface TenantProvidersRow {
  tenant_id: string;
  providers: ProviderEntry[];
  version: number;
  updated_at: Date;
}

export interface ClientSecretRow {
  tenant_id: string;
  provider_id: string;
  secret_ciphertext: string;
  updated_at: Date;
}

export interface PendingRow {
  key: string;
  tenant_id: string;
  provider_id: string;
  protocol: 'oidc' | 'saml';
  nonce: string | null;
  code_verifier: string | null;
  return_to: string | null;
  browser_binding: string | null;
  created_at: Date;
  expires_at: Date;
}

export interface ConsumedAssertionRow {
  tenant_id: string;
  provider_id: string;
  assertion_id: string;
  not_on_or_after: Date;
}

export interface DomainClaimRow {
  domain: string;
  tenant_id: string;
  provider_id: string;
}

export interface HandoffRow {
  token_hash: string;
  tenant_id: string;
  provider_id: string;
  user_id: string;
  mfa_by_idp: boolean;
  return_to: string;
  browser_binding: string | null;
  created_at: Date;
  expires_at: Date;
}

declare module '../../../kernel/db/tables.js' {
  interface Tables {
    'identity.sso_client_secrets': ClientSecretRow;
    'identity.sso_pending': PendingRow;
    'identity.sso_consumed_assertions': ConsumedAssertionRow;
    'identity.sso_handoffs': HandoffRow;
    'identity.sso_domain_claims': DomainClaimRow;
    'identity.tenant_identity_providers': TenantProvidersRow;
  }
}

export class SsoRepository {
  // --- the providers of a tenant -----------------------------------------------------------------
  /** The providers of these tenants (a tenant with none configured yet has no row). */
  async providersOf(tx: Tx, tenantIds: string[]): Promise<TenantProvidersRow[]> {
    if (tenantIds.length === 0) return [];
    return tx.selectFrom('identity.tenant_identity_providers').selectAll().where('tenant_id', 'in', tenantIds).execute();
  }

  /** The tenant's providers, row locked for a change (made first if the tenant has none yet). */
  async lockProviders(tx: Tx, tenantId: string, at: Date): Promise<TenantProvidersRow> {
    await tx
      .insertInto('identity.tenant_identity_providers')
      .values({ tenant_id: tenantId, providers: sql<ProviderEntry[]>`'[]'::jsonb`, version: 1, updated_at: at })
      .onConflict((oc) => oc.column('tenant_id').doNothing())
      .execute();
    return tx.selectFrom('identity.tenant_identity_providers').selectAll().where('tenant_id', '=', tenantId).forUpdate().executeTakeFirstOrThrow();
  }

  /** Writes a new version of the list; the caller holds the row lock from lockProviders. */
  async replaceProviders(tx: Tx, tenantId: string, providers: ProviderEntry[], version: number, at: Date): Promise<void> {
    await tx
      .updateTable('identity.tenant_identity_providers')
      .set({ providers: sql<ProviderEntry[]>`${JSON.stringify(providers)}::jsonb`, version, updated_at: at })
      .where('tenant_id', '=', tenantId)
      .execute();
  }

  /**
   * Providers whose config claims one of these (lower-case) email domains, any tenant's. The
   * domains are stored lower-case under config.domains; the search is one jsonb match per domain.
   */
  async providersClaiming(tx: Tx, domains: string[]): Promise<{ tenant_id: string; provider: ProviderEntry }[]> {
    if (domains.length === 0) return [];
    const rows = await sql<{ tenant_id: string; provider: ProviderEntry }>`
      select t.tenant_id, p.provider
        from identity.tenant_identity_providers t
        cross join lateral jsonb_array_elements(t.providers) as p(provider)
       where exists (select 1 from jsonb_array_elements_text(p.provider -> 'config' -> 'domains') d where d = any(${domains}::text[]))
       order by t.tenant_id`.execute(tx);
    return rows.rows;
  }

  /**
   * Makes a provider's claims exactly these domains. Returns the domains another provider (of any
   * tenant: the primary key sees rows row-level security hides) already claims; nothing is
   * claimed for those, and the caller must then abandon the transaction.
   */
  async replaceDomainClaims(tx: Tx, tenantId: string, providerId: string, domains: string[]): Promise<string[]> {
    await tx.deleteFrom('identity.sso_domain_claims').where('tenant_id', '=', tenantId).where('provider_id', '=', providerId).execute();
    if (domains.length === 0) return [];
    const claimed = await tx
      .insertInto('identity.sso_domain_claims')
      .values(domains.map((domain) => ({ domain, tenant_id: tenantId, provider_id: providerId })))
      .onConflict((oc) => oc.column('domain').doNothing())
      .returning('domain')
      .execute();
    const mine = new Set(claimed.map((row) => row.domain));
    return domains.filter((domain) => !mine.has(domain));
  }

  // --- client secrets ----------------------------------------------------------------------------
  async findClientSecret(tx: Tx | Db, tenantId: string, providerId: string): Promise<string | undefined> {
    const row = await tx.selectFrom('identity.sso_client_secrets').select('secret_ciphertext').where('tenant_id', '=', tenantId).where('provider_id', '=', providerId).executeTakeFirst();
    return row?.secret_ciphertext;
  }

  async secretProviderIds(tx: Tx, tenantId: string): Promise<Set<string>> {
    const rows = await tx.selectFrom('identity.sso_client_secrets').select('provider_id').where('tenant_id', '=', tenantId).execute();
    return new Set(rows.map((r) => r.provider_id));
  }

  async putClientSecret(tx: Tx, row: ClientSecretRow): Promise<void> {
    await tx
      .insertInto('identity.sso_client_secrets')
      .values(row)
      .onConflict((oc) => oc.columns(['tenant_id', 'provider_id']).doUpdateSet({ secret_ciphertext: row.secret_ciphertext, updated_at: row.updated_at }))
      .execute();
  }

  async deleteClientSecret(tx: Tx, tenantId: string, providerId: string): Promise<void> {
    await tx.deleteFrom('identity.sso_client_secrets').where('tenant_id', '=', tenantId).where('provider_id', '=', providerId).execute();
  }

  // --- pending sign-ins --------------------------------------------------------------------------
  async insertPending(tx: Tx, row: PendingRow): Promise<void> {
    await tx.insertInto('identity.sso_pending').values(row).execute();
  }

  /** Reads a pending sign-in of this provider that has not expired. */
  async findPending(tx: Tx, key: string, providerId: string, now: Date): Promise<PendingRow | undefined> {
    return tx.selectFrom('identity.sso_pending').selectAll().where('key', '=', key).where('provider_id', '=', providerId).where('expires_at', '>', now).executeTakeFirst();
  }

  /** Removes and returns a pending sign-in of this provider (single use), if it has not expired. */
  async takePending(tx: Tx, key: string, providerId: string, now: Date): Promise<PendingRow | undefined> {
    const row = await tx.deleteFrom('identity.sso_pending').where('key', '=', key).where('provider_id', '=', providerId).returningAll().executeTakeFirst();
    return row && new Date(row.expires_at) > now ? row : undefined;
  }

  async deleteExpiredPending(tx: Tx, now: Date): Promise<void> {
    await tx.deleteFrom('identity.sso_pending').where('expires_at', '<=', now).execute();
  }

  // --- consumed assertions -----------------------------------------------------------------------
  /** Records an assertion as used; false when it was used before (a replay). */
  async consumeAssertion(tx: Tx, row: ConsumedAssertionRow, now: Date): Promise<boolean> {
    await tx.deleteFrom('identity.sso_consumed_assertions').where('not_on_or_after', '<', now).execute();
    const inserted = await tx.insertInto('identity.sso_consumed_assertions').values(row).onConflict((oc) => oc.doNothing()).executeTakeFirst();
    return Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1;
  }

  // --- handoffs ----------------------------------------------------------------------------------
  async insertHandoff(tx: Tx, row: HandoffRow): Promise<void> {
    await tx.insertInto('identity.sso_handoffs').values(row).execute();
  }

  async takeHandoff(tx: Tx, tokenHash: string, now: Date): Promise<HandoffRow | undefined> {
    await tx.deleteFrom('identity.sso_handoffs').where('expires_at', '<=', now).execute();
    return tx.deleteFrom('identity.sso_handoffs').where('token_hash', '=', tokenHash).where('expires_at', '>', now).returningAll().executeTakeFirst();
  }
}
