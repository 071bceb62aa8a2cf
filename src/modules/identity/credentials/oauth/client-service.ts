// OAuth clients: each belongs to one tenant. Created by tenant administrators and developers (API)
// or operators (CLI); the secret is shown once and stored hashed. Deleting a client ends every
// token, code and grant it holds. A client's role can never exceed its creator's (below).
import { identityEvent } from '../../events.js';
import { randomBytes } from 'node:crypto';
import type { Kernel } from '../../../../kernel/kernel.js';
import type { Tx } from '../../../../kernel/db/database.js';
import { newId } from '../../../../kernel/ids.js';
import { NotFoundError, ValidationError, type FieldError } from '../../../../kernel/errors.js';
import type { RequestContext } from '../../../../kernel/context.js';
import { resourceName, type Action } from '../../../../kernel/authz/authorize.js';
import { callerScope, defineUseCase, type RecordedChange, type UseCase, type UseCaseRun } from '../../../../kernel/use-case.js';
import { authorizeBeforehand } from '../../use-cases.js';
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

/** A use case on a tenant's OAuth clients: decided on `prn:<tenant>:oauth-client/<id or *>`, in the tenant's scope (staff: across tenants). */
function clientUseCase<I extends { tenantId: string; clientId?: string }, O>(name: string, action: Action, run: (run: UseCaseRun<I>) => Promise<O>): UseCase<I, O> {
  return defineUseCase<I, O>({
    name,
    access: { action },
    resource: (input) => resourceName(input.tenantId, 'oauth-client', input.clientId ?? '*'),
    scope: (input, context) => callerScope(context, input.tenantId),
    run,
  });
}

export class OAuthClientService {
  readonly #repository = new OAuthRepository();
  readonly #identity = new IdentityRepository();

  constructor(
    private readonly kernel: Pick<Kernel, 'config' | 'clock' | 'useCases'>,
    private readonly tenants: TenantDirectory,
  ) {}

  readonly useCases = {
    create: clientUseCase<{ tenantId: string; row: OAuthClientRow }, void>('identity.create-oauth-client', 'identity:oauth-client.create', async ({ tx, input, context, record }) => {
      await this.#assertAssignableRole(tx, input.tenantId, input.row.role, context);
      await this.#repository.insertClient(tx, input.row);
      record(this.#change('identity.oauth_client.created', input.row));
    }),
    list: clientUseCase<{ tenantId: string }, OAuthClientView[]>('identity.list-oauth-clients', 'identity:oauth-client.list', async ({ tx, input }) =>
      (await this.#repository.listClients(tx, input.tenantId)).map((row) => this.#view(row)),
    ),
    delete: clientUseCase<{ tenantId: string; clientId: string }, void>('identity.delete-oauth-client', 'identity:oauth-client.delete', async ({ tx, input, record }) => {
      const row = await this.#repository.deleteClient(tx, input.tenantId, input.clientId);
      if (!row) throw new NotFoundError('OAuth client', input.clientId);
      await this.#repository.deletePayloadsOfClient(tx, input.clientId);
      record(this.#change('identity.oauth_client.deleted', row));
    }),
  };

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
    authorizeBeforehand(this.useCases.create, context, { tenantId });
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
    await this.kernel.useCases.run(this.useCases.create, context, { tenantId, row });
    return { ...this.#view(row), clientSecret: secret };
  }

  async list(tenantId: string, context: RequestContext): Promise<OAuthClientView[]> {
    return this.kernel.useCases.run(this.useCases.list, context, { tenantId });
  }

  async delete(tenantId: string, clientId: string, context: RequestContext): Promise<void> {
    await this.kernel.useCases.run(this.useCases.delete, context, { tenantId, clientId });
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

  /** A client created or deleted: audited on its tenant's chain (never its secret) and announced to the tenant. */
  #change(action: string, row: OAuthClientRow): RecordedChange {
    const view = this.#view(row);
    return {
      tenantId: row.tenant_id,
      target: { type: 'oauth-client', id: row.id },
      ...(action.endsWith('created') ? { after: view } : { before: view }),
      event: { contract: identityEvent(action), payload: { clientId: row.id, tenantId: row.tenant_id, grantType: row.grant_type } },
    };
  }
}
