// API keys: service keys act for a tenant with a role (built-in or custom); personal keys act as
// their user in one of the user's tenants, with the user's current membership role there. Either
// may be narrowed by scopes (action patterns) and may expire. The full key is shown once, at
// creation; only its SHA-256 hash is stored. Creation and revocation are audited and published.
import { createHash, randomBytes, randomInt } from 'node:crypto';
import type { Kernel } from '../../../kernel/kernel.js';
import { inTransaction, type Tx, type TxContext } from '../../../kernel/db/database.js';
import { newId, isId } from '../../../kernel/ids.js';
import { NotFoundError, ValidationError, ForbiddenError, type FieldError } from '../../../kernel/errors.js';
import { actorOf, type Principal, type RequestContext } from '../../../kernel/context.js';
import { authorize, isPlatformStaff, resourceName, PLATFORM } from '../../../kernel/authz/authorize.js';
import { isActionPattern } from '../../../kernel/authz/policy.js';
import { publish } from '../../../kernel/outbox.js';
import type { Authentication } from '../../../kernel/authentication.js';
import { ApiKeyRepository, type ApiKeyRow, type LiveApiKey } from './api-key-repository.js';
import { IdentityRepository } from '../accounts/repository.js';
import { policiesFor, TENANT_ROLES, PARTNER_ROLES } from '../access/builtin-roles.js';
import { restrictionIn, type TenantAuthenticationSource } from '../accounts/authentication-rules.js';
import type { TenantDirectory } from '../accounts/service.js';
import type { Loaded } from './credential-cache.js';

export const API_KEY_PREFIX = 'pk_';
/** `pk_<8 characters of public prefix>_<43 characters: 32 random bytes, base64url>`. */
const API_KEY = /^pk_([0-9a-z]{8})_([A-Za-z0-9_-]{43})$/;
const PREFIX_ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';
const LAST_USED_RESOLUTION_MS = 60_000;
const PLATFORM_SCOPE: TxContext = { scope: { kind: 'platform' }, actorId: 'system' };

export interface ApiKeyView {
  id: string;
  kind: 'service' | 'personal';
  tenantId: string;
  userId: string | null;
  name: string;
  /** The visible part of the key (`pk_<prefix>_…`), to recognise it. */
  prefix: string;
  role: string | null;
  scopes: string[] | null;
  expiresAt: string | null;
  lastUsedAt: string | null;
  createdAt: string;
}

export interface CreatedApiKey extends ApiKeyView {
  /** The whole key, shown this once. */
  secret: string;
}

export interface NewKeyInput {
  name: string;
  scopes?: string[] | null;
  expiresAt?: string | null;
}

/** What a resolved key carries beyond the principal: where to record its use. */
export interface ResolvedApiKey {
  authentication: Authentication;
  keyId: string;
  tenantId: string;
}

// The secret has 256 bits of randomness: a fast hash is as good as a slow one against guessing,
// and keeps authentication cheap. (Slow hashes are for low-entropy human passwords.)
export const apiKeyHash = (key: string) => createHash('sha256').update(key).digest('hex');

function view(row: ApiKeyRow): ApiKeyView {
  const iso = (value: Date | null) => (value === null ? null : new Date(value).toISOString());
  return {
    id: row.id,
    kind: row.user_id === null ? 'service' : 'personal',
    tenantId: row.tenant_id,
    userId: row.user_id,
    name: row.name,
    prefix: `${API_KEY_PREFIX}${row.prefix}`,
    role: row.role,
    scopes: row.scopes,
    expiresAt: iso(row.expires_at),
    lastUsedAt: iso(row.last_used_at),
    createdAt: new Date(row.created_at).toISOString(),
  };
}

function newSecret(): { prefix: string; key: string } {
  const prefix = Array.from({ length: 8 }, () => PREFIX_ALPHABET[randomInt(PREFIX_ALPHABET.length)]).join('');
  return { prefix, key: `${API_KEY_PREFIX}${prefix}_${randomBytes(32).toString('base64url')}` };
}

/** Roles a caller may give a service key: never more than they hold themselves. */
function assignableRoles(principal: Principal | null, staff: boolean): readonly string[] | 'any' {
  if (staff || principal?.tenantRole === 'owner') return 'any';
  if (principal?.tenantRole === 'admin') return [...TENANT_ROLES.filter((r) => r !== 'owner'), 'custom'];
  const own = principal?.tenantRole && (TENANT_ROLES as readonly string[]).includes(principal.tenantRole) ? [principal.tenantRole] : [];
  return [...new Set([...own, 'member', 'read-only'])];
}

export class ApiKeyService {
  readonly #keys = new ApiKeyRepository();
  readonly #identity = new IdentityRepository();
  /** Per key: when its last-used time was last written (by this process) or read. */
  readonly #lastUsed = new Map<string, number>();

  constructor(
    private readonly kernel: Kernel,
    private readonly tenants: TenantDirectory,
    private readonly authentication: TenantAuthenticationSource,
  ) {}

  #scope(context: RequestContext, tenantId: string): TxContext {
    const actorId = context.principal?.userId ?? 'anonymous';
    return isPlatformStaff(context) ? { scope: { kind: 'platform' }, actorId } : { scope: { kind: 'tenant', tenantId }, actorId };
  }

  #validate(input: NewKeyInput): { scopes: string[] | null; expiresAt: Date | null } {
    const errors: FieldError[] = [];
    const scopes = input.scopes ?? null;
    scopes?.forEach((scope, i) => {
      if (!isActionPattern(scope)) errors.push({ pointer: `/scopes/${i}`, message: 'must be an action pattern like tenants:tenant.read or billing:*' });
    });
    if (scopes?.length === 0) errors.push({ pointer: '/scopes', message: 'must name at least one action pattern, or be left out for no narrowing' });
    const expiresAt = input.expiresAt ? new Date(input.expiresAt) : null;
    if (expiresAt && !(expiresAt.getTime() > this.kernel.clock.now().getTime())) errors.push({ pointer: '/expiresAt', message: 'must be in the future' });
    if (errors.length > 0) throw new ValidationError('The API key cannot be created.', errors);
    return { scopes, expiresAt };
  }

  async #insert(tx: Tx, context: RequestContext, row: Omit<ApiKeyRow, 'prefix' | 'secret_hash'>): Promise<CreatedApiKey> {
    const { prefix, key } = newSecret();
    const stored: ApiKeyRow = { ...row, prefix, secret_hash: apiKeyHash(key) };
    await this.#keys.insert(tx, stored);
    await this.#record(tx, context, 'created', stored);
    return { ...view(stored), secret: key };
  }

  async #record(tx: Tx, context: RequestContext, what: 'created' | 'revoked', row: ApiKeyRow): Promise<void> {
    const described = view(row);
    await this.kernel.audit.record(tx, {
      tenantId: row.tenant_id,
      actor: actorOf(context),
      action: `identity.api_key.${what}`,
      target: { type: 'api-key', id: row.id },
      ...(what === 'created' ? { after: described } : { before: described }),
      requestId: context.requestId,
      sourceIp: context.sourceIp,
    });
    await publish(tx, this.kernel.clock, {
      type: `identity.api_key.${what}`,
      tenantId: row.tenant_id,
      payload: { keyId: row.id, kind: described.kind, prefix: described.prefix, userId: row.user_id },
      actorId: context.principal?.userId,
      requestId: context.requestId,
    });
  }

  // --- service keys ------------------------------------------------------------------------------
  async createServiceKey(tenantId: string, input: NewKeyInput & { role?: string }, context: RequestContext): Promise<CreatedApiKey> {
    authorize(context, 'identity:api-key.create', resourceName(tenantId, 'api-key', '*'));
    const { scopes, expiresAt } = this.#validate(input);
    const role = input.role ?? 'read-only';
    const custom = role.startsWith('role_');
    if ((PARTNER_ROLES as readonly string[]).includes(role) || (!custom && !(TENANT_ROLES as readonly string[]).includes(role))) {
      throw new ValidationError('No such role for a service key.', [{ pointer: '/role', message: `must be one of ${TENANT_ROLES.join(', ')} or a custom role id` }]);
    }
    const assignable = assignableRoles(context.principal, isPlatformStaff(context));
    if (assignable !== 'any' && !assignable.includes(custom ? 'custom' : role)) {
      throw new ForbiddenError(`You may not give a key the role ${role}: a key never gets more than its creator holds.`, { role });
    }
    if (!((await this.tenants.profileOf(tenantId)) !== null)) throw new NotFoundError('Tenant', tenantId);
    return inTransaction(this.kernel.db, this.#scope(context, tenantId), async (tx) => {
      if (custom && !(await this.#identity.findRole(tx, tenantId, role))) {
        throw new ValidationError('No such role in this tenant.', [{ pointer: '/role', message: 'is not a custom role of this tenant' }]);
      }
      const now = this.kernel.clock.now();
      return this.#insert(tx, context, {
        tenant_id: tenantId,
        id: newId('apiKey'),
        user_id: null,
        role,
        name: input.name.trim(),
        scopes,
        expires_at: expiresAt,
        last_used_at: null,
        created_by: context.principal?.userId ?? 'system',
        created_at: now,
        revoked_at: null,
      });
    });
  }

  async listServiceKeys(tenantId: string, context: RequestContext): Promise<ApiKeyView[]> {
    authorize(context, 'identity:api-key.list', resourceName(tenantId, 'api-key', '*'));
    const rows = await inTransaction(this.kernel.db, this.#scope(context, tenantId), (tx) => this.#keys.list(tx, { tenantId }));
    return rows.map(view);
  }

  async revokeServiceKey(tenantId: string, keyId: string, context: RequestContext): Promise<void> {
    authorize(context, 'identity:api-key.delete', resourceName(tenantId, 'api-key', keyId));
    await inTransaction(this.kernel.db, this.#scope(context, tenantId), async (tx) => {
      const row = await this.#keys.find(tx, keyId);
      if (!row || row.tenant_id !== tenantId || row.user_id !== null) throw new NotFoundError('API key', keyId);
      await this.#revoke(tx, context, row);
    });
  }

  async #revoke(tx: Tx, context: RequestContext, row: ApiKeyRow): Promise<void> {
    const now = this.kernel.clock.now();
    await this.#keys.revoke(tx, row.tenant_id, row.id, now);
    await this.#record(tx, context, 'revoked', { ...row, revoked_at: now });
  }

  // --- personal keys -----------------------------------------------------------------------------
  #self(context: RequestContext, verb: 'create' | 'list' | 'delete'): Principal {
    const principal = context.principal;
    authorize(context, `identity:self.api-key.${verb}`, resourceName(PLATFORM, 'user', principal?.userId ?? ''));
    if (!principal || !isId('user', principal.userId)) throw new ForbiddenError('Only a person has personal API keys.');
    return principal;
  }

  /** What the principal's session still owes to work in another tenant (a bearer credential: a session). */
  async #owedIn(principal: Principal, tenantId: string): Promise<string | null> {
    if (!principal.sessionId) return 'a signed-in session';
    return restrictionIn(this.kernel.db, this.authentication, { ...principal, sessionId: principal.sessionId }, tenantId, this.kernel.clock.now());
  }

  async createPersonalKey(input: NewKeyInput & { tenantId?: string }, context: RequestContext): Promise<CreatedApiKey> {
    const principal = this.#self(context, 'create');
    const { scopes, expiresAt } = this.#validate(input);
    const tenantId = input.tenantId ?? principal.tenantId;
    if (!tenantId) throw new ValidationError('Name the tenant the key works in.', [{ pointer: '/tenantId', message: 'is required when you work in no tenant' }]);
    // A key for another of the person's tenants must not dodge that tenant's rules (its mandatory
    // MFA, its password policy), which bind the session only once it works there.
    const owed = tenantId === principal.tenantId ? null : await this.#owedIn(principal, tenantId);
    return inTransaction(this.kernel.db, { scope: { kind: 'tenant', tenantId }, actorId: principal.userId }, async (tx) => {
      // A personal key acts with the person's membership: no membership, no key. Same answer as for
      // a tenant that does not exist (as switch-tenant gives): another tenant's existence is not disclosed.
      if (!(await this.#identity.findMembership(tx, tenantId, principal.userId))) throw new NotFoundError('Tenant', tenantId);
      if (owed) throw new ForbiddenError(`That organisation asks for more than this session has done (${owed}): switch to it, do what it asks, then make the key there.`, { restriction: owed });
      return this.#insert(tx, context, {
        tenant_id: tenantId,
        id: newId('apiKey'),
        user_id: principal.userId,
        role: null,
        name: input.name.trim(),
        scopes,
        expires_at: expiresAt,
        last_used_at: null,
        created_by: principal.userId,
        created_at: this.kernel.clock.now(),
        revoked_at: null,
      });
    });
  }

  async listPersonalKeys(context: RequestContext): Promise<ApiKeyView[]> {
    const principal = this.#self(context, 'list');
    const rows = await inTransaction(this.kernel.db, { ...PLATFORM_SCOPE, actorId: principal.userId }, (tx) => this.#keys.list(tx, { userId: principal.userId }));
    return rows.map(view);
  }

  async revokePersonalKey(keyId: string, context: RequestContext): Promise<void> {
    const principal = this.#self(context, 'delete');
    await inTransaction(this.kernel.db, { ...PLATFORM_SCOPE, actorId: principal.userId }, async (tx) => {
      const row = await this.#keys.find(tx, keyId);
      if (!row || row.user_id !== principal.userId) throw new NotFoundError('API key', keyId);
      await this.#revoke(tx, context, row);
    });
  }

  // --- authentication ----------------------------------------------------------------------------
  /** True when a bearer token has the shape of one of our keys (others go to the next resolver). */
  static looksLikeKey(token: string): boolean {
    return token.startsWith(API_KEY_PREFIX);
  }

  /** Resolves a key to its principal, or undefined when it is malformed, unknown, revoked or expired. */
  async resolve(key: string): Promise<Loaded<ResolvedApiKey> | undefined> {
    if (!API_KEY.test(key)) return undefined;
    const now = this.kernel.clock.now();
    return inTransaction(this.kernel.db, PLATFORM_SCOPE, async (tx) => {
      const row = await this.#keys.findLive(tx, apiKeyHash(key), now);
      if (!row) return undefined;
      const principal = await this.#principalOf(tx, row);
      if (!principal) return undefined;
      if (!this.#lastUsed.has(row.id)) this.#lastUsed.set(row.id, row.last_used_at ? new Date(row.last_used_at).getTime() : 0);
      const partner = (PARTNER_ROLES as readonly string[]).includes(principal.tenantRole ?? '');
      return {
        value: { authentication: { principal, csrfToken: null, expiresAt: row.expires_at, restriction: null }, keyId: row.id, tenantId: row.tenant_id },
        expiresAt: row.expires_at ? new Date(row.expires_at) : null,
        cacheable: !partner,
      };
    });
  }

  async #principalOf(tx: Tx, row: LiveApiKey): Promise<Principal | undefined> {
    const personal = row.user_id !== null;
    const role = personal ? (await this.#identity.findMembership(tx, row.tenant_id, row.user_id!))?.role : row.role;
    if (!role) return undefined; // the person left the tenant: their keys there stop working
    const custom = role.startsWith('role_') ? await this.#identity.findRole(tx, row.tenant_id, role) : undefined;
    if (role.startsWith('role_') && !custom) return undefined;
    const partnerCustomers = (PARTNER_ROLES as readonly string[]).includes(role) ? await this.tenants.customersOf(row.tenant_id) : [];
    const policies = policiesFor({ platformRole: null, tenantRole: role, customStatements: custom?.statements ?? null, partnerCustomers });
    const subjectId = personal ? row.user_id! : row.id;
    return {
      userId: subjectId,
      email: personal ? (row.email ?? '') : `api-key:${row.name}`,
      platformRole: null,
      tenantId: row.tenant_id,
      tenantRole: role,
      method: 'api_key',
      sessionId: null,
      subjectId,
      mfa: false,
      // A service key is not a person: it has no account to serve itself on.
      policies: personal ? policies : policies.filter((policy) => policy.name !== 'self-service'),
      scopes: row.scopes,
    };
  }

  /** Records a key's use, at most once a minute per key, off the request's path. */
  noteUse(keyId: string, tenantId: string): void {
    const now = this.kernel.clock.now();
    if (now.getTime() - (this.#lastUsed.get(keyId) ?? 0) < LAST_USED_RESOLUTION_MS) return;
    this.#lastUsed.set(keyId, now.getTime());
    if (this.#lastUsed.size > 100_000) this.#lastUsed.clear();
    inTransaction(this.kernel.db, { scope: { kind: 'tenant', tenantId }, actorId: 'system' }, (tx) => this.#keys.touch(tx, tenantId, keyId, now)).catch((error: unknown) =>
      this.kernel.logger.warn({ err: error, keyId }, 'could not record an API key’s last use'),
    );
  }
}
