// All SQL of API keys. Keys live in their tenant's rows (RLS); the lookup by hash at
// authentication time runs in platform scope, before anyone knows the tenant.
import type { Tx } from '../../../kernel/db/database.js';
import type { PlatformRole } from '../../../kernel/context.js';

export interface ApiKeyRow {
  tenant_id: string;
  id: string;
  /** The user a personal key acts as; null for a service key. */
  user_id: string | null;
  /** A service key's role (built-in name or custom role id); null for personal keys. */
  role: string | null;
  name: string;
  prefix: string;
  secret_hash: string;
  scopes: string[] | null;
  expires_at: Date | null;
  last_used_at: Date | null;
  created_by: string;
  created_at: Date;
  revoked_at: Date | null;
}

declare module '../../../kernel/db/tables.js' {
  interface Tables {
    'identity.api_keys': ApiKeyRow;
  }
}

/** A live key with what authentication needs about its user (personal keys). */
export type LiveApiKey = ApiKeyRow & { email: string | null; platform_role: PlatformRole | null };

export class ApiKeyRepository {
  async insert(tx: Tx, key: ApiKeyRow): Promise<void> {
    await tx.insertInto('identity.api_keys').values(key).execute();
  }

  /** The tenant's service keys (userId null) or one user's personal keys in every tenant. */
  async list(tx: Tx, owner: { tenantId: string } | { userId: string }): Promise<ApiKeyRow[]> {
    let query = tx.selectFrom('identity.api_keys').selectAll().where('revoked_at', 'is', null);
    query = 'tenantId' in owner ? query.where('tenant_id', '=', owner.tenantId).where('user_id', 'is', null) : query.where('user_id', '=', owner.userId);
    return query.orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
  }

  async find(tx: Tx, keyId: string): Promise<ApiKeyRow | undefined> {
    return tx.selectFrom('identity.api_keys').selectAll().where('id', '=', keyId).where('revoked_at', 'is', null).executeTakeFirst();
  }

  async revoke(tx: Tx, tenantId: string, keyId: string, at: Date): Promise<void> {
    await tx.updateTable('identity.api_keys').set({ revoked_at: at }).where('tenant_id', '=', tenantId).where('id', '=', keyId).where('revoked_at', 'is', null).execute();
  }

  /** The live (not revoked, not expired) key with this hash, and its user, in one round trip. */
  async findLive(tx: Tx, secretHash: string, now: Date): Promise<LiveApiKey | undefined> {
    return tx
      .selectFrom('identity.api_keys as k')
      .leftJoin('identity.users as u', 'u.id', 'k.user_id')
      .selectAll('k')
      .select(['u.email', 'u.platform_role'])
      .where('k.secret_hash', '=', secretHash)
      .where('k.revoked_at', 'is', null)
      .where((eb) => eb.or([eb('k.expires_at', 'is', null), eb('k.expires_at', '>', now)]))
      .executeTakeFirst();
  }

  async touch(tx: Tx, tenantId: string, keyId: string, at: Date): Promise<void> {
    await tx.updateTable('identity.api_keys').set({ last_used_at: at }).where('tenant_id', '=', tenantId).where('id', '=', keyId).execute();
  }
}
