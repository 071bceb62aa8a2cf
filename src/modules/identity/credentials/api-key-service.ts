// API keys: service keys act for a tenant with a role (built-in or custom); personal keys act as
// their user in one of the user's tenants, with the user's current membership role there. Either
// may be narrowed by scopes (action patterns) and may expire. The full key is shown once, at
// creation; only its SHA-256 hash is stored. Creation and revocation are audited and published.
import { identityEvent } from '../events.js';
import { createHash, randomBytes, randomInt } from 'node:crypto';
import type { Kernel } from '../../../kernel/kernel.js';
import { inTransaction, type Tx } from '../../../kernel/db/database.js';
import { newId, isId } from '../../../kernel/ids.js';
import { NotFoundError, ValidationError, ForbiddenError, type FieldError } from '../../../kernel/errors.js';
import type { Principal, RequestContext } from '../../../kernel/context.js';
import { callerScope, defineUseCase, SYSTEM_SCOPE, type RecordedChange } from '../../../kernel/use-case.js';
import { isPlatformStaff, resourceName, PLATFORM } from '../../../kernel/authz/authorize.js';
import { isActionPattern } from '../../../kernel/authz/policy.js';
import type { Authentication } from '../../../kernel/authentication.js';
import { ApiKeyRepository, type ApiKeyRow, type LiveApiKey } from './api-key-repository.js';
import { IdentityRepository } from '../accounts/repository.js';
import { policiesFor, TENANT_ROLES, PARTNER_ROLES } from '../access/builtin-roles.js';
import { restrictionIn, type TenantAuthenticationSource } from '../accounts/authentication-rules.js';
import type { TenantDirectory } from '../accounts/service.js';
import type { Loaded } from './credential-cache.js';
import { authorizeBeforehand } from '../use-cases.js';

export const API_KEY_PREFIX = 'pk_';
/** `pk_<8 characters of public prefix>_<43 characters: 32 random bytes, base64url>`. */
const API_KEY = /^pk_([0-9a-z]{8})_([A-Za-z0-9_-]{43})$/;
const PREFIX_ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';
const LAST_USED_RESOLUTION_MS = 60_000;
/** The caller's own account: what personal-key actions are decided on. */
const ownAccount = (_input: unknown, context: RequestContext) => resourceName(PLATFORM, 'user', context.principal?.userId ?? '');

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

/** A key created or revoked: audited on its tenant's chain (the key's view, never its secret) and announced to the tenant. */
function keyChange(what: 'created' | 'revoked', row: ApiKeyRow): RecordedChange {
  const described = view(row);
  return {
    tenantId: row.tenant_id,
    target: { type: 'api-key', id: row.id },
    ...(what === 'created' ? { after: described } : { before: described }),
    event: { contract: identityEvent(`identity.api_key.${what}`), payload: { keyId: row.id, kind: described.kind, prefix: described.prefix, userId: row.user_id } },
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
    private readonly kernel: Pick<Kernel, 'clock' | 'logger' | 'db' | 'useCases'>,
    private readonly tenants: TenantDirectory,
    private readonly authentication: TenantAuthenticationSource,
  ) {}

  readonly useCases = {
    createServiceKey: defineUseCase<{ tenantId: string; name: string; role: string; scopes: string[] | null; expiresAt: Date | null }, CreatedApiKey>({
      name: 'identity.create-service-key',
      access: { action: 'identity:api-key.create' },
      resource: ({ tenantId }) => resourceName(tenantId, 'api-key', '*'),
      scope: (input, context) => callerScope(context, input.tenantId),
      run: async ({ tx, input, context, record }) => {
        const { tenantId, role } = input;
        if (role.startsWith('role_') && !(await this.#identity.findRole(tx, tenantId, role))) {
          throw new ValidationError('No such role in this tenant.', [{ pointer: '/role', message: 'is not a custom role of this tenant' }]);
        }
        const now = this.kernel.clock.now();
        return this.#insert(tx, record, {
          tenant_id: tenantId,
          id: newId('apiKey'),
          user_id: null,
          role,
          name: input.name.trim(),
          scopes: input.scopes,
          expires_at: input.expiresAt,
          last_used_at: null,
          created_by: context.principal?.userId ?? 'system',
          created_at: now,
          revoked_at: null,
        });
      },
    }),
    listServiceKeys: defineUseCase<{ tenantId: string }, ApiKeyView[]>({
      name: 'identity.list-service-keys',
      access: { action: 'identity:api-key.list' },
      resource: ({ tenantId }) => resourceName(tenantId, 'api-key', '*'),
      scope: (input, context) => callerScope(context, input.tenantId),
      run: async ({ tx, input }) => (await this.#keys.list(tx, { tenantId: input.tenantId })).map(view),
    }),
    revokeServiceKey: defineUseCase<{ tenantId: string; keyId: string }, void>({
      name: 'identity.revoke-service-key',
      access: { action: 'identity:api-key.delete' },
      resource: ({ tenantId, keyId }) => resourceName(tenantId, 'api-key', keyId),
      scope: (input, context) => callerScope(context, input.tenantId),
      run: async ({ tx, input, record }) => {
        const row = await this.#keys.find(tx, input.keyId);
        if (!row || row.tenant_id !== input.tenantId || row.user_id !== null) throw new NotFoundError('API key', input.keyId);
        await this.#revoke(tx, record, row);
      },
    }),
    createPersonalKey: defineUseCase<{ tenantId: string; name: string; scopes: string[] | null; expiresAt: Date | null; owed: string | null }, CreatedApiKey>({
      name: 'identity.create-personal-key',
      access: { action: 'identity:self.api-key.create' },
      resource: ownAccount,
      // A personal key lives in the tenant it works in.
      scope: (input) => ({ kind: 'tenant', tenantId: input.tenantId }),
      run: async ({ tx, input, context, record }) => {
        const principal = context.principal!;
        const { tenantId } = input;
        // A personal key acts with the person's membership: no membership, no key. Same answer as for
        // a tenant that does not exist (as switch-tenant gives): another tenant's existence is not disclosed.
        if (!(await this.#identity.findMembership(tx, tenantId, principal.userId))) throw new NotFoundError('Tenant', tenantId);
        if (input.owed) throw new ForbiddenError(`That organisation asks for more than this session has done (${input.owed}): switch to it, do what it asks, then make the key there.`, { restriction: input.owed });
        return this.#insert(tx, record, {
          tenant_id: tenantId,
          id: newId('apiKey'),
          user_id: principal.userId,
          role: null,
          name: input.name.trim(),
          scopes: input.scopes,
          expires_at: input.expiresAt,
          last_used_at: null,
          created_by: principal.userId,
          created_at: this.kernel.clock.now(),
          revoked_at: null,
        });
      },
    }),
    listPersonalKeys: defineUseCase<void, ApiKeyView[]>({
      name: 'identity.list-personal-keys',
      access: { action: 'identity:self.api-key.list' },
      resource: ownAccount,
      // A person's keys span their tenants.
      scope: () => SYSTEM_SCOPE.scope,
      run: async ({ tx, context }) => (await this.#keys.list(tx, { userId: context.principal!.userId })).map(view),
    }),
    revokePersonalKey: defineUseCase<{ keyId: string }, void>({
      name: 'identity.revoke-personal-key',
      access: { action: 'identity:self.api-key.delete' },
      resource: ownAccount,
      scope: () => SYSTEM_SCOPE.scope,
      run: async ({ tx, input, context, record }) => {
        const row = await this.#keys.find(tx, input.keyId);
        if (!row || row.user_id !== context.principal!.userId) throw new NotFoundError('API key', input.keyId);
        await this.#revoke(tx, record, row);
      },
    }),
  };

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

  async #insert(tx: Tx, record: (change: RecordedChange) => void, row: Omit<ApiKeyRow, 'prefix' | 'secret_hash'>): Promise<CreatedApiKey> {
    const { prefix, key } = newSecret();
    const stored: ApiKeyRow = { ...row, prefix, secret_hash: apiKeyHash(key) };
    await this.#keys.insert(tx, stored);
    record(keyChange('created', stored));
    return { ...view(stored), secret: key };
  }

  // --- service keys ------------------------------------------------------------------------------
  async createServiceKey(tenantId: string, input: NewKeyInput & { role?: string }, context: RequestContext): Promise<CreatedApiKey> {
    authorizeBeforehand(this.useCases.createServiceKey, context, { tenantId });
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
    if ((await this.tenants.profileOf(tenantId)) === null) throw new NotFoundError('Tenant', tenantId);
    return this.kernel.useCases.run(this.useCases.createServiceKey, context, { tenantId, name: input.name, role, scopes, expiresAt });
  }

  async listServiceKeys(tenantId: string, context: RequestContext): Promise<ApiKeyView[]> {
    return this.kernel.useCases.run(this.useCases.listServiceKeys, context, { tenantId });
  }

  async revokeServiceKey(tenantId: string, keyId: string, context: RequestContext): Promise<void> {
    await this.kernel.useCases.run(this.useCases.revokeServiceKey, context, { tenantId, keyId });
  }

  async #revoke(tx: Tx, record: (change: RecordedChange) => void, row: ApiKeyRow): Promise<void> {
    const now = this.kernel.clock.now();
    await this.#keys.revoke(tx, row.tenant_id, row.id, now);
    record(keyChange('revoked', { ...row, revoked_at: now }));
  }

  // --- personal keys -----------------------------------------------------------------------------
  /** Personal keys are a person's: a service credential (a key, a client) has none. */
  #person(context: RequestContext): Principal {
    const principal = context.principal;
    if (!principal || !isId('user', principal.userId)) throw new ForbiddenError('Only a person has personal API keys.');
    return principal;
  }

  /** What the principal's session still owes to work in another tenant (a bearer credential: a session). */
  async #owedIn(principal: Principal, tenantId: string): Promise<string | null> {
    if (!principal.sessionId) return 'a signed-in session';
    return restrictionIn(this.kernel.db, this.authentication, { ...principal, sessionId: principal.sessionId }, tenantId, this.kernel.clock.now());
  }

  async createPersonalKey(input: NewKeyInput & { tenantId?: string }, context: RequestContext): Promise<CreatedApiKey> {
    authorizeBeforehand(this.useCases.createPersonalKey, context);
    const principal = this.#person(context);
    const { scopes, expiresAt } = this.#validate(input);
    const tenantId = input.tenantId ?? principal.tenantId;
    if (!tenantId) throw new ValidationError('Name the tenant the key works in.', [{ pointer: '/tenantId', message: 'is required when you work in no tenant' }]);
    // A key for another of the person's tenants must not dodge that tenant's rules (its mandatory
    // MFA, its password policy), which bind the session only once it works there.
    const owed = tenantId === principal.tenantId ? null : await this.#owedIn(principal, tenantId);
    return this.kernel.useCases.run(this.useCases.createPersonalKey, context, { tenantId, name: input.name, scopes, expiresAt, owed });
  }

  async listPersonalKeys(context: RequestContext): Promise<ApiKeyView[]> {
    authorizeBeforehand(this.useCases.listPersonalKeys, context);
    this.#person(context);
    return this.kernel.useCases.run(this.useCases.listPersonalKeys, context, undefined);
  }

  async revokePersonalKey(keyId: string, context: RequestContext): Promise<void> {
    authorizeBeforehand(this.useCases.revokePersonalKey, context);
    this.#person(context);
    await this.kernel.useCases.run(this.useCases.revokePersonalKey, context, { keyId });
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
    return inTransaction(this.kernel.db, SYSTEM_SCOPE, async (tx) => {
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
