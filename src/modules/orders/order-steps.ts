// What every order use case shares: the caller's tenant, loading an order, checking and pricing an
// item, taking quotas, and moving an order along its status machine, recording each step's audit
// entry and event with the use case (kernel/use-case.ts writes them together, one statement per
// chain). Used by the cart and submission (service.ts) and by change orders (change-orders.ts).
import type { Kernel } from '../../kernel/kernel.js';
import type { Tx } from '../../kernel/db/database.js';
import type { RequestContext } from '../../kernel/context.js';
import { isPlatformStaff, PLATFORM } from '../../kernel/authz/authorize.js';
import type { EventContract } from '../../kernel/events.js';
import type { RecordedChange, UseCaseRun } from '../../kernel/use-case.js';
import { ConflictError, NotFoundError, QuotaExceededError, UnprocessableError, ValidationError } from '../../kernel/errors.js';
import type { CatalogService, Coupon, Product, ProductVersion } from '../catalog/index.js';
import type { TenantFacts, TenantProfile } from '../tenants/index.js';
import { couponProblem, quote, validateConfiguration } from '../catalog/index.js';
import type { OrderDocument, OrderRepository, StoredOrder } from './repository.js';
import { limitOf, priceSplit, recurringAndOneTime, type Quotas } from './items.js';
import { Money } from '../../kernel/money.js';
import type { Order, OrderItem, OrderStatus } from './schemas.js';
import { ORDER_STATUS_MACHINE } from './status.js';
import {
  OrderApprovalRequested,
  OrderApproved,
  OrderAwaitingPayment,
  OrderCancelled,
  OrderCreated,
  OrderFailed,
  OrderFulfilled,
  OrderProvisioningRequested,
  OrderRejected,
  OrderSubmitted,
  type OrderEventPayload,
} from './events.js';

export type { OrderEventPayload } from './events.js';

/** What moving an order needs of the use case it runs in: its transaction, caller and recorder. */
export type OrderRun = Pick<UseCaseRun<unknown>, 'tx' | 'context' | 'record'>;

/** What orders read of tenants: the tenants module's profile (status, tier, quotas; the name for mails). */
export type TenantOrdering = Pick<TenantFacts, 'profileOf'>;

export type OrderingProfile = TenantProfile;

export class OrderSteps {
  constructor(
    private readonly kernel: Pick<Kernel, 'clock'>,
    private readonly catalog: CatalogService,
    private readonly tenants: TenantOrdering,
    private readonly repository: OrderRepository,
  ) {}

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

  /** Whose orders the caller acts on: the platform's (staff, across tenants), else their own tenant's. */
  resourceOwner(context: RequestContext): string {
    return isPlatformStaff(context) ? PLATFORM : this.ownTenant(context);
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
   * Moves an order along one or more steps of its status machine in the use case's transaction:
   * the timeline steps and the row in one statement (each edge checked by the database), then
   * `beforeRecording` (work that should happen late in the transaction) and, on submission, the
   * order's number; each step's audit entry and event are recorded with the use case, which writes
   * them all in one statement when it returns (so the tenant's audit chain is locked last).
   */
  async advance({ tx, context, record }: OrderRun, order: StoredOrder, steps: readonly Step[], changes: { document?: OrderDocument; submittedAt?: Date } = {}, beforeRecording?: () => Promise<void>): Promise<StoredOrder> {
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
    steps.forEach((step, index) => record(orderChange({ ...saved, status: step.status }, step.event ?? EVENT_OF[step.status], { status: from[index]! }, step, eventPayload(saved, step))));
    return saved;
  }
}

/** A change to an order as its use case records it: on the tenant's audit chain, with its event. */
export function orderChange(order: StoredOrder, contract: EventContract<OrderEventPayload>, before: { status: OrderStatus } | undefined, step: Step, payload: OrderEventPayload): RecordedChange<OrderEventPayload> {
  return {
    tenantId: order.tenantId,
    target: { type: 'order', id: order.id },
    before,
    after: { status: order.status, totalMinor: order.document.totalMinor, currency: order.currency, ...(step.reason ? { reason: step.reason } : {}), ...(order.document.changeOf ? { changeOf: order.document.changeOf } : {}) },
    event: { contract, payload },
  };
}

/** The payload of an order's event (see OrderEventPayload in events.ts). */
export function eventPayload(order: StoredOrder, step: Step): OrderEventPayload {
  const decided = step.event === OrderApproved || step.event === OrderRejected;
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

/** One step along the status machine, with the event it publishes when that is not the status's own. */
export interface Step {
  status: OrderStatus;
  reason: string | null;
  event?: EventContract<OrderEventPayload>;
}

/** awaiting_payment, satisfied at once by invoice-later terms (the payment seam), then provisioning requested. */
export const TO_PROVISIONING: readonly Step[] = [
  { status: 'awaiting_payment', reason: 'Payment terms: invoice later' },
  { status: 'provisioning', reason: null },
];

export const EVENT_OF: Record<OrderStatus, EventContract<OrderEventPayload>> = {
  draft: OrderCreated,
  submitted: OrderSubmitted,
  pending_approval: OrderApprovalRequested,
  awaiting_payment: OrderAwaitingPayment,
  provisioning: OrderProvisioningRequested,
  fulfilled: OrderFulfilled,
  failed: OrderFailed,
  cancelled: OrderCancelled,
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
