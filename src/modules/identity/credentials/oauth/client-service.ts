// OAuth clients: each belongs to one tenant. Created by tenant administrators and developers (API)
// or operators (CLI); the secret is shown once and stored hashed. Deleting a client ends every
// token, code and grant it holds. A client's role can never exceed its creator's (below).
import { randomBytes } from 'node:crypto';
import type { Kernel } from '../../../../kernel/kernel.js';
import { inTransaction, type Tx, type TxContext } from '../../../../kernel/db/database.js';
import { newId } from '../../../../kernel/ids.js';
import { NotFoundError, ValidationError, type FieldError } from '../../../../kernel/errors.js';
import { actorOf, type RequestContext } from '../../../../kernel/context.js';
import { authorize, isPlatformStaff, resourceName } from '../../../../kernel/authz/authorize.js';
import { publish } from '../../../../kernel/outbox.js';
import { IdentityRepository } from '../../accounts/repository.js';
import { TENANT_ROLES } from '../../access/builtin-roles.js';
import type { TenantDirectory } from '../../accounts/service.js';
import { OAuthRepository, type OAuthClientRow, type OAuthGrantType } from './repository.js';
import { hashClientSecret, oauthIssuer } from './authorization-server.js';
import { API_SCOPES } from './scopes.js';

export interface OAuthClientInput {
  name: string;
  grantType?: OAuthGrantType;
  redirectUris?: string[];
  scopes?: string[];
  /** Client credentials: the tenant role its tokens act with (default read-only). */
  role?: string;
}

export interface OAuthClientView {
  clientId: string;
  tenantId: string;
  name: string;
  grantType: OAuthGrantType;
  redirectUris: string[];
  scopes: string[];
  role: string | null;
  issuer: string;
  createdAt: string;
}

export interface CreatedOAuthClient extends OAuthClientView {
  /** Shown once; only its hash is stored. */
  clientSecret: string;
}

const DEFAULT_SCOPES = API_SCOPES.filter((scope) => scope.endsWith(':read'));
/** Roles anyone allowed to create clients may hand to one; stronger roles need an owner or admin. */
const MODEST_ROLES = new Set(['read-only', 'member']);

function isAcceptableRedirectUri(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.hash) return false;
  if (url.protocol === 'https:') return true;
  // Plain http only for apps on the user's own machine (RFC 8252 loopback redirects).
  return url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
}

export class OAuthClientService {
  readonly #repository = new OAuthRepository();
  readonly #identity = new IdentityRepository();

  constructor(
    private readonly kernel: Kernel,
    private readonly tenants: TenantDirectory,
  ) {}

  #scope(context: RequestContext, tenantId: string): TxContext {
    const actorId = context.principal?.userId ?? 'system';
    return !context.principal || isPlatformStaff(context) ? { scope: { kind: 'platform' }, actorId } : { scope: { kind: 'tenant', tenantId }, actorId };
  }

  #view(row: OAuthClientRow): OAuthClientView {
    return {
      clientId: row.id,
      tenantId: row.tenant_id,
      name: row.name,
      grantType: row.grant_type,
      redirectUris: row.redirect_uris,
      scopes: row.scopes,
      role: row.grant_type === 'client_credentials' ? row.role : null,
      issuer: oauthIssuer(this.kernel.config.publicUrl),
      createdAt: new Date(row.created_at).toISOString(),
    };
  }

  async create(tenantId: string, input: OAuthClientInput, context: RequestContext): Promise<CreatedOAuthClient> {
    authorize(context, 'identity:oauth-client.create', resourceName(tenantId, 'oauth-client', '*'));
    const grantType = input.grantType ?? 'client_credentials';
    const redirectUris = input.redirectUris ?? [];
    const scopes = [...new Set(input.scopes ?? DEFAULT_SCOPES)];
    const role = input.role ?? 'read-only';
    const errors: FieldError[] = [];
    const name = input.name.trim();
    if (name.length < 1 || name.length > 100) errors.push({ pointer: '/name', message: 'must be 1 to 100 characters' });
    if (grantType === 'authorization_code' && redirectUris.length === 0) errors.push({ pointer: '/redirectUris', message: 'an authorization_code client needs at least one redirect URI' });
    if (grantType === 'client_credentials' && redirectUris.length > 0) errors.push({ pointer: '/redirectUris', message: 'a client_credentials client has no redirect URIs' });
    redirectUris.forEach((uri, i) => {
      if (!isAcceptableRedirectUri(uri)) errors.push({ pointer: `/redirectUris/${i}`, message: 'must be an https URL (http only for localhost) without a fragment' });
    });
    scopes.forEach((scope, i) => {
      if (!API_SCOPES.includes(scope)) errors.push({ pointer: `/scopes/${i}`, message: `must be one of ${API_SCOPES.join(', ')}` });
    });
    if (grantType === 'authorization_code' && input.role !== undefined) errors.push({ pointer: '/role', message: 'an authorization_code client acts with the signed-in user’s role; it has none of its own' });
    if (errors.length > 0) throw new ValidationError('The OAuth client cannot be created.', errors);
    if (!((await this.tenants.profileOf(tenantId)) !== null)) throw new NotFoundError('Tenant', tenantId);

    const secret = `oacs_${randomBytes(32).toString('base64url')}`;
    const now = this.kernel.clock.now();
    const row: OAuthClientRow = {
      tenant_id: tenantId,
      id: newId('oauthClient'),
      name,
      grant_type: grantType,
      redirect_uris: redirectUris,
      scopes,
      role,
      secret_hash: hashClientSecret(secret),
      created_at: now,
      created_by: context.principal?.userId ?? 'system',
    };
    await inTransaction(this.kernel.db, this.#scope(context, tenantId), async (tx) => {
      await this.#assertAssignableRole(tx, tenantId, role, context);
      await this.#repository.insertClient(tx, row);
      await this.#record(tx, context, 'identity.oauth_client.created', row);
    });
    return { ...this.#view(row), clientSecret: secret };
  }

  async list(tenantId: string, context: RequestContext): Promise<OAuthClientView[]> {
    authorize(context, 'identity:oauth-client.list', resourceName(tenantId, 'oauth-client', '*'));
    const rows = await inTransaction(this.kernel.db, this.#scope(context, tenantId), (tx) => this.#repository.listClients(tx, tenantId));
    return rows.map((row) => this.#view(row));
  }

  async delete(tenantId: string, clientId: string, context: RequestContext): Promise<void> {
    authorize(context, 'identity:oauth-client.delete', resourceName(tenantId, 'oauth-client', clientId));
    await inTransaction(this.kernel.db, this.#scope(context, tenantId), async (tx) => {
      const row = await this.#repository.deleteClient(tx, tenantId, clientId);
      if (!row) throw new NotFoundError('OAuth client', clientId);
      await this.#repository.deletePayloadsOfClient(tx, clientId);
      await this.#record(tx, context, 'identity.oauth_client.deleted', row);
    });
  }

  /** A client may get a built-in or custom role of its tenant, and never more than its creator has. */
  async #assertAssignableRole(tx: Tx, tenantId: string, role: string, context: RequestContext): Promise<void> {
    const known = (TENANT_ROLES as readonly string[]).includes(role) || (role.startsWith('role_') && (await this.#identity.findRole(tx, tenantId, role)));
    if (!known) throw new ValidationError('No such role in this tenant.', [{ pointer: '/role', message: `must be one of ${TENANT_ROLES.join(', ')} or a custom role id of this tenant` }]);
    const principal = context.principal;
    if (!principal || principal.platformRole || MODEST_ROLES.has(role) || role === principal.tenantRole) return;
    if (principal.tenantRole === 'owner' || (principal.tenantRole === 'admin' && role !== 'owner')) return;
    throw new ValidationError('A client cannot be given a role stronger than yours.', [{ pointer: '/role', message: `you may give read-only, member or your own role (${principal.tenantRole ?? 'none'})` }]);
  }

  async #record(tx: Tx, context: RequestContext, action: string, row: OAuthClientRow): Promise<void> {
    const view = this.#view(row);
    await this.kernel.audit.record(tx, {
      tenantId: row.tenant_id,
      actor: actorOf(context),
      action,
      target: { type: 'oauth-client', id: row.id },
      ...(action.endsWith('created') ? { after: view } : { before: view }),
      requestId: context.requestId,
      sourceIp: context.sourceIp,
    });
    await publish(tx, this.kernel.clock, {
      type: action,
      tenantId: row.tenant_id,
      payload: { clientId: row.id, tenantId: row.tenant_id, grantType: row.grant_type },
      actorId: context.principal?.userId,
      requestId: context.requestId,
    });
  }
}
