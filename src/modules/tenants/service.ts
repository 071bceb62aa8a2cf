// Use cases of tenants, run through the kernel's pipeline (kernel/use-case.ts). Each change:
// authorise its declared action, lock the row, check the status machine and the If-Match version,
// validate the whole new document, write it, and record its audit entry with its event, all in one
// transaction. The document the API shows is a composed view: the tenant's own row plus the
// parts other modules own (settings.authentication: identity's), read through the ports their
// owners register (owned-parts.ts, ADR 0017). Other modules read tenants through one
// small port, TenantFacts, not a method per consumer.
import type { TenantsPorts } from './module.js';
import { inTransaction, type Tx } from '../../kernel/db/database.js';
import { newId, isId } from '../../kernel/ids.js';
import { decodeCursor, encodeCursor, type Page } from '../../kernel/api/cursor.js';
import { authorize, isPlatformStaff, resourceName, PLATFORM, type Action } from '../../kernel/authz/authorize.js';
import type { RequestContext } from '../../kernel/context.js';
import { ConflictError, NotFoundError, PreconditionFailedError, ValidationError } from '../../kernel/errors.js';
import { isUniqueViolation } from '../../kernel/db/errors.js';
import type { EventContract } from '../../kernel/events.js';
import { callerScope, defineUseCase, SYSTEM_SCOPE, type RecordedChange, type UseCase, type UseCaseRun } from '../../kernel/use-case.js';
import { documentValidator } from '../../kernel/validation.js';
import { TenantRepository, type StoredTenant } from './repository.js';
import { nextStatus, eventTypeOf, type TenantTransition } from './status.js';
import { TenantActivated, TenantCreated, TenantReactivated, TenantSuspended, TenantTerminated, TenantUpdated, type TenantChangePayload } from './events.js';
import {
  StoredTenantDocument,
  type AuthenticationSettings,
  type CreateTenantBody,
  type UpdateTenantBody,
  type ListTenantsQuery,
  type Tenant,
  type TenantDocument,
  type StoredTenantDocument as StoredDocument,
  type TenantStatus,
} from './schemas.js';
import { defaultQuotas, defaultSettings, mergePatch } from './defaults.js';
import type { TenantDocumentParts } from './owned-parts.js';
import type { AuditEntry } from '../../kernel/audit.js';
import { RowCache } from '../../kernel/db/change-feed.js';
import { ifMatchAccepts } from '../../kernel/api/etags.js';

/** What other modules know of a tenant: the facts the tenants module owns. */
export interface TenantProfile {
  id: string;
  status: TenantStatus;
  tier: string;
  quotas: TenantDocument['quotas'];
  organizationName: string;
  /** Lower case; assigned by platform staff (single sign-on trusts it). */
  domain: string;
  partnerTenantId: string | null;
}

/**
 * The one read port other modules use (orders, catalog, identity, the gateway's status gate): one
 * generic profile instead of a method per consumer. Each consumer declares the slice it needs.
 */
export interface TenantFacts {
  /**
   * A tenant's profile (null: no such tenant), read on hot paths (every order, catalog view and
   * request): from a cache emptied on any change to tenants, else read in the caller's transaction
   * when one is given (so a request needs no second connection), or in a system one.
   */
  profileOf(tenantId: string, tx?: Tx): Promise<TenantProfile | null>;
  /** The profiles of these tenants as they are now (not cached); ids of no tenant are left out. */
  profilesOf(tenantIds: string[]): Promise<Map<string, TenantProfile>>;
  /** The live tenants whose partner (reseller) is this tenant. */
  customersOf(partnerTenantId: string): Promise<string[]>;
}

const validateDocument = documentValidator(StoredTenantDocument, 'tenant document');
/** The events of changes to an existing tenant, by type (the status machine names each transition's). */
const CHANGE_EVENTS = new Map<string, EventContract<TenantChangePayload>>([TenantUpdated, TenantActivated, TenantSuspended, TenantReactivated, TenantTerminated].map((contract) => [contract.type, contract]));

const isTenantId = (value: unknown): value is string => typeof value === 'string' && isId('tenant', value);
const isPositiveInteger = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value > 0;

/** The API's TenantDocument: the stored row with the owned parts composed in. */
export function toTenant(stored: StoredTenant, authentication: AuthenticationSettings): Tenant {
  const { settings, ...document } = stored.document;
  return { id: stored.document.tenantId, version: stored.version, ...document, settings: { ...settings, authentication } };
}

function profileOf(stored: StoredTenant): TenantProfile {
  const document = stored.document;
  return {
    id: document.tenantId,
    status: document.status,
    tier: document.subscription.tier,
    quotas: document.quotas,
    organizationName: document.organizationName,
    domain: document.domain,
    partnerTenantId: document.partnerTenantId ?? null,
  };
}

/** What a change to an existing tenant needs: its id and the ETag the caller read (none: any version). */
interface TenantChangeInput {
  tenantId: string;
  ifMatch?: string;
}

/**
 * A use case on one tenant: decided on `prn:<tenant>:tenant/<tenant>`, run in that tenant's scope
 * (staff: across tenants), its changes audited on the tenant's chain.
 */
function tenantUseCase<I extends { tenantId: string }, O>(name: string, action: Action, run: (run: UseCaseRun<I>) => Promise<O>): UseCase<I, O> {
  return defineUseCase<I, O>({ name, access: { action }, resource: ({ tenantId }) => resourceName(tenantId, 'tenant', tenantId), scope: (input, context) => callerScope(context, input.tenantId), run });
}

/** The tenant the caller lists: their own; none for staff, who list every tenant. */
const listedTenant = (context: RequestContext) => (isPlatformStaff(context) ? null : (context.principal?.tenantId ?? null));

export class TenantService implements TenantFacts {
  readonly #repository = new TenantRepository();
  /** Profiles by tenant id: read on every order, catalog view and request, emptied on any change to tenants. */
  readonly #profiles: RowCache<TenantProfile>;
  #parts: TenantDocumentParts | undefined;

  constructor(private readonly kernel: TenantsPorts) {
    this.#profiles = new RowCache(kernel.changes, ['tenancy.tenants'], kernel.clock);
  }

  /** The owners of the document's other parts, registered by them as the registry builds them. */
  registerParts(parts: TenantDocumentParts): void {
    this.#parts = parts;
  }

  get #owned(): TenantDocumentParts {
    if (!this.#parts) throw new Error('tenants: no module registered the tenant document’s authentication part (identity does, in createIdentityModule)');
    return this.#parts;
  }

  readonly useCases = {
    create: defineUseCase<{ tenantId: string; body: CreateTenantBody }, Tenant>({
      name: 'tenants.create-tenant',
      access: { action: 'tenants:tenant.create' },
      resource: () => resourceName(PLATFORM, 'tenant', '*'),
      // The new tenant's id is chosen before its transaction, which works in that tenant (staff: across tenants).
      scope: (input, context) => callerScope(context, input.tenantId),
      run: ({ tx, input, record }) => this.#create(tx, input.tenantId, input.body, record),
    }),
    list: defineUseCase<ListTenantsQuery, Page<Tenant>>({
      name: 'tenants.list-tenants',
      access: { action: 'tenants:tenant.list' },
      // Staff list every tenant; anyone else sees the tenant they work in.
      resource: (_input, context) => resourceName(listedTenant(context) ?? PLATFORM, 'tenant', '*'),
      scope: (_input, context) => callerScope(context, listedTenant(context)),
      run: async ({ tx, input: query }) => {
        const limit = query.limit ?? 25;
        const beforeId = decodeCursor(query.cursor, isTenantId);
        const rows = await this.#repository.list(tx, { status: query.status, search: query.q, beforeId, limit: limit + 1 });
        const stored = rows.slice(0, limit);
        const authentication = await this.#owned.authentication.read(tx, stored.map((row) => row.document.tenantId));
        const page = stored.map((row) => toTenant(row, authentication.get(row.document.tenantId)!));
        const last = page[page.length - 1];
        return { data: page, nextCursor: rows.length > limit && last ? encodeCursor(last.id) : null };
      },
    }),
    get: tenantUseCase<{ tenantId: string }, Tenant>('tenants.get-tenant', 'tenants:tenant.read', async ({ tx, input }) => this.#compose(tx, await this.#load(tx, input.tenantId))),
    update: tenantUseCase<TenantChangeInput & { patch: UpdateTenantBody }, Tenant>('tenants.update-tenant', 'tenants:tenant.update', (run) => {
      const { tenantId, patch } = run.input;
      const { authentication, ...settings } = patch.settings ?? {};
      return this.#change(run, TenantUpdated, async (current, tx) => {
        // The combined write of the whole document, kept for its clients: identity's part goes to
        // identity (its own validation and version), in this change's transaction so it is all or nothing.
        if (authentication) await this.#owned.authentication.write(tx, tenantId, authentication);
        return {
          ...current,
          organizationName: patch.organizationName?.trim() ?? current.organizationName,
          domain: patch.domain?.toLowerCase() ?? current.domain,
          adminEmail: patch.adminEmail?.toLowerCase() ?? current.adminEmail,
          settings: mergePatch(current.settings, settings),
        };
      });
    }),
    setQuotas: tenantUseCase<TenantChangeInput & { quotas: TenantDocument['quotas'] }, Tenant>('tenants.set-quotas', 'tenants:tenant.set_quotas', (run) =>
      this.#change(run, TenantUpdated, (current) => ({ ...current, quotas: run.input.quotas })),
    ),
    activate: this.#transition('activate'),
    suspend: this.#transition('suspend'),
    reactivate: this.#transition('reactivate'),
    terminate: this.#transition('terminate'),
    listAuditEvents: tenantUseCase<{ tenantId: string; limit?: number; cursor?: string }, Page<AuditEntry>>('tenants.list-audit-events', 'tenants:audit-event.list', async ({ tx, input }) => {
      const limit = input.limit ?? 25;
      const beforeSeq = decodeCursor(input.cursor, isPositiveInteger);
      await this.#load(tx, input.tenantId);
      const rows = await this.kernel.audit.listChain(tx, input.tenantId, { limit: limit + 1, beforeSeq });
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return { data: page, nextCursor: rows.length > limit && last ? encodeCursor(last.seq) : null };
    }),
  };

  /** A step of the status machine (pending → active ⇄ suspended → terminated), announced by the event the machine names. */
  #transition(transition: TenantTransition): UseCase<{ tenantId: string; reason?: string }, Tenant> {
    const contract = CHANGE_EVENTS.get(eventTypeOf(transition));
    if (!contract) throw new Error(`tenants: the ${transition} transition's event ${eventTypeOf(transition)} is not declared in tenants/events.ts`);
    return tenantUseCase(`tenants.${transition}-tenant`, `tenants:tenant.${transition}`, (run) =>
      this.#change(run, contract, (current) => {
        const status = nextStatus(current.status, transition);
        return { ...current, status, statusReason: run.input.reason ?? null, subscription: { ...current.subscription, status } };
      }),
    );
  }

  async create(input: CreateTenantBody, context: RequestContext): Promise<Tenant> {
    try {
      return await this.kernel.useCases.run(this.useCases.create, context, { tenantId: newId('tenant'), body: input });
    } catch (error) {
      // Two creations racing for one domain: the unique index decides, the loser gets a 409.
      if (isUniqueViolation(error, 'tenants_domain_live')) throw domainConflict(input.domain.toLowerCase());
      throw error;
    }
  }

  async #create(tx: Tx, tenantId: string, input: CreateTenantBody, record: UseCaseRun<unknown>['record']): Promise<Tenant> {
    refuseProviders(input.settings);
    if (input.partnerTenantId && (await this.profileOf(input.partnerTenantId, tx)) === null) {
      throw new ValidationError('The partner tenant does not exist.', [{ pointer: '/partnerTenantId', message: 'is not a tenant' }]);
    }
    const now = this.kernel.clock.now().toISOString();
    const status: TenantStatus = input.initialStatus ?? 'active';
    const { authentication, ...settings } = input.settings ?? {};
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
      settings: mergePatch(defaultSettings(), settings),
      currentUsage: { users: 0, storageUsed: 0, apiCallsThisMonth: 0, computeHoursThisMonth: 0, lastUpdated: now },
      status,
      statusReason: null,
      partnerTenantId: input.partnerTenantId ?? null,
      createdAt: now,
      updatedAt: now,
      lastActivityAt: now,
    });
    if (await this.#repository.domainTaken(tx, document.domain)) throw domainConflict(document.domain);
    const stored = await this.#repository.insert(tx, document, new Date(now));
    if (authentication) await this.#owned.authentication.write(tx, tenantId, authentication);
    const tenant = await this.#compose(tx, stored);
    // Who is to own the new tenant: identity invites them (the event carries what it needs, so its
    // handler reads no tenant row of ours).
    record(tenantChange(TenantCreated, undefined, tenant, { adminEmail: tenant.adminEmail, organizationName: tenant.organizationName }));
    return tenant;
  }

  // --- TenantFacts: what other modules read of tenants (system-level reads) ----------------------
  async profileOf(tenantId: string, tx?: Tx): Promise<TenantProfile | null> {
    const load = async (within: Tx) => {
      const stored = await this.#repository.find(within, tenantId);
      return stored && profileOf(stored);
    };
    return (await this.#profiles.get(tenantId, () => (tx ? load(tx) : inTransaction(this.kernel.db, SYSTEM_SCOPE, load)))) ?? null;
  }

  async profilesOf(tenantIds: string[]): Promise<Map<string, TenantProfile>> {
    if (tenantIds.length === 0) return new Map();
    const found = await inTransaction(this.kernel.db, SYSTEM_SCOPE, (tx) => this.#repository.findMany(tx, tenantIds));
    return new Map(found.map((stored) => [stored.document.tenantId, profileOf(stored)]));
  }

  async customersOf(partnerTenantId: string): Promise<string[]> {
    return inTransaction(this.kernel.db, SYSTEM_SCOPE, (tx) => this.#repository.customersOf(tx, partnerTenantId));
  }

  async get(tenantId: string, context: RequestContext): Promise<Tenant> {
    return this.kernel.useCases.run(this.useCases.get, context, { tenantId });
  }

  async list(query: ListTenantsQuery, context: RequestContext): Promise<Page<Tenant>> {
    return this.kernel.useCases.run(this.useCases.list, context, query);
  }

  async update(tenantId: string, patch: UpdateTenantBody, ifMatch: string | undefined, context: RequestContext): Promise<Tenant> {
    refuseProviders(patch.settings);
    // The domain is the operator's to assign: single sign-on trusts a tenant's identity providers
    // for the email addresses of its domain, so a tenant choosing its own could claim anyone's.
    if (patch.domain !== undefined) authorize(context, 'tenants:tenant.set_domain', resourceName(tenantId, 'tenant', tenantId));
    return changing(this.kernel.useCases.run(this.useCases.update, context, { tenantId, ifMatch, patch }));
  }

  async setQuotas(tenantId: string, quotas: TenantDocument['quotas'], ifMatch: string | undefined, context: RequestContext): Promise<Tenant> {
    return changing(this.kernel.useCases.run(this.useCases.setQuotas, context, { tenantId, ifMatch, quotas }));
  }

  async transition(tenantId: string, transition: TenantTransition, reason: string | undefined, context: RequestContext): Promise<Tenant> {
    return changing(this.kernel.useCases.run(this.useCases[transition], context, { tenantId, reason }));
  }

  async auditTrail(tenantId: string, query: { limit?: number; cursor?: string }, context: RequestContext): Promise<Page<AuditEntry>> {
    return this.kernel.useCases.run(this.useCases.listAuditEvents, context, { tenantId, ...query });
  }

  async #load(tx: Tx, tenantId: string, forUpdate = false): Promise<StoredTenant> {
    const stored = await this.#repository.find(tx, tenantId, { forUpdate });
    if (!stored) throw new NotFoundError('Tenant', tenantId);
    return stored;
  }

  /**
   * Changes a tenant under its row lock, checked against If-Match, the whole new document
   * validated, recorded with its event.
   */
  async #change(
    { tx, input, record }: UseCaseRun<TenantChangeInput>,
    contract: EventContract<TenantChangePayload>,
    apply: (current: StoredDocument, tx: Tx) => StoredDocument | Promise<StoredDocument>,
  ): Promise<Tenant> {
    const { tenantId, ifMatch } = input;
    const current = await this.#load(tx, tenantId, true);
    if (!ifMatchAccepts(ifMatch, current.version)) {
      throw new PreconditionFailedError(`The tenant is at version ${current.version}; reload it and apply your change again.`, {
        currentVersion: current.version,
      });
    }
    const before = await this.#compose(tx, current);
    // Applied first so a status transition is refused by the status machine (PLAT_INVALID_TRANSITION).
    const changed = await apply(current.document, tx);
    if (current.document.status === 'terminated') throw new ConflictError('The tenant is terminated; terminated tenants are final.', { currentStatus: 'terminated' });
    const now = this.kernel.clock.now().toISOString();
    const next = validateDocument({ ...changed, updatedAt: now, lastActivityAt: now });
    if (next.domain !== current.document.domain && (await this.#repository.domainTaken(tx, next.domain, tenantId))) throw domainConflict(next.domain);
    const stored = await this.#repository.replace(tx, next, current.version, new Date(now));
    const after = await this.#compose(tx, stored);
    record(tenantChange(contract, before, after, {}));
    return after;
  }

  /** The API's view of a stored tenant, with the owned parts as they are in this transaction. */
  async #compose(tx: Tx, stored: StoredTenant): Promise<Tenant> {
    const tenantId = stored.document.tenantId;
    const authentication = await this.#owned.authentication.read(tx, [tenantId]);
    return toTenant(stored, authentication.get(tenantId)!);
  }
}

/** A change to a tenant: audited on its chain under the event's name, announced with its status and version. */
function tenantChange<Payload extends TenantChangePayload>(contract: EventContract<Payload>, before: Tenant | undefined, after: Tenant, extra: Omit<Payload, keyof TenantChangePayload>): RecordedChange<Payload> {
  const payload = { tenantId: after.id, status: after.status, version: after.version, ...(after.statusReason ? { reason: after.statusReason } : {}), ...extra } as Payload;
  return { tenantId: after.id, target: { type: 'tenant', id: after.id }, before, after, event: { contract, payload } };
}

/** Two changes racing for one domain: the unique index decides, the loser gets a 409. */
async function changing(work: Promise<Tenant>): Promise<Tenant> {
  try {
    return await work;
  } catch (error) {
    if (isUniqueViolation(error, 'tenants_domain_live')) throw new ConflictError('Another tenant uses that domain.');
    throw error;
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
