// All SQL of a tenant's authentication settings (password policy, mandatory MFA): identity's own
// per-tenant row since they left the tenant document (ADR 0017).
import { sql } from 'kysely';
import type { Tx } from '../../../kernel/db/database.js';
import type { PasswordPolicy } from './authentication-rules.js';
import type { ProviderEntry } from '../federation/provider-config.js';

export interface TenantAuthenticationRow {
  tenant_id: string;
  password_policy: PasswordPolicy;
  mfa_required: boolean;
  version: number;
  updated_at: Date;
}

declare module '../../../kernel/db/tables.js' {
  interface Tables {
    'identity.tenant_authentication_settings': TenantAuthenticationRow;
  }
}

const jsonb = (policy: PasswordPolicy) => sql<PasswordPolicy>`${JSON.stringify(policy)}::jsonb`;

export class TenantAuthenticationRepository {
  /** The settings of these tenants (a tenant that never set any has no row: the defaults apply). */
  /**
   * Identity's whole part of these tenants' documents — settings and identity providers — in one
   * statement: it is read on every tenant read (the composed TenantDocument), so one round trip.
   */
  async partsOf(tx: Tx, tenantIds: string[]): Promise<{ tenantId: string; settings: TenantAuthenticationRow | undefined; providers: ProviderEntry[] }[]> {
    if (tenantIds.length === 0) return [];
    const { rows } = await sql<{ tenant_id: string; settings: TenantAuthenticationRow | null; providers: ProviderEntry[] | null }>`
      select t.id as tenant_id, to_jsonb(s) as settings, p.providers
      from unnest(${tenantIds}::text[]) as t(id)
      left join identity.tenant_authentication_settings s on s.tenant_id = t.id
      left join identity.tenant_identity_providers p on p.tenant_id = t.id`.execute(tx);
    return rows.map((row) => ({ tenantId: row.tenant_id, settings: row.settings ?? undefined, providers: row.providers ?? [] }));
  }

  async find(tx: Tx, tenantIds: string[]): Promise<TenantAuthenticationRow[]> {
    if (tenantIds.length === 0) return [];
    return tx.selectFrom('identity.tenant_authentication_settings').selectAll().where('tenant_id', 'in', tenantIds).execute();
  }

  /** The tenant's row, locked for a change; made from `defaults` first if the tenant has none. */
  async lock(tx: Tx, defaults: TenantAuthenticationRow): Promise<TenantAuthenticationRow> {
    await tx
      .insertInto('identity.tenant_authentication_settings')
      .values({ ...defaults, password_policy: jsonb(defaults.password_policy) })
      .onConflict((oc) => oc.column('tenant_id').doNothing())
      .execute();
    return tx.selectFrom('identity.tenant_authentication_settings').selectAll().where('tenant_id', '=', defaults.tenant_id).forUpdate().executeTakeFirstOrThrow();
  }

  /** Writes a new version; the caller holds the row lock from lock(). */
  async replace(tx: Tx, row: TenantAuthenticationRow): Promise<void> {
    await tx
      .updateTable('identity.tenant_authentication_settings')
      .set({ password_policy: jsonb(row.password_policy), mfa_required: row.mfa_required, version: row.version, updated_at: row.updated_at })
      .where('tenant_id', '=', row.tenant_id)
      .execute();
  }
}
