// Use cases of tenants. Each change: authorise, lock the row, check the status machine and the
// If-Match version, validate the whole new document, write it, audit it and publish its event, all
// in one transaction.
import type { Kernel } from '../../kernel/kernel.js';
import { inTransaction, type Tx, type TxContext } from '../../kernel/db/database.js';
import { newId, isId } from '../../kernel/ids.js';
import { decodeCursor, encodeCursor, type Page } from '../../kernel/api/cursor.js';
import { authorize, isPlatformStaff, resourceName, PLATFORM, type Action } from '../../kernel/authz/authorize.js';
import { actorOf, type RequestContext } from '../../kernel/context.js';
import { ConflictError, NotFoundError, PreconditionFailedError, ValidationError } from '../../kernel/errors.js';
import { isUniqueViolation } from '../../kernel/db/errors.js';
import { publish } from '../../kernel/outbox.js';
import { documentValidator } from '../../kernel/validation.js';
import { TenantRepository, type StoredTenant } from './repository.js';
import { nextStatus, eventTypeOf, type TenantTransition } from './status.js';
import { TenantDocument, type CreateTenantBody, type UpdateTenantBody, type ListTenantsQuery, type Tenant, type TenantStatus } from './schemas.js';
import { defaultQuotas, defaultSettings, mergePatch } from './defaults.js';
import type { AuditEntry } from '../../kernel/audit.js';
import { RowCache } from '../../kernel/db/change-feed.js';

/** What ordering and the catalog need of a tenant. */
export interface OrderingProfile {
  status: TenantStatus;
  tier: string;
  quotas: TenantDocument['quotas'];
}

type IdentityProviderEntry = TenantDocument['settings']['authentication']['providers'][number];

const validateDocument = documentValidator(TenantDocument, 'tenant document');
const SYSTEM: TxContext = { scope: { kind: 'platform' }, actorId: 'system' };


const isTenantId = (value: unknown): value is string => typeof value === 'string' && isId('tenant', value);
const isPositiveInteger = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value > 0;

export function toTenant(stored: StoredTenant): Tenant {
  return { id: stored.document.tenantId, version: stored.version, ...stored.document };
}

export function etagOf(version: number): string {
  return `"v${version}"`;
}

/** True when an If-Match header (absent = unconditional) accepts this version. */
function ifMatchAccepts(ifMatch: string | undefined, version: number): boolean {
  if (ifMatch === undefined) return true;
  const tags = ifMatch.split(',').map((tag) => tag.trim().replace(/^W\//, ''));
  return tags.includes('*') || tags.includes(etagOf(version));
}

export class TenantService {
  readonly #repository = new TenantRepository();
  /** Ordering profiles by tenant id: read on every order and catalog view, emptied on any change to tenants. */
  readonly #profiles: RowCache<OrderingProfile>;

  constructor(private readonly kernel: Kernel) {
    this.#profiles = new RowCache(kernel.changes, ['tenancy.tenants'], kernel.clock);
  }

  /**
   * Staff act across tenants (platform scope); anyone else works inside exactly one tenant, the one
   * whose resource `authorize` has just allowed (their own, or a partner's customer).
   */
  #scope(context: RequestContext, tenantId: string | null): TxContext {
    const actorId = context.principal?.userId ?? 'anonymous';
    if (isPlatformStaff(context)) return { scope: { kind: 'platform' }, actorId };
    return { scope: tenantId ? { kind: 'tenant', tenantId } : { kind: 'none' }, actorId };
  }

  async create(input: CreateTenantBody, context: RequestContext): Promise<Tenant> {
    authorize(context, 'tenants:tenant.create', resourceName(PLATFORM, 'tenant', '*'));
    refuseProviders(input.settings);
    if (input.partnerTenantId && !(await this.exists(input.partnerTenantId))) {
      throw new ValidationError('The partner tenant does not exist.', [{ pointer: '/partnerTenantId', message: 'is not a tenant' }]);
    }
    const now = this.kernel.clock.now().toISOString();
    const tenantId = newId('tenant');
    const status: TenantStatus = input.initialStatus ?? 'active';
    const document = validateDocument({
      tenantId,
      organizationName: input.organizationName.trim(),
      domain: input.domain.toLowerCase(),
      adminEmail: input.adminEmail.toLowerCase(),
      subscription: {
        subscriptionId: input.subscription?.subscriptionId ?? null,
        tier: input.subscription?.tier ?? 'standard',
        status,
        expiresAt: input.subscription?.expiresAt ?? null,
      },
      quotas: { ...defaultQuotas(), ...(input.quotas ?? {}) },
      settings: mergePatch(defaultSettings(), input.settings ?? {}),
      currentUsage: { users: 0, storageUsed: 0, apiCallsThisMonth: 0, computeHoursThisMonth: 0, lastUpdated: now },
      status,
      statusReason: null,
      partnerTenantId: input.partnerTenantId ?? null,
      createdAt: now,
      updatedAt: now,
      lastActivityAt: now,
    });
    try {
      return await inTransaction(this.kernel.db, this.#scope(context, tenantId), async (tx) => {
        if (await this.#repository.domainTaken(tx, document.domain)) throw domainConflict(document.domain);
        const stored = await this.#repository.insert(tx, document, new Date(now));
        await this.#record(tx, context, 'tenant.created', tenantId, undefined, stored);
        return toTenant(stored);
      });
    } catch (error) {
      // Two creations racing for one domain: the unique index decides, the loser gets a 409.
      if (isUniqueViolation(error, 'tenants_domain_live')) throw domainConflict(document.domain);
      throw error;
    }
  }

  // --- the TenantDirectory other modules use (system-level reads) --------------------------------
  async exists(tenantId: string): Promise<boolean> {
    return inTransaction(this.kernel.db, SYSTEM, async (tx) => (await this.#repository.find(tx, tenantId)) !== undefined);
  }

  async namesOf(tenantIds: string[]): Promise<Map<string, string>> {
    const rows = await inTransaction(this.kernel.db, SYSTEM, (tx) => this.#repository.names(tx, tenantIds));
    return new Map(rows.map((r) => [r.tenant_id, r.organization_name]));
  }

  /** The tenant's organisation name, read in the caller's transaction (null: no such tenant). */
  async organizationNameOf(tx: Tx, tenantId: string): Promise<string | null> {
    const [row] = await this.#repository.names(tx, [tenantId]);
    return row?.organization_name ?? null;
  }

  /** The authentication settings (password policy, mandatory MFA) of each tenant given that exists. */
  async authenticationSettingsOf(tenantIds: string[]): Promise<TenantDocument['settings']['authentication'][]> {
    if (tenantIds.length === 0) return [];
    return inTransaction(this.kernel.db, SYSTEM, async (tx) => {
      const found = await Promise.all(tenantIds.map((id) => this.#repository.find(tx, id)));
      return found.flatMap((stored) => (stored ? [stored.document.settings.authentication] : []));
    });
  }

  /**
   * What ordering needs of a tenant: whether it may order (status), its tier and its quotas. From
   * the profile cache, or read in the caller's transaction (scoped to that tenant or the platform)
   * so a submission needs no second connection.
   */
  async orderingProfileOf(tx: Tx, tenantId: string): Promise<OrderingProfile | null> {
    return (await this.#profiles.get(tenantId, () => this.#profileIn(tx, tenantId))) ?? null;
  }

  /** The tenant's status, read on every request of the tenant's people and programs (the gateway's status gate). */
  async statusOf(tenantId: string): Promise<TenantStatus | undefined> {
    const profile = await this.#profiles.get(tenantId, () => inTransaction(this.kernel.db, SYSTEM, (tx) => this.#profileIn(tx, tenantId)));
    return profile?.status;
  }

  /** The tenant's subscription tier (catalog visibility and availability), or null if no such tenant. */
  async tierOf(tenantId: string): Promise<string | null> {
    const profile = await this.#profiles.get(tenantId, () => inTransaction(this.kernel.db, SYSTEM, (tx) => this.#profileIn(tx, tenantId)));
    return profile?.tier ?? null;
  }

  async #profileIn(tx: Tx, tenantId: string): Promise<OrderingProfile | undefined> {
    const document = (await this.#repository.find(tx, tenantId))?.document;
    return document ? { status: document.status, tier: document.subscription.tier, quotas: document.quotas } : undefined;
  }

  /** The identity providers of a tenant (undefined: no such tenant). */
  async identityProvidersOf(tenantId: string): Promise<{ providers: IdentityProviderEntry[]; domain: string; status: TenantStatus; version: number } | undefined> {
    const stored = await inTransaction(this.kernel.db, SYSTEM, (tx) => this.#repository.find(tx, tenantId));
    if (!stored) return undefined;
    return { providers: stored.document.settings.authentication.providers, domain: stored.document.domain, status: stored.document.status, version: stored.version };
  }

  /** Identity providers of live tenants that claim any of these (lower-case) email domains. */
  async identityProvidersClaiming(domains: string[]): Promise<{ tenantId: string; provider: IdentityProviderEntry }[]> {
    const rows = await inTransaction(this.kernel.db, SYSTEM, (tx) => this.#repository.providersClaiming(tx, domains));
    return rows.map((row) => ({ tenantId: row.tenant_id, provider: row.provider }));
  }

  /**
   * Changes a tenant's identity providers as a tenant change (If-Match, audit, tenant.updated
   * event), authorised for `action`. `change` runs inside the transaction, holding the tenant's row
   * lock, and may write its own rows there (identity's sealed secrets).
   */
  async changeIdentityProviders(
    tenantId: string,
    action: Action,
    ifMatch: string | undefined,
    context: RequestContext,
    change: (current: { providers: IdentityProviderEntry[]; domain: string }, tx: Tx) => Promise<IdentityProviderEntry[]>,
  ): Promise<Tenant> {
    return this.#change(tenantId, action, context, ifMatch, 'tenant.updated', async (current, tx) => {
      const providers = await change({ providers: current.settings.authentication.providers, domain: current.domain }, tx);
      return { ...current, settings: { ...current.settings, authentication: { ...current.settings.authentication, providers } } };
    });
  }

  async customersOf(partnerTenantId: string): Promise<string[]> {
    return inTransaction(this.kernel.db, SYSTEM, (tx) => this.#repository.customersOf(tx, partnerTenantId));
  }

  async get(tenantId: string, context: RequestContext): Promise<Tenant> {
    authorize(context, 'tenants:tenant.read', resourceName(tenantId, 'tenant', tenantId));
    return inTransaction(this.kernel.db, this.#scope(context, tenantId), async (tx) => toTenant(await this.#load(tx, tenantId)));
  }

  async list(query: ListTenantsQuery, context: RequestContext): Promise<Page<Tenant>> {
    // Staff list every tenant; anyone else sees the tenant they work in.
    const ownTenant = isPlatformStaff(context) ? null : (context.principal?.tenantId ?? null);
    authorize(context, 'tenants:tenant.list', resourceName(ownTenant ?? PLATFORM, 'tenant', '*'));
    const limit = query.limit ?? 25;
    const beforeId = decodeCursor(query.cursor, isTenantId);
    return inTransaction(this.kernel.db, this.#scope(context, ownTenant), async (tx) => {
      const rows = await this.#repository.list(tx, { status: query.status, search: query.q, beforeId, limit: limit + 1 });
      const page = rows.slice(0, limit).map(toTenant);
      const last = page[page.length - 1];
      return { data: page, nextCursor: rows.length > limit && last ? encodeCursor(last.id) : null };
    });
  }

  async update(tenantId: string, patch: UpdateTenantBody, ifMatch: string | undefined, context: RequestContext): Promise<Tenant> {
    refuseProviders(patch.settings);
    // The domain is the operator's to assign: single sign-on trusts a tenant's identity providers
    // for the email addresses of its domain, so a tenant choosing its own could claim anyone's.
    if (patch.domain !== undefined) authorize(context, 'tenants:tenant.set_domain', resourceName(tenantId, 'tenant', tenantId));
    return this.#change(tenantId, 'tenants:tenant.update', context, ifMatch, 'tenant.updated', (current) => ({
      ...current,
      organizationName: patch.organizationName?.trim() ?? current.organizationName,
      domain: patch.domain?.toLowerCase() ?? current.domain,
      adminEmail: patch.adminEmail?.toLowerCase() ?? current.adminEmail,
      settings: patch.settings ? mergePatch(current.settings, patch.settings) : current.settings,
    }));
  }

  async setQuotas(tenantId: string, quotas: TenantDocument['quotas'], ifMatch: string | undefined, context: RequestContext): Promise<Tenant> {
    return this.#change(tenantId, 'tenants:tenant.set_quotas', context, ifMatch, 'tenant.updated', (current) => ({ ...current, quotas }));
  }

  async transition(tenantId: string, transition: TenantTransition, reason: string | undefined, context: RequestContext): Promise<Tenant> {
    return this.#change(tenantId, `tenants:tenant.${transition}`, context, undefined, eventTypeOf(transition), (current) => {
      const status = nextStatus(current.status, transition);
      return { ...current, status, statusReason: reason ?? null, subscription: { ...current.subscription, status } };
    });
  }

  async auditTrail(tenantId: string, query: { limit?: number; cursor?: string }, context: RequestContext): Promise<Page<AuditEntry>> {
    authorize(context, 'tenants:audit-event.list', resourceName(tenantId, 'tenant', tenantId));
    const limit = query.limit ?? 25;
    const beforeSeq = decodeCursor(query.cursor, isPositiveInteger);
    return inTransaction(this.kernel.db, this.#scope(context, tenantId), async (tx) => {
      await this.#load(tx, tenantId);
      const rows = await this.kernel.audit.listChain(tx, tenantId, { limit: limit + 1, beforeSeq });
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return { data: page, nextCursor: rows.length > limit && last ? encodeCursor(last.seq) : null };
    });
  }

  async #load(tx: Tx, tenantId: string, forUpdate = false): Promise<StoredTenant> {
    const stored = await this.#repository.find(tx, tenantId, { forUpdate });
    if (!stored) throw new NotFoundError('Tenant', tenantId);
    return stored;
  }

  async #change(
    tenantId: string,
    action: Action,
    context: RequestContext,
    ifMatch: string | undefined,
    eventType: string,
    apply: (current: TenantDocument, tx: Tx) => TenantDocument | Promise<TenantDocument>,
  ): Promise<Tenant> {
    authorize(context, action, resourceName(tenantId, 'tenant', tenantId));
    try {
      return await inTransaction(this.kernel.db, this.#scope(context, tenantId), async (tx) => {
        const current = await this.#load(tx, tenantId, true);
        if (!ifMatchAccepts(ifMatch, current.version)) {
          throw new PreconditionFailedError(`The tenant is at version ${current.version}; reload it and apply your change again.`, {
            currentVersion: current.version,
          });
        }
        // Applied first so a status transition is refused by the status machine (PLAT_INVALID_TRANSITION).
        const changed = await apply(current.document, tx);
        if (current.document.status === 'terminated') throw new ConflictError('The tenant is terminated; terminated tenants are final.', { currentStatus: 'terminated' });
        const now = this.kernel.clock.now().toISOString();
        const next = validateDocument({ ...changed, updatedAt: now, lastActivityAt: now });
        if (next.domain !== current.document.domain && (await this.#repository.domainTaken(tx, next.domain, tenantId))) throw domainConflict(next.domain);
        const stored = await this.#repository.replace(tx, next, current.version, new Date(now));
        await this.#record(tx, context, eventType, tenantId, current, stored);
        return toTenant(stored);
      });
    } catch (error) {
      if (isUniqueViolation(error, 'tenants_domain_live')) throw new ConflictError('Another tenant uses that domain.');
      throw error;
    }
  }

  async #record(tx: Tx, context: RequestContext, eventType: string, tenantId: string, before: StoredTenant | undefined, after: StoredTenant): Promise<void> {
    await this.kernel.audit.record(tx, {
      tenantId,
      actor: actorOf(context),
      action: eventType,
      target: { type: 'tenant', id: tenantId },
      before: before ? toTenant(before) : undefined,
      after: toTenant(after),
      requestId: context.requestId,
      sourceIp: context.sourceIp,
    });
    await publish(tx, this.kernel.clock, {
      type: eventType,
      tenantId,
      payload: {
        tenantId,
        status: after.document.status,
        version: after.version,
        ...(after.document.statusReason ? { reason: after.document.statusReason } : {}),
        // Who is to own a new tenant: identity invites them (the event carries what it needs, so
        // its handler reads no tenant row of ours).
        ...(eventType === 'tenant.created' ? { adminEmail: after.document.adminEmail, organizationName: after.document.organizationName } : {}),
      },
      actorId: context.principal?.userId,
      requestId: context.requestId,
    });
  }
}

/**
 * Identity providers are changed only through /api/v1/tenants/{id}/identity-providers, which
 * validates each protocol's config, seals secrets and checks domain claims; a settings patch that
 * replaced the array would bypass all of that.
 */
function refuseProviders(settings: { authentication?: { providers?: unknown } } | undefined): void {
  if (settings?.authentication?.providers !== undefined) {
    throw new ValidationError('Identity providers are managed at /api/v1/tenants/{id}/identity-providers.', [
      { pointer: '/settings/authentication/providers', message: 'is managed at /api/v1/tenants/{id}/identity-providers' },
    ]);
  }
}

function domainConflict(domain: string): ConflictError {
  return new ConflictError(`Another tenant uses the domain ${domain}.`, { errors: [{ pointer: '/domain', message: 'is used by another tenant' }] });
}
