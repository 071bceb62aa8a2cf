// Use cases of orders. A tenant fills a cart (a draft order), then submits it: in one transaction the
// order is checked against the catalog (published version, configuration schema, availability,
// prerequisites), the tenant's quotas and the products' stock, priced, and moved along its status
// machine, with each transition audited, kept in the timeline and published as an event. Operators
// approve or reject orders that rules hold back; the provisioning side reports fulfilment or failure.
//
// Payment seam: until the payments module lands, every order has "invoice later" terms, so
// awaiting_payment is satisfied at once and the order moves on to provisioning in the same
// transaction. Payments will hold it in awaiting_payment instead.
import type { Kernel } from '../../kernel/kernel.js';
import { inTransaction, type Tx, type TxContext } from '../../kernel/db/database.js';
import { newId, isId } from '../../kernel/ids.js';
import { decodeCursor, encodeCursor, type Page } from '../../kernel/http/cursor.js';
import { authorize, isPlatformStaff, resourceName, PLATFORM, type Action } from '../../kernel/authz/authorize.js';
import { actorOf, type RequestContext } from '../../kernel/context.js';
import type { AuditInput } from '../../kernel/audit.js';
import { ConflictError, InvalidTransitionError, NotFoundError, QuotaExceededError, UnprocessableError, ValidationError, type FieldError } from '../../kernel/errors.js';
import { Exact, isCurrency } from '../../kernel/money.js';
import { outboxRows } from '../../kernel/outbox.js';
import type { CatalogService, Coupon, Product, ProductVersion } from '../catalog/index.js';
import { couponProblem, quote, validateConfiguration } from '../catalog/index.js';
import { OrderRepository, type OrderDocument, type StoredOrder } from './repository.js';
import { periodAt, prorate } from './proration.js';
import type { ApprovalRules } from './approval-rules.js';
import { availabilityProblems, limitOf, provisioningRequest, totals, type Quotas } from './items.js';
import type { AddItemBody, ChangeBody, ChangePreview, CreateOrderBody, ListOrdersQuery, Order, OrderItem, OrderStatus } from './schemas.js';

/** What orders need of tenants. */
export interface TenantOrdering {
  orderingProfileOf(tx: Tx, tenantId: string): Promise<{ status: string; tier: string; quotas: Quotas } | null>;
}

const isOrderId = (value: unknown): value is string => typeof value === 'string' && isId('order', value);
const CANCELLABLE: readonly OrderStatus[] = ['draft', 'submitted', 'pending_approval', 'awaiting_payment'];
const MAX_ITEMS = 50;

type PricedItem = OrderItem & { price: NonNullable<OrderItem['price']> };
type OrderingProfile = NonNullable<Awaited<ReturnType<TenantOrdering['orderingProfileOf']>>>;

export class OrderService {
  readonly #repository = new OrderRepository();

  constructor(
    private readonly kernel: Kernel,
    private readonly catalog: CatalogService,
    private readonly tenants: TenantOrdering,
    private readonly approvalRules: ApprovalRules,
  ) {}

  #tx(context: RequestContext, tenantId: string | null): TxContext {
    const actorId = context.principal?.userId ?? 'system';
    if (isPlatformStaff(context)) return { scope: { kind: 'platform' }, actorId };
    return { scope: tenantId ? { kind: 'tenant', tenantId } : { kind: 'none' }, actorId };
  }

  /** The tenant a customer acts in (their active one); staff name it through the order. */
  #ownTenant(context: RequestContext): string {
    const tenantId = context.principal?.tenantId;
    if (!tenantId) throw new ConflictError('Choose a tenant to work in first (POST /api/v1/auth/switch-tenant).');
    return tenantId;
  }

  // ---- the cart ----

  async create(input: CreateOrderBody, context: RequestContext): Promise<Order> {
    const tenantId = this.#ownTenant(context);
    authorize(context, 'orders:order.create', resourceName(tenantId, 'order', '*'));
    if (!isCurrency(input.currency)) throw new UnprocessableError(`${input.currency} is not an ISO 4217 currency.`, [{ pointer: '/currency', message: 'is not a known currency' }]);
    const now = this.kernel.clock.now();
    return inTransaction(this.kernel.db, this.#tx(context, tenantId), async (tx) => {
      if (input.couponCode) await this.catalog.couponFor(tx, input.couponCode);
      const stored = await this.#repository.insert(tx, {
        id: newId('order'),
        tenantId,
        currency: input.currency,
        createdBy: context.principal?.userId ?? null,
        at: now,
        document: { couponCode: input.couponCode ?? null, items: [], nextItem: 1, totalMinor: '0', dueNowMinor: '0', approval: null, failureReason: null, reserved: { quotas: {}, capacity: {} } },
      });
      await this.kernel.audit.record(tx, this.#auditEntry(context, 'order.created', stored, undefined, null));
      return toOrder(stored);
    });
  }

  /** Adds an item to a draft, checked and priced now so the cart shows real totals. */
  async addItem(orderId: string, input: AddItemBody, context: RequestContext): Promise<Order> {
    // Read before the transaction: a second connection taken while one is held can exhaust the pool under load.
    const viewer = await this.catalog.viewerOf(this.#ownTenant(context));
    return this.#changeDraft(orderId, 'orders:order.update', context, async (tx, order) => {
      if (order.document.items.length >= MAX_ITEMS) throw new UnprocessableError(`An order holds at most ${MAX_ITEMS} items.`, [{ pointer: '/items', message: 'is full' }]);
      const { product, version } = await this.catalog.orderableVersion(tx, input.productId, input.version, viewer);
      const configuration = this.#checkConfiguration(product, version, input.configuration ?? {}, '/configuration');
      const coupon = order.document.couponCode ? await this.catalog.couponFor(tx, order.document.couponCode) : null;
      const item: OrderItem = {
        id: `item_${order.document.nextItem}`,
        productId: product.id,
        productName: product.name,
        version: version.version,
        pricePlan: input.pricePlan,
        quantity: input.quantity,
        configuration,
        price: null,
        provisioning: null,
      };
      item.price = this.#price(item, version, order.currency, coupon, '');
      const items = [...order.document.items, item];
      return { ...order.document, items, nextItem: order.document.nextItem + 1, ...totals(items) };
    });
  }

  async removeItem(orderId: string, itemId: string, context: RequestContext): Promise<Order> {
    return this.#changeDraft(orderId, 'orders:order.update', context, async (_tx, order) => {
      const items = order.document.items.filter((item) => item.id !== itemId);
      if (items.length === order.document.items.length) throw new NotFoundError('Order item', itemId);
      return { ...order.document, items, ...totals(items) };
    });
  }

  /**
   * Puts a coupon on a draft, or takes it off (null), and prices every item again. A coupon that
   * cannot apply to this cart at all (unknown, no longer offered, expired, used up, no amount in the
   * cart's currency) is 422 on /couponCode and nothing is written; one limited to other products
   * leaves those items at full price, as #price does at submit.
   */
  async setCoupon(orderId: string, couponCode: string | null, context: RequestContext): Promise<Order> {
    // Read before the transaction, as addItem does: a second connection taken while one is held can exhaust the pool.
    const viewer = await this.catalog.viewerOf(this.#ownTenant(context));
    return this.#changeDraft(orderId, 'orders:order.update', context, async (tx, order) => {
      const coupon = couponCode === null ? null : await this.catalog.couponFor(tx, couponCode);
      // The cart as a whole, whatever is in it (it may be empty): only the product restriction is per item.
      const problem = coupon ? couponProblem({ ...coupon, productIds: [] }, '', order.currency, this.kernel.clock.now()) : null;
      if (coupon && problem) throw new UnprocessableError(`The coupon ${coupon.code} ${problem}.`, [{ pointer: '/couponCode', message: problem }]);
      const items: OrderItem[] = [];
      for (const [index, item] of order.document.items.entries()) {
        const { version } = await this.catalog.orderableVersion(tx, item.productId, item.version, viewer);
        items.push({ ...item, price: this.#price(item, version, order.currency, coupon, `/items/${index}`) });
      }
      return { ...order.document, couponCode: coupon?.code ?? null, items, ...totals(items) };
    });
  }

  async #changeDraft(orderId: string, action: Action, context: RequestContext, change: (tx: Tx, order: StoredOrder) => Promise<OrderDocument>): Promise<Order> {
    const tenantId = this.#ownTenant(context);
    authorize(context, action, resourceName(tenantId, 'order', orderId));
    return inTransaction(this.kernel.db, this.#tx(context, tenantId), async (tx) => {
      const order = await this.#load(tx, orderId, true);
      if (order.status !== 'draft') throw new InvalidTransitionError('order', order.status, 'changed (only a draft can be)');
      return toOrder(await this.#repository.saveDocument(tx, order, await change(tx, order), this.kernel.clock.now()));
    });
  }

  // ---- submit ----

  /**
   * Submits a draft: validates every item, takes quotas and stock, prices it and moves it on. All
   * problems with the items are reported together (422); quota and stock refusals are 409. Nothing
   * is written unless everything passes.
   */
  async submit(orderId: string, context: RequestContext): Promise<Order> {
    const tenantId = this.#ownTenant(context);
    authorize(context, 'orders:order.submit', resourceName(tenantId, 'order', orderId));
    const now = this.kernel.clock.now();

    return inTransaction(this.kernel.db, this.#tx(context, tenantId), async (tx) => {
      const profile = await this.#orderingProfile(tx, tenantId);
      const viewer = { tenantId, tier: profile.tier };
      const order = await this.#load(tx, orderId, true);
      if (order.status !== 'draft') throw new InvalidTransitionError('order', order.status, 'submitted');
      if (order.document.items.length === 0) throw new UnprocessableError('The order has no items.', [{ pointer: '/items', message: 'must not be empty' }]);

      // 1. Every item against the catalog: all problems at once.
      const problems: FieldError[] = [];
      const checked: { item: OrderItem; product: Product; version: ProductVersion }[] = [];
      const inThisOrder = new Set<string>();
      for (const [index, item] of order.document.items.entries()) {
        const at = `/items/${index}`;
        const { product, version } = await this.catalog.orderableVersion(tx, item.productId, item.version, viewer);
        const configured = validateConfiguration(`${product.id}@${version.version}:${version.status}`, version.content.configurationSchema, item.configuration);
        if (!configured.ok) problems.push(...configured.errors.map((e) => ({ pointer: `${at}/configuration${e.pointer === '/' ? '' : e.pointer}`, message: e.message })));
        problems.push(...availabilityProblems(product, version, item.quantity, configured.ok ? configured.value : null, profile.tier, at));
        for (const prerequisite of version.content.availability.prerequisites) {
          if (!inThisOrder.has(prerequisite) && !(await this.#repository.hasActiveItem(tx, tenantId, prerequisite))) {
            problems.push({ pointer: at, message: `${product.name} requires an active ${prerequisite} first` });
          }
        }
        inThisOrder.add(product.id);
        checked.push({ item: { ...item, configuration: configured.ok ? configured.value : item.configuration }, product, version });
      }
      if (problems.length > 0) throw new UnprocessableError(`The order cannot be submitted: ${problems.length} problem(s).`, problems);

      // 2. Price every item (the same function as previews), with the order's coupon.
      const coupon = order.document.couponCode ? await this.catalog.couponFor(tx, order.document.couponCode) : null;
      const items = checked.map(({ item, version }, index) => ({
        ...item,
        price: this.#price(item, version, order.currency, coupon, `/items/${index}`),
        provisioning: provisioningRequest(version, item.configuration, item.quantity),
      }));
      if (coupon) await this.catalog.redeemCoupon(tx, coupon);

      // 3. Approval rules (reads only), before the locks below so they are held as briefly as possible.
      const reasons = await this.approvalRules.reasonsFor(tx, order.currency, checked.map(({ version }, index) => ({ item: items[index]!, version })));

      // 4. What the order takes of the tenant's quotas and the products' stock.
      const requested: Record<string, number> = {};
      for (const { item, version } of checked) {
        for (const [quota, perUnit] of Object.entries(version.content.quotaConsumption ?? {})) requested[quota] = (requested[quota] ?? 0) + perUnit * item.quantity;
      }
      // Stock only for products that have a capacity (an unlimited product's row is not touched, so
      // orders of it from every tenant do not queue on one row).
      const capacity: Record<string, number> = {};
      for (const { item, product } of checked) if (product.capacity !== null) capacity[item.productId] = (capacity[item.productId] ?? 0) + item.quantity;

      // 5. Move along the machine. Quotas and stock are taken after the order's row is written and
      // before its audit entries: their rows (the tenant's reservations, a product's stock) stay
      // locked until commit and are what concurrent submissions queue on, so as little as possible
      // happens while they are held. A refusal throws and rolls everything back.
      const document: OrderDocument = { ...order.document, items, ...totals(items), reserved: { quotas: requested, capacity }, approval: reasons.length > 0 ? { required: reasons, decision: null, decidedBy: null, reason: null } : null };
      const onwards: readonly Step[] = reasons.length > 0 ? [{ status: 'pending_approval', reason: `Needs approval: ${reasons.join('; ')}` }] : TO_PROVISIONING;
      const takeQuotasAndStock = async () => {
        await this.#takeQuotas(tx, tenantId, profile.quotas, requested);
        for (const [productId, quantity] of Object.entries(capacity)) await this.catalog.takeCapacity(tx, checked.find((c) => c.product.id === productId)!.product, quantity);
      };
      return toOrder(await this.#advance(tx, context, order, [{ status: 'submitted', reason: null }, ...onwards], { document, submittedAt: now }, takeQuotasAndStock));
    });
  }

  /** The tenant's ordering profile, inside the caller's transaction: only an active tenant orders. */
  async #orderingProfile(tx: Tx, tenantId: string): Promise<OrderingProfile> {
    const profile = await this.tenants.orderingProfileOf(tx, tenantId);
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
  async #takeQuotas(tx: Tx, tenantId: string, quotas: Quotas, requested: Record<string, number>): Promise<void> {
    const reservedNow = await this.#repository.reserve(tx, tenantId, requested, 1);
    for (const [quota, amount] of Object.entries(requested)) {
      const limit = limitOf(quotas, quota);
      const used = (reservedNow.get(quota) ?? amount) - amount;
      if (used + amount > limit) {
        throw new QuotaExceededError(`The order needs ${amount} of ${quota}; the tenant has ${Math.max(limit - used, 0)} left of ${limit}.`, { quota, limit, current: used, requested: amount });
      }
    }
  }

  #checkConfiguration(product: Product, version: ProductVersion, configuration: Record<string, unknown>, pointer: string): Record<string, unknown> {
    const result = validateConfiguration(`${product.id}@${version.version}:${version.status}`, version.content.configurationSchema, configuration);
    if (!result.ok) throw new UnprocessableError(`The configuration does not match the schema of ${product.name} version ${version.version}.`, result.errors.map((e) => ({ pointer: `${pointer}${e.pointer === '/' ? '' : e.pointer}`, message: e.message })));
    return result.value;
  }

  #price(item: OrderItem, version: ProductVersion, currency: string, coupon: Coupon | null, pointer: string) {
    // A coupon limited to other products simply does not apply to this item; any other problem is the customer's to fix.
    const applies = coupon !== null && couponProblem(coupon, item.productId, currency, this.kernel.clock.now()) !== 'does not apply to this product';
    try {
      return quote({ productId: item.productId, version: version.version, content: version.content, pricePlan: item.pricePlan, currency, quantity: item.quantity, coupon: applies ? coupon : null, now: this.kernel.clock.now() });
    } catch (error) {
      if (error instanceof ValidationError) throw new UnprocessableError(error.message, error.fieldErrors.map((e) => ({ ...e, pointer: `${pointer}${e.pointer}` })));
      throw error;
    }
  }

  // ---- changes to live items ----

  /**
   * What changing a fulfilled item would cost: its current and proposed price per period and the
   * proration of the current period in the chosen mode. Nothing is written.
   */
  async previewChange(orderId: string, itemId: string, change: ChangeBody, context: RequestContext): Promise<ChangePreview> {
    const tenantId = this.#ownTenant(context);
    authorize(context, 'orders:order.read', resourceName(tenantId, 'order', orderId));
    const viewer = await this.catalog.viewerOf(tenantId);
    return inTransaction(this.kernel.db, this.#tx(context, tenantId), async (tx) => {
      const order = await this.#load(tx, orderId);
      const item = await this.#liveItem(tx, order, itemId);
      return (await this.#proposeChange(tx, order, item, change, viewer)).preview;
    });
  }

  /**
   * Changes a fulfilled item (upgrade, downgrade, quantity change) by placing a change order: a new
   * order of the proposed item that names the item it changes (`changeOf`) and carries the
   * proration, checked like a submission and moved on in the same transaction. Quotas and stock:
   * only what the new item needs beyond the old one is taken now; what it needs less is given back
   * when the change order is fulfilled, so a downgrade frees nothing before it is delivered.
   * Locking the changed order's row makes concurrent changes of one item queue, and the second one
   * then finds the first (one live change per item). Nothing is written on any refusal.
   */
  async change(orderId: string, itemId: string, change: ChangeBody, context: RequestContext): Promise<Order> {
    const tenantId = this.#ownTenant(context);
    authorize(context, 'orders:order.change', resourceName(tenantId, 'order', orderId));
    const now = this.kernel.clock.now();
    return inTransaction(this.kernel.db, this.#tx(context, tenantId), async (tx) => {
      const profile = await this.#orderingProfile(tx, tenantId);
      const original = await this.#load(tx, orderId, true);
      const item = await this.#liveItem(tx, original, itemId);
      const { product, version, proposed, preview } = await this.#proposeChange(tx, original, item, change, { tenantId, tier: profile.tier });
      const problems = availabilityProblems(product, version, proposed.quantity, proposed.configuration, profile.tier, '');
      if (problems.length > 0) throw new UnprocessableError(`The item cannot be changed so: ${problems.length} problem(s).`, problems);

      const reasons = await this.approvalRules.reasonsFor(tx, original.currency, [{ item: proposed, version }]);

      // What the new item consumes against what the old one did, per quota and in stock.
      const old = item.version === version.version ? version : await this.catalog.pinnedVersion(tx, item.productId, item.version);
      const take: Record<string, number> = {};
      const giveBack: Record<string, number> = {};
      for (const quota of new Set([...Object.keys(old.content.quotaConsumption ?? {}), ...Object.keys(version.content.quotaConsumption ?? {})])) {
        const delta = (version.content.quotaConsumption?.[quota] ?? 0) * proposed.quantity - (old.content.quotaConsumption?.[quota] ?? 0) * item.quantity;
        if (delta > 0) take[quota] = delta;
        else if (delta < 0) giveBack[quota] = -delta;
      }
      await this.#takeQuotas(tx, tenantId, profile.quotas, take);
      const stock = product.capacity === null ? 0 : proposed.quantity - item.quantity;
      if (stock > 0) await this.catalog.takeCapacity(tx, product, stock);

      const changeOf = { orderId: original.id, itemId: item.id, kind: preview.kind };
      const inserted = await this.#repository.insert(tx, {
        id: newId('order'),
        tenantId,
        currency: original.currency,
        createdBy: context.principal?.userId ?? null,
        at: now,
        document: {
          couponCode: null,
          items: [proposed],
          nextItem: 2,
          totalMinor: preview.proposed.totalMinor,
          dueNowMinor: preview.proration.mode === 'prorate_now' ? preview.proration.dueNowMinor : '0',
          approval: reasons.length > 0 ? { required: reasons, decision: null, decidedBy: null, reason: null } : null,
          failureReason: null,
          reserved: { quotas: take, capacity: stock > 0 ? { [product.id]: stock } : {}, releaseOnFulfil: { quotas: giveBack, capacity: stock < 0 ? { [product.id]: -stock } : {} } },
          changeOf,
          proration: preview.proration,
        },
      });
      const submitted: Step = { status: 'submitted', reason: `Changes ${item.id} of order ${original.id} (${preview.kind.replace('_', ' ')})` };
      const onwards: readonly Step[] = reasons.length > 0 ? [{ status: 'pending_approval', reason: `Needs approval: ${reasons.join('; ')}` }] : TO_PROVISIONING;
      return toOrder(await this.#advance(tx, context, inserted, [submitted, ...onwards], { submittedAt: now }));
    });
  }

  /**
   * The item of a fulfilled order that a change starts from: 409 when the order is not fulfilled,
   * 404 when it has no such item, 409 naming the newer order when a live change order already
   * changes it (the customer changes that order's item instead).
   */
  async #liveItem(tx: Tx, order: StoredOrder, itemId: string): Promise<PricedItem> {
    if (order.status !== 'fulfilled') throw new InvalidTransitionError('order', order.status, 'changed (only a fulfilled order’s items are live)');
    const item = order.document.items.find((candidate) => candidate.id === itemId);
    if (!item?.price) throw new NotFoundError('Order item', itemId);
    const newer = await this.#repository.liveChangeOf(tx, order.tenantId, order.id, item.id);
    if (newer) {
      throw new ConflictError(`Item ${item.id} of order ${order.id} is being changed or was changed by order ${newer.id} (${newer.status}); change that order’s item instead.`, {
        changeOrderId: newer.id,
        changeOrderStatus: newer.status,
      });
    }
    return { ...item, price: item.price };
  }

  /**
   * The proposed item (the change applied, its configuration checked against the schema with
   * pointers, priced with #price, with a fresh provisioning request) and the preview of the change:
   * its kind and the proration of the current period, which starts at the order's fulfilment.
   * What previewChange shows is exactly what change places.
   */
  async #proposeChange(tx: Tx, order: StoredOrder, item: PricedItem, change: ChangeBody, viewer: { tenantId: string; tier: string }): Promise<{ product: Product; version: ProductVersion; proposed: OrderItem; preview: ChangePreview }> {
    const { product, version } = await this.catalog.orderableVersion(tx, item.productId, change.version, viewer);
    const configuration = this.#checkConfiguration(product, version, change.configuration ?? item.configuration, '/configuration');
    const proposedItem: OrderItem = { ...item, id: 'item_1', productName: product.name, version: version.version, pricePlan: change.pricePlan ?? item.pricePlan, quantity: change.quantity ?? item.quantity, configuration, price: null, provisioning: null };
    const proposedPrice = this.#price(proposedItem, version, order.currency, null, '');
    const current = item.price;
    const fulfilledAt = order.timeline.find((step) => step.status === 'fulfilled')?.at;
    const now = this.kernel.clock.now();
    const interval = current.interval as 'month' | 'year' | 'one_time';
    const perPeriod = (preview: typeof current) => preview.lines.filter((line) => line.kind === 'recurring' || line.kind === 'discount').reduce((sum, line) => sum.plus(line.exactAmount), new Exact(0));
    const proration = prorate({
      mode: change.prorationMode,
      currency: order.currency,
      interval,
      currentPerPeriod: perPeriod(current),
      proposedPerPeriod: perPeriod(proposedPrice),
      period: interval === 'one_time' || !fulfilledAt ? null : periodAt(fulfilledAt, interval, now),
      at: now,
    });
    const difference = perPeriod(proposedPrice).comparedTo(perPeriod(current));
    const onlyQuantity = proposedItem.version === item.version && proposedItem.pricePlan === item.pricePlan && JSON.stringify(configuration) === JSON.stringify(item.configuration) && proposedItem.quantity !== item.quantity;
    const kind = onlyQuantity ? 'quantity_change' : difference > 0 ? 'upgrade' : difference < 0 ? 'downgrade' : 'change';
    return {
      product,
      version,
      proposed: { ...proposedItem, price: proposedPrice, provisioning: provisioningRequest(version, configuration, proposedItem.quantity) },
      preview: { kind, current, proposed: proposedPrice, proration },
    };
  }

  // ---- operators and the provisioning side ----

  async approve(orderId: string, reason: string | undefined, context: RequestContext): Promise<Order> {
    authorize(context, 'orders:order.approve', resourceName(PLATFORM, 'order', orderId));
    return inTransaction(this.kernel.db, this.#tx(context, null), async (tx) => {
      const order = await this.#load(tx, orderId, true);
      if (order.status !== 'pending_approval') throw new InvalidTransitionError('order', order.status, 'approved');
      const document: OrderDocument = { ...order.document, approval: { required: order.document.approval?.required ?? [], decision: 'approved', decidedBy: context.principal?.userId ?? null, reason: reason ?? null } };
      const approved: Step = { status: 'awaiting_payment', reason: reason ?? 'Approved', event: 'order.approved' };
      return toOrder(await this.#advance(tx, context, order, [approved, TO_PROVISIONING[1]!], { document }));
    });
  }

  async reject(orderId: string, reason: string, context: RequestContext): Promise<Order> {
    authorize(context, 'orders:order.reject', resourceName(PLATFORM, 'order', orderId));
    return inTransaction(this.kernel.db, this.#tx(context, null), async (tx) => {
      const order = await this.#load(tx, orderId, true);
      if (order.status !== 'pending_approval') throw new InvalidTransitionError('order', order.status, 'rejected');
      const document: OrderDocument = { ...order.document, approval: { required: order.document.approval?.required ?? [], decision: 'rejected', decidedBy: context.principal?.userId ?? null, reason } };
      return toOrder(await this.#release(tx, context, order, document, 'cancelled', `Rejected: ${reason}`));
    });
  }

  async cancel(orderId: string, reason: string | undefined, context: RequestContext): Promise<Order> {
    const staff = isPlatformStaff(context);
    const tenantId = staff ? null : this.#ownTenant(context);
    authorize(context, 'orders:order.cancel', resourceName(tenantId ?? PLATFORM, 'order', orderId));
    return inTransaction(this.kernel.db, this.#tx(context, tenantId), async (tx) => {
      const order = await this.#load(tx, orderId, true);
      if (!CANCELLABLE.includes(order.status)) throw new InvalidTransitionError('order', order.status, 'cancelled (provisioning has started)');
      return toOrder(await this.#release(tx, context, order, order.document, 'cancelled', reason ?? 'Cancelled'));
    });
  }

  /**
   * The provisioning side reports the order delivered. A change order then gives back what its
   * item needs less than the item it replaced (quotas and stock), now that the smaller one is live.
   */
  async fulfil(orderId: string, context: RequestContext): Promise<Order> {
    authorize(context, 'orders:order.fulfil', resourceName(PLATFORM, 'order', orderId));
    return inTransaction(this.kernel.db, this.#tx(context, null), async (tx) => {
      const order = await this.#load(tx, orderId, true);
      if (order.status !== 'provisioning') throw new InvalidTransitionError('order', order.status, 'fulfilled');
      const { releaseOnFulfil, ...reserved } = order.document.reserved;
      if (!releaseOnFulfil) return toOrder(await this.#advance(tx, context, order, [{ status: 'fulfilled', reason: null }]));
      await this.#repository.reserve(tx, order.tenantId, releaseOnFulfil.quotas, -1);
      for (const [productId, quantity] of Object.entries(releaseOnFulfil.capacity)) await this.catalog.returnCapacity(tx, productId, quantity);
      return toOrder(await this.#advance(tx, context, order, [{ status: 'fulfilled', reason: null }], { document: { ...order.document, reserved } }));
    });
  }

  /** The provisioning side reports it could not deliver: the reason is kept, quotas and stock are released. */
  async fail(orderId: string, reason: string, context: RequestContext): Promise<Order> {
    authorize(context, 'orders:order.fail', resourceName(PLATFORM, 'order', orderId));
    return inTransaction(this.kernel.db, this.#tx(context, null), async (tx) => {
      const order = await this.#load(tx, orderId, true);
      if (order.status !== 'provisioning') throw new InvalidTransitionError('order', order.status, 'failed');
      return toOrder(await this.#release(tx, context, order, { ...order.document, failureReason: reason }, 'failed', reason));
    });
  }

  /**
   * Ends a live order: gives back what it reserved (if it was submitted) and records the final
   * status. A change order's releaseOnFulfil is dropped with the rest: the item it would have
   * replaced stays live and keeps what it holds.
   */
  async #release(tx: Tx, context: RequestContext, order: StoredOrder, document: OrderDocument, status: 'cancelled' | 'failed', reason: string): Promise<StoredOrder> {
    if (order.status !== 'draft') {
      await this.#repository.reserve(tx, order.tenantId, document.reserved.quotas, -1);
      for (const [productId, quantity] of Object.entries(document.reserved.capacity)) await this.catalog.returnCapacity(tx, productId, quantity);
    }
    return this.#advance(tx, context, order, [{ status, reason }], { document: { ...document, reserved: { quotas: {}, capacity: {} } } });
  }

  // ---- reads ----

  async get(orderId: string, context: RequestContext): Promise<Order> {
    const staff = isPlatformStaff(context);
    const tenantId = staff ? null : this.#ownTenant(context);
    authorize(context, 'orders:order.read', resourceName(tenantId ?? PLATFORM, 'order', orderId));
    return inTransaction(this.kernel.db, this.#tx(context, tenantId), async (tx) => toOrder(await this.#load(tx, orderId)));
  }

  async list(query: ListOrdersQuery, context: RequestContext): Promise<Page<Order>> {
    const staff = isPlatformStaff(context);
    const tenantId = staff ? (query.tenantId ?? null) : this.#ownTenant(context);
    authorize(context, 'orders:order.list', resourceName(staff ? PLATFORM : tenantId!, 'order', '*'));
    const limit = query.limit ?? 25;
    const beforeId = decodeCursor(query.cursor, isOrderId);
    return inTransaction(this.kernel.db, this.#tx(context, tenantId), async (tx) => {
      const rows = await this.#repository.list(tx, { tenantId: tenantId ?? undefined, status: query.status, beforeId, limit: limit + 1 });
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return { data: page.map(toOrder), nextCursor: rows.length > limit && last ? encodeCursor(last.id) : null };
    });
  }

  /** What the tenant's live orders hold of each quota. */
  async reservations(tenantId: string, context: RequestContext): Promise<Record<string, number>> {
    authorize(context, 'orders:quota-usage.read', resourceName(tenantId, 'tenant', tenantId));
    return inTransaction(this.kernel.db, this.#tx(context, tenantId), (tx) => this.#repository.reservations(tx, tenantId));
  }

  // ---- plumbing ----

  async #load(tx: Tx, orderId: string, forUpdate = false): Promise<StoredOrder> {
    const order = await this.#repository.find(tx, orderId, { forUpdate });
    if (!order) throw new NotFoundError('Order', orderId);
    return order;
  }

  /**
   * Moves an order along one or more steps of its status machine in the caller's transaction: the
   * timeline steps and the row in one statement (each edge checked by the database), then, after
   * `beforeRecording` (work that should happen late in the transaction), an audit entry and an
   * event per step, written together: three statements however many steps.
   */
  async #advance(tx: Tx, context: RequestContext, order: StoredOrder, steps: readonly Step[], changes: { document?: OrderDocument; submittedAt?: Date } = {}, beforeRecording?: () => Promise<void>): Promise<StoredOrder> {
    const now = this.kernel.clock.now();
    const actorId = context.principal?.userId ?? null;
    const saved = await this.#repository.advance(tx, order, steps.map((step) => ({ status: step.status, actorId, reason: step.reason, at: now })), changes, now);
    await beforeRecording?.();
    const from = [order.status, ...steps.map((step) => step.status)];
    const { rows: events } = outboxRows(
      this.kernel.clock,
      steps.map((step) => ({
        type: step.event ?? EVENT_OF[step.status],
        tenantId: order.tenantId,
        payload: {
          orderId: order.id,
          status: step.status,
          ...(step.reason ? { reason: step.reason } : {}),
          ...(saved.document.changeOf ? { changeOf: saved.document.changeOf } : {}),
          ...(step.status === 'provisioning' ? { items: saved.document.items.map((item) => ({ itemId: item.id, productId: item.productId, version: item.version, quantity: item.quantity, provisioning: item.provisioning })) } : {}),
        },
        ...(context.principal?.userId ? { actorId: context.principal.userId } : {}),
        requestId: context.requestId,
      })),
    );
    const entries = steps.map((step, index) => this.#auditEntry(context, step.event ?? EVENT_OF[step.status], { ...saved, status: step.status }, { status: from[index]! }, step.reason));
    await this.kernel.audit.recordAll(tx, entries, { events });
    return saved;
  }

  #auditEntry(context: RequestContext, action: string, after: StoredOrder, before: { status: OrderStatus } | undefined, reason: string | null): AuditInput {
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

/** One step along the status machine, with the event it publishes when that is not the status's own. */
interface Step {
  status: OrderStatus;
  reason: string | null;
  event?: string;
}

/** awaiting_payment, satisfied at once by invoice-later terms (the payment seam), then provisioning requested. */
const TO_PROVISIONING: readonly Step[] = [
  { status: 'awaiting_payment', reason: 'Payment terms: invoice later' },
  { status: 'provisioning', reason: null },
];

const EVENT_OF: Record<OrderStatus, string> = {
  draft: 'order.created',
  submitted: 'order.submitted',
  pending_approval: 'order.approval_requested',
  awaiting_payment: 'order.awaiting_payment',
  provisioning: 'order.provisioning_requested',
  fulfilled: 'order.fulfilled',
  failed: 'order.failed',
  cancelled: 'order.cancelled',
};

function toOrder(order: StoredOrder): Order {
  return {
    id: order.id,
    tenantId: order.tenantId,
    status: order.status,
    currency: order.currency,
    couponCode: order.document.couponCode,
    items: order.document.items,
    totalMinor: order.document.totalMinor,
    dueNowMinor: order.document.dueNowMinor,
    paymentTerms: 'invoice_later',
    approval: order.document.approval,
    failureReason: order.document.failureReason,
    createdBy: order.createdBy,
    createdAt: order.createdAt.toISOString(),
    updatedAt: order.updatedAt.toISOString(),
    submittedAt: order.submittedAt?.toISOString() ?? null,
    timeline: order.timeline.map((step) => ({ status: step.status, at: step.at.toISOString(), actorId: step.actorId, reason: step.reason })),
    ...(order.document.changeOf ? { changeOf: order.document.changeOf, proration: order.document.proration } : {}),
  };
}
