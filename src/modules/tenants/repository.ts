// All SQL of the tenants module. Every query runs inside a transaction whose row-level-security
// context the service chose; the repository never widens it.
import { sql, type GeneratedAlways } from 'kysely';
import type { Tx } from '../../kernel/db/database.js';
import type { TenantDocument, TenantStatus } from './schemas.js';

type IdentityProviderEntry = TenantDocument['settings']['authentication']['providers'][number];

interface TenantRow {
  tenant_id: string;
  document: TenantDocument;
  version: number;
  status: GeneratedAlways<TenantStatus>;
  organization_name: GeneratedAlways<string>;
  domain: GeneratedAlways<string>;
  created_at: Date;
  updated_at: Date;
}

declare module '../../kernel/db/tables.js' {
  interface Tables {
    'tenancy.tenants': TenantRow;
  }
}

export interface StoredTenant {
  document: TenantDocument;
  version: number;
}

export interface TenantFilter {
  status?: TenantStatus;
  search?: string;
  /** Return tenants with ids strictly below this one (ids sort by creation time). */
  beforeId?: string;
  limit: number;
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);
const asJsonb = (document: TenantDocument) => sql<TenantDocument>`${JSON.stringify(document)}::jsonb`;

export class TenantRepository {
  async insert(tx: Tx, document: TenantDocument, at: Date): Promise<StoredTenant> {
    await tx.insertInto('tenancy.tenants').values({ tenant_id: document.tenantId, document: asJsonb(document), version: 1, created_at: at, updated_at: at }).execute();
    return { document, version: 1 };
  }

  async find(tx: Tx, tenantId: string, options: { forUpdate?: boolean } = {}): Promise<StoredTenant | undefined> {
    let query = tx.selectFrom('tenancy.tenants').select(['document', 'version']).where('tenant_id', '=', tenantId);
    if (options.forUpdate) query = query.forUpdate();
    return query.executeTakeFirst();
  }

  /** Writes a new version of the document; the caller holds the row lock from find(forUpdate). */
  async replace(tx: Tx, document: TenantDocument, expectedVersion: number, at: Date): Promise<StoredTenant> {
    const row = await tx
      .updateTable('tenancy.tenants')
      .set({ document: asJsonb(document), version: expectedVersion + 1, updated_at: at })
      .where('tenant_id', '=', document.tenantId)
      .where('version', '=', expectedVersion)
      .returning(['document', 'version'])
      .executeTakeFirst();
    if (!row) throw new Error(`tenant ${document.tenantId} changed under a held lock`);
    return row;
  }

  async domainTaken(tx: Tx, domain: string, exceptTenantId?: string): Promise<boolean> {
    let query = tx.selectFrom('tenancy.tenants').select('tenant_id').where('domain', '=', domain.toLowerCase()).where('status', '<>', 'terminated');
    if (exceptTenantId) query = query.where('tenant_id', '<>', exceptTenantId);
    return (await query.executeTakeFirst()) !== undefined;
  }

  async names(tx: Tx, tenantIds: string[]): Promise<{ tenant_id: string; organization_name: string }[]> {
    if (tenantIds.length === 0) return [];
    return tx.selectFrom('tenancy.tenants').select(['tenant_id', 'organization_name']).where('tenant_id', 'in', tenantIds).execute();
  }

  async customersOf(tx: Tx, partnerTenantId: string): Promise<string[]> {
    const rows = await tx
      .selectFrom('tenancy.tenants')
      .select('tenant_id')
      .where(sql`document ->> 'partnerTenantId'`, '=', partnerTenantId)
      .where('status', '<>', 'terminated')
      .execute();
    return rows.map((r) => r.tenant_id);
  }

  /**
   * Identity providers (of live tenants) whose config claims one of these email domains. The
   * domains are stored lower-case under config.domains; the search is a jsonb containment per domain.
   */
  async providersClaiming(tx: Tx, domains: string[]): Promise<{ tenant_id: string; provider: IdentityProviderEntry }[]> {
    if (domains.length === 0) return [];
    const rows = await sql<{ tenant_id: string; provider: IdentityProviderEntry }>`
      select t.tenant_id, p.provider
        from tenancy.tenants t
        cross join lateral jsonb_array_elements(t.document -> 'settings' -> 'authentication' -> 'providers') as p(provider)
       where t.status <> 'terminated'
         and exists (select 1 from jsonb_array_elements_text(p.provider -> 'config' -> 'domains') d where d = any(${domains}::text[]))
       order by t.tenant_id`.execute(tx);
    return rows.rows;
  }

  async list(tx: Tx, filter: TenantFilter): Promise<StoredTenant[]> {
    let query = tx.selectFrom('tenancy.tenants').select(['document', 'version']).orderBy('tenant_id', 'desc').limit(filter.limit);
    if (filter.status) query = query.where('status', '=', filter.status);
    if (filter.beforeId) query = query.where('tenant_id', '<', filter.beforeId);
    if (filter.search) {
      const pattern = `%${escapeLike(filter.search.toLowerCase())}%`;
      query = query.where((eb) => eb.or([eb(eb.fn('lower', ['organization_name']), 'like', pattern), eb('domain', 'like', pattern)]));
    }
    return query.execute();
  }
}
