// A tenant's authentication settings — its password policy and whether MFA is mandatory — are
// identity's (ADR 0017): kept in identity's own row per tenant with its own version, changed at
// /api/v1/tenants/{id}/authentication-settings in identity's own transaction. The tenant API still
// shows them (with the identity providers) as settings.authentication of the TenantDocument: this
// service implements the tenants module's read port for that part, and its write port for the
// combined document write (creation, PATCH of the tenant) kept for the document's clients.
import { Type, type Static } from 'typebox';
import type { IdentityPorts } from '../module.js';
import { inTransaction, type Tx } from '../../../kernel/db/database.js';
import { RowCache } from '../../../kernel/db/change-feed.js';
import { StrictObject } from '../../../kernel/api/schemas.js';
import { ifMatchAccepts } from '../../../kernel/api/etags.js';
import { resourceName } from '../../../kernel/authz/authorize.js';
import type { RequestContext } from '../../../kernel/context.js';
import { ConflictError, NotFoundError, PreconditionFailedError } from '../../../kernel/errors.js';
import { callerScope, defineUseCase, SYSTEM_SCOPE } from '../../../kernel/use-case.js';
import { documentValidator } from '../../../kernel/validation.js';
import { AuthenticationSettingsUpdated } from '../events.js';
import { authorizeBeforehand } from '../use-cases.js';
import type { AuthenticationSettings, AuthenticationSettingsPatch, TenantAuthenticationPart } from '../../tenants/index.js';
import { DEFAULT_PASSWORD_POLICY, type TenantAuthenticationSettings } from './authentication-rules.js';
import { TenantAuthenticationRepository, type TenantAuthenticationRow } from './tenant-authentication-repository.js';
import type { TenantDirectory } from './service.js';

export const TenantAuthenticationSettingsBody = StrictObject(
  {
    passwordPolicy: StrictObject({
      minLength: Type.Integer({ minimum: 8, maximum: 128 }),
      requireSpecialChars: Type.Boolean(),
      requireNumbers: Type.Boolean(),
      maxAge: Type.Integer({ minimum: 0, maximum: 3650, description: 'Days before a password must change; 0 = never' }),
    }),
    mfaRequired: Type.Boolean({ description: 'Members must use a second factor to work in this tenant' }),
  },
  { title: 'TenantAuthenticationSettings' },
);
export type TenantAuthenticationSettingsBody = Static<typeof TenantAuthenticationSettingsBody>;

const validateSettings = documentValidator(TenantAuthenticationSettingsBody, 'authentication settings');
/** A tenant's authentication settings: what their actions are decided on. */
const settingsResource = ({ tenantId }: { tenantId: string }) => resourceName(tenantId, 'authentication-settings', tenantId);
export const DEFAULT_TENANT_AUTHENTICATION: TenantAuthenticationSettings = { passwordPolicy: DEFAULT_PASSWORD_POLICY, mfaRequired: false };

const settingsOf = (row: TenantAuthenticationRow | undefined): TenantAuthenticationSettings =>
  row ? { passwordPolicy: row.password_policy, mfaRequired: row.mfa_required } : { ...DEFAULT_TENANT_AUTHENTICATION, passwordPolicy: { ...DEFAULT_PASSWORD_POLICY } };

export class TenantAuthenticationService {
  readonly #settings = new TenantAuthenticationRepository();

  /**
   * Identity's part of a tenant's document, kept briefly: it is read on every tenant read and
   * changes rarely. The change feed empties it when either table changes in any process
   * (migration 202612031910); a transaction that wrote the part reads around it.
   */
  readonly #parts: RowCache<AuthenticationSettings>;
  readonly #wrote = new WeakSet<Tx>();

  constructor(
    private readonly kernel: IdentityPorts,
    private readonly tenants: TenantDirectory,
  ) {
    this.#parts = new RowCache(kernel.changes, ['identity.tenant_authentication_settings', 'identity.tenant_identity_providers'], kernel.clock);
  }

  readonly useCases = {
    get: defineUseCase<{ tenantId: string }, { settings: TenantAuthenticationSettings; version: number }>({
      name: 'identity.get-authentication-settings',
      access: { action: 'identity:authentication-settings.read' },
      resource: settingsResource,
      scope: (input, context) => callerScope(context, input.tenantId),
      run: async ({ tx, input }) => {
        const [row] = await this.#settings.find(tx, [input.tenantId]);
        return { settings: settingsOf(row), version: row?.version ?? 1 };
      },
    }),
    /** Replaces the settings (If-Match against their own version), recorded as identity's change. */
    replace: defineUseCase<{ tenantId: string; settings: TenantAuthenticationSettings; ifMatch: string | undefined }, { settings: TenantAuthenticationSettings; version: number }>({
      name: 'identity.replace-authentication-settings',
      access: { action: 'identity:authentication-settings.update' },
      resource: settingsResource,
      scope: (input, context) => callerScope(context, input.tenantId),
      run: async ({ tx, input, record }) => {
        const { tenantId, settings, ifMatch } = input;
        const current = await this.#lock(tx, tenantId);
        if (!ifMatchAccepts(ifMatch, current.version)) {
          throw new PreconditionFailedError(`The authentication settings are at version ${current.version}; reload them and apply your change again.`, { currentVersion: current.version });
        }
        const next = await this.#replace(tx, current, settings);
        record({
          tenantId,
          target: { type: 'authentication-settings', id: tenantId },
          before: settingsOf(current),
          after: settings,
          event: { contract: AuthenticationSettingsUpdated, payload: { tenantId, version: next.version } },
        });
        return { settings, version: next.version };
      },
    }),
  };

  /** The settings of each of these tenants, in order (the defaults for a tenant that set none). */
  async settingsOf(tenantIds: string[]): Promise<TenantAuthenticationSettings[]> {
    if (tenantIds.length === 0) return [];
    const rows = await inTransaction(this.kernel.db, SYSTEM_SCOPE, (tx) => this.#settings.find(tx, tenantIds));
    const byTenant = new Map(rows.map((row) => [row.tenant_id, row]));
    return tenantIds.map((tenantId) => settingsOf(byTenant.get(tenantId)));
  }

  async get(tenantId: string, context: RequestContext): Promise<{ settings: TenantAuthenticationSettings; version: number }> {
    // Decided before the tenants module is asked whether the tenant exists: a caller not allowed learns nothing.
    authorizeBeforehand(this.useCases.get, context, { tenantId });
    if ((await this.tenants.profileOf(tenantId)) === null) throw new NotFoundError('Tenant', tenantId);
    return this.kernel.useCases.run(this.useCases.get, context, { tenantId });
  }

  async replace(tenantId: string, body: TenantAuthenticationSettingsBody, ifMatch: string | undefined, context: RequestContext): Promise<{ settings: TenantAuthenticationSettings; version: number }> {
    authorizeBeforehand(this.useCases.replace, context, { tenantId });
    const tenant = await this.tenants.profileOf(tenantId);
    if (tenant === null) throw new NotFoundError('Tenant', tenantId);
    if (tenant.status === 'terminated') throw new ConflictError('The tenant is terminated; terminated tenants are final.', { currentStatus: 'terminated' });
    return this.kernel.useCases.run(this.useCases.replace, context, { tenantId, settings: validateSettings(body), ifMatch });
  }

  /** The tenants module's port for settings.authentication of the composed TenantDocument. */
  readonly part: TenantAuthenticationPart = {
    read: async (tx, tenantIds) => {
      const load = async (ids: string[]) => {
        const parts = await this.#settings.partsOf(tx, ids);
        return new Map(parts.map(({ tenantId, settings, providers }): [string, AuthenticationSettings] => [tenantId, { providers, ...settingsOf(settings) }]));
      };
      const [only] = tenantIds;
      if (tenantIds.length !== 1 || only === undefined || this.#wrote.has(tx)) return load(tenantIds);
      const part = await this.#parts.get(only, async () => (await load([only])).get(only));
      return new Map(part ? [[only, part]] : []);
    },
    // Audited by the tenant change it is part of (its before and after show the composed document).
    write: async (tx, tenantId, patch: AuthenticationSettingsPatch) => {
      // Reads in this transaction see its own write; other processes' caches empty at its commit.
      this.#wrote.add(tx);
      this.#parts.clear();
      const current = await this.#lock(tx, tenantId);
      const { passwordPolicy, mfaRequired } = settingsOf(current);
      const merged = validateSettings({ passwordPolicy: { ...passwordPolicy, ...withoutUndefined(patch.passwordPolicy ?? {}) }, mfaRequired: patch.mfaRequired ?? mfaRequired });
      if (JSON.stringify(merged) !== JSON.stringify({ passwordPolicy, mfaRequired })) await this.#replace(tx, current, merged);
    },
  };

  #lock(tx: Tx, tenantId: string): Promise<TenantAuthenticationRow> {
    const { passwordPolicy, mfaRequired } = DEFAULT_TENANT_AUTHENTICATION;
    return this.#settings.lock(tx, { tenant_id: tenantId, password_policy: passwordPolicy, mfa_required: mfaRequired, version: 1, updated_at: this.kernel.clock.now() });
  }

  async #replace(tx: Tx, current: TenantAuthenticationRow, settings: TenantAuthenticationSettings): Promise<TenantAuthenticationRow> {
    const next: TenantAuthenticationRow = { tenant_id: current.tenant_id, password_policy: settings.passwordPolicy, mfa_required: settings.mfaRequired, version: current.version + 1, updated_at: this.kernel.clock.now() };
    await this.#settings.replace(tx, next);
    return next;
  }
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, member]) => member !== undefined)) as Partial<T>;
}
