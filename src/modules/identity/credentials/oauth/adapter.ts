// oidc-provider's persistence on PostgreSQL: every model the provider stores (sessions,
// interactions, grants, codes, access and refresh tokens) is a row of identity.oauth_payloads, so
// all replicas share them and a revocation on one is seen by the others at once. Clients are not
// stored here: they are read from identity.oauth_clients (see clientMetadata).
import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { Db } from '../../../../kernel/db/database.js';
import type { Clock } from '../../../../kernel/clock.js';
import { OAuthRepository } from './repository.js';

export interface AdapterDeps {
  db: Db;
  clock: Clock;
  /** Client metadata by client id (from the clients table); undefined when there is none. */
  findClient(clientId: string): Promise<AdapterPayload | undefined>;
  /** The jti of one of our JWT access tokens, when its signature is ours; undefined otherwise. */
  jtiOfJwt(token: string): Promise<string | undefined>;
}

const JWT_SHAPED = /^[\w-]+\.[\w-]+\.[\w-]+$/;
// JWT access tokens are stored under their jti; revocation and introspection look them up by the
// token itself, which is translated here.
const JWT_MODELS = new Set(['AccessToken', 'ClientCredentials']);

export class PostgresAdapter implements Adapter {
  readonly #repository = new OAuthRepository();

  constructor(
    private readonly model: string,
    private readonly deps: AdapterDeps,
  ) {}

  async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
    if (this.model === 'Client') throw new Error('Clients are created with `platforma oauth-client create` or the tenant API, not by the provider.');
    const now = this.deps.clock.now();
    await this.#repository.upsertPayload(this.deps.db, {
      model: this.model,
      id,
      payload: payload as Record<string, unknown>,
      grant_id: payload.grantId ?? null,
      uid: payload.uid ?? null,
      user_code: payload.userCode ?? null,
      expires_at: expiresIn ? new Date(now.getTime() + expiresIn * 1000) : null,
      consumed_at: null,
    });
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    if (this.model === 'Client') return this.deps.findClient(id);
    let key = id;
    if (JWT_MODELS.has(this.model) && JWT_SHAPED.test(id)) {
      const jti = await this.deps.jtiOfJwt(id);
      if (!jti) return undefined;
      key = jti;
    }
    return this.#read('id', key);
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return this.#read('uid', uid);
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    return this.#read('user_code', userCode);
  }

  async consume(id: string): Promise<void> {
    await this.#repository.consumePayload(this.deps.db, this.model, id, this.deps.clock.now());
  }

  async destroy(id: string): Promise<void> {
    await this.#repository.destroyPayload(this.deps.db, this.model, id);
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    await this.#repository.destroyGrant(this.deps.db, grantId);
  }

  async #read(by: 'id' | 'uid' | 'user_code', value: string): Promise<AdapterPayload | undefined> {
    const row = await this.#repository.findPayload(this.deps.db, this.model, by, value, this.deps.clock.now());
    if (!row) return undefined;
    return { ...(row.payload as AdapterPayload), ...(row.consumed_at ? { consumed: Math.floor(new Date(row.consumed_at).getTime() / 1000) } : {}) };
  }
}
