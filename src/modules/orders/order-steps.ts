// What every order use case shares: the transaction scope, the caller's tenant, loading an order,
// checking and pricing an item, taking quotas, and moving an order along its status machine with its
// audit entries and events. Used by the cart and submission (service.ts) and by change orders
// (change-orders.ts).
import type { Kernel } from '../../kernel/kernel.js';
import type { Tx, TxContext } from '../../kernel/db/database.js';
import { isPlatformStaff } from '../../kernel/authz/authorize.js';
import { actorOf, type RequestContext } from '../../kernel/context.js';
import type { AuditInput } from '../../kernel/audit.js';
import { ConflictError, NotFoundError, QuotaExceededError, UnprocessableError, ValidationError } from '../../kernel/errors.js';
import { outboxRows } from '../../kernel/outbox.js';
import type { CatalogService, Coupon, Product, ProductVersion } from '../catalog/index.js';
import type { TenantFacts, TenantProfile } from '../tenants/index.js';
import { couponProblem, quote, validateConfiguration } from '../catalog/index.js';
import type { OrderDocument, OrderRepository, StoredOrder } from './repository.js';
import { limitOf, priceSplit, recurringAndOneTime, type Quotas } from './items.js';
import { Money } from '../../kernel/money.js';
import type { Order, OrderItem, OrderStatus } from './schemas.js';
import { ORDER_STATUS_MACHINE } from './status.js';

/** What orders read of tenants: the tenants module's profile (status, tier, quotas; the name for mails). */
export type TenantOrdering = Pick<TenantFacts, 'profileOf'>;

export type OrderingProfile = TenantProfile;

export class OrderSteps {
  constructor(
    private readonly kernel: Kernel,
    private readonly catalog: CatalogService,
    private readonly tenants: TenantOrdering,
    private readonly repository: OrderRepository,
  ) {}

  /** The transaction scope: platform for staff, else the tenant (or none). */
  tx(context: RequestContext, tenantId: string | null): TxContext {
    const actorId = context.principal?.userId ?? 'system';
    if (isPlatformStaff(context)) return { scope: { kind: 'platform' }, actorId };
    return { scope: tenantId ? { kind: 'tenant', tenantId } : { kind: 'none' }, actorId };
  }

  /** How the caller is named in timelines: the name they chose, else their email (kept with each step they take). */
  actorName(context: RequestContext): string | null {
    const principal = context.principal;
    if (!principal) return null;
    return principal.displayName || principal.email || null;
  }

  /** The tenant a customer acts in (their active one); staff name it through the order. */
  ownTenant(context: RequestContext): string {
    const tenantId = context.principal?.tenantId;
    if (!tenantId) throw new ConflictError('Choose a tenant to work in first (POST /api/v1/auth/switch-tenant).');
    return tenantId;
  }

  /** The tenant's ordering profile, inside the caller's transaction: only an active tenant orders. */
  async orderingProfile(tx: Tx, tenantId: string): Promise<OrderingProfile> {
    const profile = await this.tenants.profileOf(tenantId, tx);
    if (!profile) throw new NotFoundError('Tenant', tenantId);
    if (profile.status !== 'active') throw new ConflictError(`The tenant is ${profile.status}; only an active tenant can order.`, { tenantStatus: profile.status });
    return profile;
  }

  /**
   * Adds the amounts to what the tenant's live orders reserve, under its reservation row locks,
   * then checks the new totals against its quotas: 409 PLAT_QUOTA_EXCEEDED (which rolls the taking
   * back with the transaction). These rows (and the tenant's audit chain) are held until commit, so
   * one tenant's submissions and changes queue here.
   */
  async takeQuotas(tx: Tx, tenantId: string, quotas: Quotas, requested: Record<string, number>): Promise<void> {
    const reservedNow = await this.repository.reserve(tx, tenantId, requested, 1);
    for (const [quota, amount] of Object.entries(requested)) {
      const limit = limitOf(quotas, quota);
      const used = (reservedNow.get(quota) ?? amount) - amount;
      if (used + amount > limit) {
        throw new QuotaExceededError(`The order needs ${amount} of ${quota}; the tenant has ${Math.max(limit - used, 0)} left of ${limit}.`, { quota, limit, current: used, requested: amount });
      }
    }
  }

  checkConfiguration(product: Product, version: ProductVersion, configuration: Record<string, unknown>, pointer: string): Record<string, unknown> {
    const result = validateConfiguration(`${product.id}@${version.version}:${version.status}`, version.content.configurationSchema, configuration);
    if (!result.ok) throw new UnprocessableError(`The configuration does not match the schema of ${product.name} version ${version.version}.`, result.errors.map((e) => ({ pointer: `${pointer}${e.pointer === '/' ? '' : e.pointer}`, message: e.message })));
    return result.value;
  }

  price(item: OrderItem, version: ProductVersion, currency: string, coupon: Coupon | null, pointer: string) {
    // A coupon limited to other products simply does not apply to this item; any other problem is the customer's to fix.
    const applies = coupon !== null && couponProblem(coupon, item.productId, currency, this.kernel.clock.now()) !== 'does not apply to this product';
    try {
      return quote({ productId: item.productId, version: version.version, content: version.content, pricePlan: item.pricePlan, currency, quantity: item.quantity, coupon: applies ? coupon : null, now: this.kernel.clock.now() });
    } catch (error) {
      if (error instanceof ValidationError) throw new UnprocessableError(error.message, error.fieldErrors.map((e) => ({ ...e, pointer: `${pointer}${e.pointer}` })));
      throw error;
    }
  }

  async load(tx: Tx, orderId: string, forUpdate = false): Promise<StoredOrder> {
    const order = await this.repository.find(tx, orderId, { forUpdate });
    if (!order) throw new NotFoundError('Order', orderId);
    return order;
  }

  /**
   * Moves an order along one or more steps of its status machine in the caller's transaction: the
   * timeline steps and the row in one statement (each edge checked by the database), then, after
   * `beforeRecording` (work that should happen late in the transaction) and, on submission, the
   * order's number, an audit entry and an event per step, written together.
   */
  async advance(tx: Tx, context: RequestContext, order: StoredOrder, steps: readonly Step[], changes: { document?: OrderDocument; submittedAt?: Date } = {}, beforeRecording?: () => Promise<void>): Promise<StoredOrder> {
    const now = this.kernel.clock.now();
    const actorId = context.principal?.userId ?? null;
    const actorName = this.actorName(context);
    steps.reduce<OrderStatus>((from, step) => {
      ORDER_STATUS_MACHINE.assertTransition(from, step.status);
      return step.status;
    }, order.status);
    let saved = await this.repository.advance(tx, order, steps.map((step) => ({ status: step.status, actorId, actorName, reason: step.reason, at: now })), changes, now);
    await beforeRecording?.();
    // The number comes after beforeRecording's quota and stock locks: see takeOrderNumber.
    if (changes.submittedAt !== undefined && order.number === null) saved = { ...saved, number: await this.repository.takeOrderNumber(tx, saved) };
    const from = [order.status, ...steps.map((step) => step.status)];
    const { rows: events } = outboxRows(
      this.kernel.clock,
      steps.map((step) => ({
        type: step.event ?? EVENT_OF[step.status],
        tenantId: order.tenantId,
        payload: eventPayload(saved, step),
        ...(context.principal?.userId ? { actorId: context.principal.userId } : {}),
        requestId: context.requestId,
      })),
    );
    const entries = steps.map((step, index) => this.auditEntry(context, step.event ?? EVENT_OF[step.status], { ...saved, status: step.status }, { status: from[index]! }, step.reason));
    await this.kernel.audit.recordAll(tx, entries, { events });
    return saved;
  }

  auditEntry(context: RequestContext, action: string, after: StoredOrder, before: { status: OrderStatus } | undefined, reason: string | null): AuditInput {
    return {
      tenantId: after.tenantId,
      actor: actorOf(context),
      action,
      target: { type: 'order', id: after.id },
      before,
      after: { status: after.status, totalMinor: after.document.totalMinor, currency: after.currency, ...(reason ? { reason } : {}), ...(after.document.changeOf ? { changeOf: after.document.changeOf } : {}) },
      requestId: context.requestId,
      sourceIp: context.sourceIp,
    };
  }
}

/**
 * What an order event carries: enough for a subscriber to act without reading the orders module's
 * tables (the mails to the customer and operators are written from it): the order's reference and
 * new status, the person who placed it, its amount and items (product names, quantities, line
 * totals), a decision's reason, and on provisioning_requested each item's provisioning request.
 * Never the items' configuration: it may hold values the customer considers secret.
 */
export function eventPayload(order: StoredOrder, step: Step): OrderEventPayload {
  const decided = step.event === 'order.approved' || step.event === 'order.rejected';
  return {
    orderId: order.id,
    number: order.number === null ? null : formatOrderNumber(order.number),
    status: step.status,
    ...(step.reason ? { reason: step.reason } : {}),
    ...(decided && order.document.approval?.reason ? { decisionReason: order.document.approval.reason } : {}),
    ...(order.document.changeOf ? { changeOf: order.document.changeOf } : {}),
    placedBy: placedBy(order),
    currency: order.currency,
    totalMinor: order.document.totalMinor,
    items: order.document.items.map((item) => ({
      itemId: item.id,
      productId: item.productId,
      productName: item.productName,
      version: item.version,
      quantity: item.quantity,
      totalMinor: item.price?.totalMinor ?? null,
      ...(step.status === 'provisioning' ? { provisioning: item.provisioning } : {}),
    })),
  };
}

/** The person who submitted the order (its `submitted` step's actor), else whoever started the cart. */
function placedBy(order: StoredOrder): string | null {
  return order.timeline.find((step) => step.status === 'submitted')?.actorId ?? order.createdBy;
}

export interface OrderEventPayload {
  [key: string]: unknown;
  orderId: string;
  /** The order's number as people see it ("ORD-000042"); null only before submission. */
  number: string | null;
  status: OrderStatus;
  reason?: string;
  /** On order.approved and order.rejected: the operator's stated reason. */
  decisionReason?: string;
  changeOf?: unknown;
  /** User id of the person who placed (submitted) the order; null when no person did (a service key). */
  placedBy: string | null;
  currency: string;
  totalMinor: string;
  items: { itemId: string; productId: string; productName: string; version: number; quantity: number; totalMinor: string | null; provisioning?: unknown }[];
}

/** One step along the status machine, with the event it publishes when that is not the status's own. */
export interface Step {
  status: OrderStatus;
  reason: string | null;
  event?: string;
}

/** awaiting_payment, satisfied at once by invoice-later terms (the payment seam), then provisioning requested. */
export const TO_PROVISIONING: readonly Step[] = [
  { status: 'awaiting_payment', reason: 'Payment terms: invoice later' },
  { status: 'provisioning', reason: null },
];

export const EVENT_OF: Record<OrderStatus, string> = {
  draft: 'order.created',
  submitted: 'order.submitted',
  pending_approval: 'order.approval_requested',
  awaiting_payment: 'order.awaiting_payment',
  provisioning: 'order.provisioning_requested',
  fulfilled: 'order.fulfilled',
  failed: 'order.failed',
  cancelled: 'order.cancelled',
};

/** An item whose price was quoted before quotes carried recurring and one-time apart gets them from its lines. */
function withPriceSplit(item: OrderItem): OrderItem {
  const price = item.price;
  if (!price || (price.recurringMinor !== undefined && price.oneTimeMinor !== undefined)) return item;
  const { recurring, oneTime } = priceSplit(price);
  return { ...item, price: { ...price, recurringMinor: Money.minor(recurring), recurring: Money.format(recurring), oneTimeMinor: Money.minor(oneTime), oneTime: Money.format(oneTime) } };
}

/** An order number as people see it: "ORD-000042". */
export function formatOrderNumber(number: number): string {
  return `ORD-${String(number).padStart(6, '0')}`;
}

export function toOrder(order: StoredOrder): Order {
  return {
    id: order.id,
    number: order.number === null ? null : formatOrderNumber(order.number),
    tenantId: order.tenantId,
    status: order.status,
    currency: order.currency,
    couponCode: order.document.couponCode,
    items: order.document.items.map(withPriceSplit),
    totalMinor: order.document.totalMinor,
    dueNowMinor: order.document.dueNowMinor,
    ...recurringAndOneTime(order.document.items),
    paymentTerms: 'invoice_later',
    approval: order.document.approval,
    failureReason: order.document.failureReason,
    createdBy: order.createdBy,
    createdAt: order.createdAt.toISOString(),
    updatedAt: order.updatedAt.toISOString(),
    submittedAt: order.submittedAt?.toISOString() ?? null,
    timeline: order.timeline.map((step) => ({ status: step.status, at: step.at.toISOString(), actorId: step.actorId, actorName: step.actorName, reason: step.reason })),
    ...(order.document.changeOf ? { changeOf: order.document.changeOf, proration: order.document.proration } : {}),
  };
}
