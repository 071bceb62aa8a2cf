// All SQL of the tenants module. Every query runs inside a transaction whose row-level-security
// context the service chose; the repository never widens it.
import { sql, type GeneratedAlways } from 'kysely';
import type { Tx } from '../../kernel/db/database.js';
import type { StoredTenantDocument as TenantDocument, TenantStatus } from './schemas.js';

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

  async findMany(tx: Tx, tenantIds: string[]): Promise<StoredTenant[]> {
    if (tenantIds.length === 0) return [];
    return tx.selectFrom('tenancy.tenants').select(['document', 'version']).where('tenant_id', 'in', tenantIds).execute();
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

  async customersOf(tx: Tx, partnerTenantId: string): Promise<string[]> {
    const rows = await tx
      .selectFrom('tenancy.tenants')
      .select('tenant_id')
      .where(sql`document ->> 'partnerTenantId'`, '=', partnerTenantId)
      .where('status', '<>', 'terminated')
      .execute();
    return rows.map((r) => r.tenant_id);
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
