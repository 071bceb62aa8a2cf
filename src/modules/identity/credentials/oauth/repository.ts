// All SQL of the OAuth authorization server: clients (tenant rows, RLS), oidc-provider's persisted
// models, and the provider's keys.
import { sql } from 'kysely';
import type { Db, Tx } from '../../../../kernel/db/database.js';

export type OAuthGrantType = 'client_credentials' | 'authorization_code';

export interface OAuthClientRow {
  tenant_id: string;
  id: string;
  name: string;
  grant_type: OAuthGrantType;
  redirect_uris: string[];
  scopes: string[];
  role: string;
  secret_hash: string;
  created_at: Date;
  created_by: string;
}

export interface OAuthPayloadRow {
  model: string;
  id: string;
  payload: Record<string, unknown>;
  grant_id: string | null;
  uid: string | null;
  user_code: string | null;
  expires_at: Date | null;
  consumed_at: Date | null;
}

export interface OAuthKeyRow {
  kid: string;
  purpose: 'signing' | 'cookie';
  material: Record<string, unknown>;
  created_at: Date;
}

declare module '../../../../kernel/db/tables.js' {
  interface Tables {
    'identity.oauth_clients': OAuthClientRow;
    'identity.oauth_payloads': OAuthPayloadRow;
    'identity.oauth_keys': OAuthKeyRow;
  }
}

const jsonb = <T>(value: unknown) => sql<T>`${JSON.stringify(value)}::jsonb`;

export class OAuthRepository {
  // --- clients (run in the tenant's scope, or platform scope for lookups by client id) ------------
  async insertClient(tx: Tx, row: OAuthClientRow): Promise<void> {
    await tx
      .insertInto('identity.oauth_clients')
      .values({ ...row, redirect_uris: jsonb<string[]>(row.redirect_uris), scopes: jsonb<string[]>(row.scopes) })
      .execute();
  }

  async listClients(tx: Tx, tenantId: string): Promise<OAuthClientRow[]> {
    return tx.selectFrom('identity.oauth_clients').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at').execute();
  }

  async findClient(tx: Tx, clientId: string): Promise<OAuthClientRow | undefined> {
    return tx.selectFrom('identity.oauth_clients').selectAll().where('id', '=', clientId).executeTakeFirst();
  }

  async deleteClient(tx: Tx, tenantId: string, clientId: string): Promise<OAuthClientRow | undefined> {
    return tx.deleteFrom('identity.oauth_clients').where('tenant_id', '=', tenantId).where('id', '=', clientId).returningAll().executeTakeFirst();
  }

  /** Everything the provider issued to a client: its tokens, codes and grants end with it. */
  async deletePayloadsOfClient(tx: Tx, clientId: string): Promise<number> {
    const result = await tx.deleteFrom('identity.oauth_payloads').where(sql<string>`payload ->> 'clientId'`, '=', clientId).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  // --- oidc-provider models ----------------------------------------------------------------------
  async upsertPayload(db: Db, row: OAuthPayloadRow): Promise<void> {
    await db
      .insertInto('identity.oauth_payloads')
      .values({ ...row, payload: jsonb(row.payload) })
      .onConflict((conflict) =>
        conflict.columns(['model', 'id']).doUpdateSet({
          payload: jsonb(row.payload),
          grant_id: row.grant_id,
          uid: row.uid,
          user_code: row.user_code,
          expires_at: row.expires_at,
        }),
      )
      .execute();
  }

  /** A live (unexpired) row by one of its keys. */
  async findPayload(db: Db, model: string, by: 'id' | 'uid' | 'user_code', value: string, now: Date): Promise<OAuthPayloadRow | undefined> {
    return db
      .selectFrom('identity.oauth_payloads')
      .selectAll()
      .where('model', '=', model)
      .where(by, '=', value)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
      .executeTakeFirst();
  }

  async consumePayload(db: Db, model: string, id: string, at: Date): Promise<void> {
    await db.updateTable('identity.oauth_payloads').set({ consumed_at: at }).where('model', '=', model).where('id', '=', id).execute();
  }

  async destroyPayload(db: Db, model: string, id: string): Promise<void> {
    await db.deleteFrom('identity.oauth_payloads').where('model', '=', model).where('id', '=', id).execute();
  }

  async destroyGrant(db: Db, grantId: string): Promise<void> {
    // Every model of the grant (codes, access and refresh tokens, the grant itself) ends at once.
    await db.deleteFrom('identity.oauth_payloads').where('grant_id', '=', grantId).execute();
  }

  /** Is this access token (by its jti) still on record, i.e. neither revoked nor expired? */
  async isTokenLive(db: Db, jti: string, now: Date): Promise<boolean> {
    const row = await db
      .selectFrom('identity.oauth_payloads')
      .select('id')
      .where('model', 'in', ['AccessToken', 'ClientCredentials'])
      .where('id', '=', jti)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return row !== undefined;
  }

  // --- keys --------------------------------------------------------------------------------------
  async listKeys(tx: Tx | Db): Promise<OAuthKeyRow[]> {
    return tx.selectFrom('identity.oauth_keys').selectAll().orderBy('created_at', 'desc').execute();
  }

  async insertKey(tx: Tx, row: OAuthKeyRow): Promise<void> {
    await tx.insertInto('identity.oauth_keys').values({ ...row, material: jsonb(row.material) }).execute();
  }

  /** Replaces a key's plaintext material with its sealed form (the only update the table allows). */
  async sealKey(tx: Tx, kid: string, material: Record<string, unknown>): Promise<void> {
    await tx.updateTable('identity.oauth_keys').set({ material: jsonb(material) }).where('kid', '=', kid).execute();
  }

  /** Serialises first-start key generation across replicas (released at commit). */
  async lockKeyGeneration(tx: Tx): Promise<void> {
    await sql`select pg_advisory_xact_lock(hashtext('platforma.oauth_keys'))`.execute(tx);
  }
}
