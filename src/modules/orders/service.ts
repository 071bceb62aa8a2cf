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
import type { Tx } from '../../kernel/db/database.js';
import { newId, isId } from '../../kernel/ids.js';
import { decodeCursor, encodeCursor, type Page } from '../../kernel/api/cursor.js';
import { isPlatformStaff, resourceName, PLATFORM } from '../../kernel/authz/authorize.js';
import type { EventContract } from '../../kernel/events.js';
import { callerScope, defineUseCase } from '../../kernel/use-case.js';
import type { RequestContext } from '../../kernel/context.js';
import { InvalidTransitionError, NotFoundError, UnprocessableError, type FieldError } from '../../kernel/errors.js';
import { isCurrency } from '../../kernel/money.js';
import type { CatalogService, Product, ProductVersion } from '../catalog/index.js';
import { couponProblem, describeConfiguration, validateConfiguration } from '../catalog/index.js';
import { OrderRepository, type OrderDocument, type StoredOrder } from './repository.js';
import type { ApprovalRules } from './approval-rules.js';
import { availabilityProblems, provisioningRequest, totals } from './items.js';
import { OrderSteps, TO_PROVISIONING, eventPayload, orderChange, toOrder, type OrderRun, type Step, type TenantOrdering } from './order-steps.js';
import { OrderApproved, OrderCreated, OrderRejected, type OrderEventPayload } from './events.js';
import type { AddItemBody, CountOrdersQuery, CreateOrderBody, ListOrdersQuery, Order, OrderCount, OrderItem, OrderStatus } from './schemas.js';

export type { TenantOrdering } from './order-steps.js';

const isOrderId = (value: unknown): value is string => typeof value === 'string' && isId('order', value);
const CANCELLABLE: readonly OrderStatus[] = ['draft', 'submitted', 'pending_approval', 'awaiting_payment'];
const MAX_ITEMS = 50;

type Viewer = { tenantId: string; tier: string };

export class OrderService {
  readonly #repository = new OrderRepository();
  readonly #steps: OrderSteps;

  constructor(
    private readonly kernel: Pick<Kernel, 'clock' | 'useCases'>,
    private readonly catalog: CatalogService,
    tenants: TenantOrdering,
    private readonly approvalRules: ApprovalRules,
  ) {
    this.#steps = new OrderSteps(kernel, catalog, tenants, this.#repository);
  }

  readonly useCases = {
    // ---- the cart ----

    create: defineUseCase<CreateOrderBody, Order>({
      name: 'orders.create',
      access: { action: 'orders:order.create' },
      resource: (_input, context) => resourceName(this.#steps.ownTenant(context), 'order', '*'),
      run: async ({ tx, input, context, record }) => {
        if (!isCurrency(input.currency)) throw new UnprocessableError(`${input.currency} is not an ISO 4217 currency.`, [{ pointer: '/currency', message: 'is not a known currency' }]);
        if (input.couponCode) await this.catalog.couponFor(tx, input.couponCode);
        const stored = await this.#repository.insert(tx, {
          id: newId('order'),
          tenantId: this.#steps.ownTenant(context),
          currency: input.currency,
          createdBy: context.principal?.userId ?? null,
          createdByName: this.#steps.actorName(context),
          at: this.kernel.clock.now(),
          document: { couponCode: input.couponCode ?? null, items: [], nextItem: 1, totalMinor: '0', dueNowMinor: '0', approval: null, failureReason: null, reserved: { quotas: {}, capacity: {} } },
        });
        const started: Step = { status: 'draft', reason: null };
        record(orderChange(stored, OrderCreated, undefined, started, eventPayload(stored, started)));
        return toOrder(stored);
      },
    }),

    /** Adds an item to a draft, checked and priced now so the cart shows real totals. */
    addItem: this.#draftChange<{ orderId: string; input: AddItemBody; viewer: Viewer }>('orders.add-item', async (tx, order, { input, viewer }) => {
        if (order.document.items.length >= MAX_ITEMS) throw new UnprocessableError(`An order holds at most ${MAX_ITEMS} items.`, [{ pointer: '/items', message: 'is full' }]);
        const { product, version } = await this.catalog.orderableVersion(tx, input.productId, input.version, viewer);
        const configuration = this.#steps.checkConfiguration(product, version, input.configuration ?? {}, '/configuration');
        const coupon = order.document.couponCode ? await this.catalog.couponFor(tx, order.document.couponCode) : null;
        const item: OrderItem = {
          id: `item_${order.document.nextItem}`,
          productId: product.id,
          productName: product.name,
          version: version.version,
          pricePlan: input.pricePlan,
          quantity: input.quantity,
          configuration,
          configurationSummary: describeConfiguration(version.content.configurationSchema, configuration),
          price: null,
          provisioning: null,
        };
        item.price = this.#steps.price(item, version, order.currency, coupon, '');
        const items = [...order.document.items, item];
        return { ...order.document, items, nextItem: order.document.nextItem + 1, ...totals(items) };
    }),

    removeItem: this.#draftChange<{ orderId: string; itemId: string }>('orders.remove-item', async (_tx, order, { itemId }) => {
      const items = order.document.items.filter((item) => item.id !== itemId);
      if (items.length === order.document.items.length) throw new NotFoundError('Order item', itemId);
      return { ...order.document, items, ...totals(items) };
    }),

    /**
     * Puts a coupon on a draft, or takes it off (null), and prices every item again. A coupon that
     * cannot apply to this cart at all (unknown, no longer offered, expired, used up, no amount in the
     * cart's currency) is 422 on /couponCode and nothing is written; one limited to other products
     * leaves those items at full price, as #price does at submit.
     */
    setCoupon: this.#draftChange<{ orderId: string; couponCode: string | null; viewer: Viewer }>('orders.set-coupon', async (tx, order, { couponCode, viewer }) => {
        const coupon = couponCode === null ? null : await this.catalog.couponFor(tx, couponCode);
        // The cart as a whole, whatever is in it (it may be empty): only the product restriction is per item.
        const problem = coupon ? couponProblem({ ...coupon, productIds: [] }, '', order.currency, this.kernel.clock.now()) : null;
        if (coupon && problem) throw new UnprocessableError(`The coupon ${coupon.code} ${problem}.`, [{ pointer: '/couponCode', message: problem }]);
        const items: OrderItem[] = [];
        for (const [index, item] of order.document.items.entries()) {
          const { version } = await this.catalog.orderableVersion(tx, item.productId, item.version, viewer);
          items.push({ ...item, price: this.#steps.price(item, version, order.currency, coupon, `/items/${index}`) });
        }
        return { ...order.document, couponCode: coupon?.code ?? null, items, ...totals(items) };
    }),

    // ---- submit ----

    /**
     * Submits a draft: validates every item, takes quotas and stock, prices it and moves it on. All
     * problems with the items are reported together (422); quota and stock refusals are 409. Nothing
     * is written unless everything passes.
     */
    submit: defineUseCase<{ orderId: string }, Order>({
      name: 'orders.submit',
      access: { action: 'orders:order.submit' },
      resource: (input, context) => resourceName(this.#steps.ownTenant(context), 'order', input.orderId),
      run: async (run) => {
        const { tx, context, input: { orderId } } = run;
        const tenantId = this.#steps.ownTenant(context);
        const now = this.kernel.clock.now();
        const profile = await this.#steps.orderingProfile(tx, tenantId);
        const viewer = { tenantId, tier: profile.tier };
        const order = await this.#steps.load(tx, orderId, true);
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
          const configuration = configured.ok ? configured.value : item.configuration;
          checked.push({ item: { ...item, configuration, configurationSummary: describeConfiguration(version.content.configurationSchema, configuration) }, product, version });
        }
        if (problems.length > 0) throw new UnprocessableError(`The order cannot be submitted: ${problems.length} problem(s).`, problems);

        // 2. Price every item (the same function as previews), with the order's coupon.
        const coupon = order.document.couponCode ? await this.catalog.couponFor(tx, order.document.couponCode) : null;
        const items = checked.map(({ item, version }, index) => ({
          ...item,
          price: this.#steps.price(item, version, order.currency, coupon, `/items/${index}`),
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
          await this.#steps.takeQuotas(tx, tenantId, profile.quotas, requested);
          for (const [productId, quantity] of Object.entries(capacity)) await this.catalog.takeCapacity(tx, checked.find((c) => c.product.id === productId)!.product, quantity);
        };
        return toOrder(await this.#steps.advance(run, order, [{ status: 'submitted', reason: null }, ...onwards], { document, submittedAt: now }, takeQuotasAndStock));
      },
    }),

    // ---- operators and the provisioning side ----

    approve: defineUseCase<{ orderId: string; reason: string | undefined }, Order>({
      name: 'orders.approve',
      access: { action: 'orders:order.approve' },
      resource: (input) => resourceName(PLATFORM, 'order', input.orderId),
      run: async (run) => {
        const { tx, context, input: { orderId, reason } } = run;
        const order = await this.#steps.load(tx, orderId, true);
        if (order.status !== 'pending_approval') throw new InvalidTransitionError('order', order.status, 'approved');
        const document: OrderDocument = { ...order.document, approval: { required: order.document.approval?.required ?? [], decision: 'approved', decidedBy: context.principal?.userId ?? null, reason: reason ?? null } };
        const approved: Step = { status: 'awaiting_payment', reason: reason ?? 'Approved', event: OrderApproved };
        return toOrder(await this.#steps.advance(run, order, [approved, TO_PROVISIONING[1]!], { document }));
      },
    }),

    reject: defineUseCase<{ orderId: string; reason: string }, Order>({
      name: 'orders.reject',
      access: { action: 'orders:order.reject' },
      resource: (input) => resourceName(PLATFORM, 'order', input.orderId),
      run: async (run) => {
        const { tx, context, input: { orderId, reason } } = run;
        const order = await this.#steps.load(tx, orderId, true);
        if (order.status !== 'pending_approval') throw new InvalidTransitionError('order', order.status, 'rejected');
        const document: OrderDocument = { ...order.document, approval: { required: order.document.approval?.required ?? [], decision: 'rejected', decidedBy: context.principal?.userId ?? null, reason } };
        return toOrder(await this.#release(run, order, document, 'cancelled', `Rejected: ${reason}`, OrderRejected));
      },
    }),

    cancel: defineUseCase<{ orderId: string; reason: string | undefined }, Order>({
      name: 'orders.cancel',
      access: { action: 'orders:order.cancel' },
      resource: (input, context) => resourceName(this.#steps.resourceOwner(context), 'order', input.orderId),
      run: async (run) => {
        const { orderId, reason } = run.input;
        const order = await this.#steps.load(run.tx, orderId, true);
        if (!CANCELLABLE.includes(order.status)) throw new InvalidTransitionError('order', order.status, 'cancelled (provisioning has started)');
        return toOrder(await this.#release(run, order, order.document, 'cancelled', reason ?? 'Cancelled'));
      },
    }),

    /**
     * The provisioning side reports the order delivered. A change order then gives back what its
     * item needs less than the item it replaced (quotas and stock), now that the smaller one is live.
     */
    fulfil: defineUseCase<{ orderId: string }, Order>({
      name: 'orders.fulfil',
      access: { action: 'orders:order.fulfil' },
      resource: (input) => resourceName(PLATFORM, 'order', input.orderId),
      run: async (run) => {
        const { tx, input: { orderId } } = run;
        const order = await this.#steps.load(tx, orderId, true);
        if (order.status !== 'provisioning') throw new InvalidTransitionError('order', order.status, 'fulfilled');
        const { releaseOnFulfil, ...reserved } = order.document.reserved;
        if (!releaseOnFulfil) return toOrder(await this.#steps.advance(run, order, [{ status: 'fulfilled', reason: null }]));
        await this.#repository.reserve(tx, order.tenantId, releaseOnFulfil.quotas, -1);
        for (const [productId, quantity] of Object.entries(releaseOnFulfil.capacity)) await this.catalog.returnCapacity(tx, productId, quantity);
        return toOrder(await this.#steps.advance(run, order, [{ status: 'fulfilled', reason: null }], { document: { ...order.document, reserved } }));
      },
    }),

    /** The provisioning side reports it could not deliver: the reason is kept, quotas and stock are released. */
    fail: defineUseCase<{ orderId: string; reason: string }, Order>({
      name: 'orders.fail',
      access: { action: 'orders:order.fail' },
      resource: (input) => resourceName(PLATFORM, 'order', input.orderId),
      run: async (run) => {
        const { orderId, reason } = run.input;
        const order = await this.#steps.load(run.tx, orderId, true);
        if (order.status !== 'provisioning') throw new InvalidTransitionError('order', order.status, 'failed');
        return toOrder(await this.#release(run, order, { ...order.document, failureReason: reason }, 'failed', reason));
      },
    }),

    // ---- reads ----

    get: defineUseCase<{ orderId: string }, Order>({
      name: 'orders.get',
      access: { action: 'orders:order.read' },
      resource: (input, context) => resourceName(this.#steps.resourceOwner(context), 'order', input.orderId),
      run: async ({ tx, input }) => toOrder(await this.#steps.load(tx, input.orderId)),
    }),

    list: defineUseCase<ListOrdersQuery, Page<Order>>({
      name: 'orders.list',
      access: { action: 'orders:order.list' },
      resource: (_input, context) => resourceName(this.#steps.resourceOwner(context), 'order', '*'),
      run: async ({ tx, input: query, context }) => {
        const tenantId = this.#listedTenant(context, query.tenantId);
        const limit = query.limit ?? 25;
        const beforeId = decodeCursor(query.cursor, isOrderId);
        const number = query.number === undefined ? undefined : Number(query.number.replace(/^ord-?/i, ''));
        const rows = await this.#repository.list(tx, { tenantId, status: query.status, number, beforeId, limit: limit + 1 });
        const page = rows.slice(0, limit);
        const last = page[page.length - 1];
        return { data: page.map(toOrder), nextCursor: rows.length > limit && last ? encodeCursor(last.id) : null };
      },
    }),

    /** How many orders the list would show with these filters (all pages), under the same rules. */
    count: defineUseCase<CountOrdersQuery, OrderCount>({
      name: 'orders.count',
      access: { action: 'orders:order.list' },
      resource: (_input, context) => resourceName(this.#steps.resourceOwner(context), 'order', '*'),
      run: async ({ tx, input: query, context }) => ({ count: await this.#repository.count(tx, { tenantId: this.#listedTenant(context, query.tenantId), status: query.status }) }),
    }),

    /** What the tenant's live orders hold of each quota. */
    reservations: defineUseCase<{ tenantId: string }, Record<string, number>>({
      name: 'orders.quota-reservations',
      access: { action: 'orders:quota-usage.read' },
      resource: (input) => resourceName(input.tenantId, 'tenant', input.tenantId),
      scope: (input, context) => callerScope(context, input.tenantId),
      run: ({ tx, input }) => this.#repository.reservations(tx, input.tenantId),
    }),
  };

  create(input: CreateOrderBody, context: RequestContext): Promise<Order> {
    return this.kernel.useCases.run(this.useCases.create, context, input);
  }

  async addItem(orderId: string, input: AddItemBody, context: RequestContext): Promise<Order> {
    // Read before the transaction: a second connection taken while one is held can exhaust the pool under load.
    const viewer = await this.catalog.viewerOf(this.#steps.ownTenant(context));
    return this.kernel.useCases.run(this.useCases.addItem, context, { orderId, input, viewer });
  }

  removeItem(orderId: string, itemId: string, context: RequestContext): Promise<Order> {
    return this.kernel.useCases.run(this.useCases.removeItem, context, { orderId, itemId });
  }

  async setCoupon(orderId: string, couponCode: string | null, context: RequestContext): Promise<Order> {
    // Read before the transaction, as addItem does: a second connection taken while one is held can exhaust the pool.
    const viewer = await this.catalog.viewerOf(this.#steps.ownTenant(context));
    return this.kernel.useCases.run(this.useCases.setCoupon, context, { orderId, couponCode, viewer });
  }

  submit(orderId: string, context: RequestContext): Promise<Order> {
    return this.kernel.useCases.run(this.useCases.submit, context, { orderId });
  }

  approve(orderId: string, reason: string | undefined, context: RequestContext): Promise<Order> {
    return this.kernel.useCases.run(this.useCases.approve, context, { orderId, reason });
  }

  reject(orderId: string, reason: string, context: RequestContext): Promise<Order> {
    return this.kernel.useCases.run(this.useCases.reject, context, { orderId, reason });
  }

  cancel(orderId: string, reason: string | undefined, context: RequestContext): Promise<Order> {
    return this.kernel.useCases.run(this.useCases.cancel, context, { orderId, reason });
  }

  fulfil(orderId: string, context: RequestContext): Promise<Order> {
    return this.kernel.useCases.run(this.useCases.fulfil, context, { orderId });
  }

  fail(orderId: string, reason: string, context: RequestContext): Promise<Order> {
    return this.kernel.useCases.run(this.useCases.fail, context, { orderId, reason });
  }

  get(orderId: string, context: RequestContext): Promise<Order> {
    return this.kernel.useCases.run(this.useCases.get, context, { orderId });
  }

  list(query: ListOrdersQuery, context: RequestContext): Promise<Page<Order>> {
    return this.kernel.useCases.run(this.useCases.list, context, query);
  }

  count(query: CountOrdersQuery, context: RequestContext): Promise<OrderCount> {
    return this.kernel.useCases.run(this.useCases.count, context, query);
  }

  reservations(tenantId: string, context: RequestContext): Promise<Record<string, number>> {
    return this.kernel.useCases.run(this.useCases.reservations, context, { tenantId });
  }

  /** A change to a draft (its items, its coupon): only a draft can change; nothing is audited until it is submitted. */
  #draftChange<I extends { orderId: string }>(name: string, change: (tx: Tx, order: StoredOrder, input: I) => Promise<OrderDocument>) {
    return defineUseCase<I, Order>({
      name,
      access: { action: 'orders:order.update' },
      resource: (input, context) => resourceName(this.#steps.ownTenant(context), 'order', input.orderId),
      run: async ({ tx, input }) => {
        const order = await this.#steps.load(tx, input.orderId, true);
        if (order.status !== 'draft') throw new InvalidTransitionError('order', order.status, 'changed (only a draft can be)');
        return toOrder(await this.#repository.saveDocument(tx, order, await change(tx, order, input), this.kernel.clock.now()));
      },
    });
  }

  /** The tenant whose orders a list shows: staff choose one (or all), anyone else sees their own. */
  #listedTenant(context: RequestContext, requested: string | undefined): string | undefined {
    return isPlatformStaff(context) ? requested : this.#steps.ownTenant(context);
  }

  /**
   * Ends a live order: gives back what it reserved (if it was submitted) and records the final
   * status (published as `event` when that is not the status's own: a rejection is
   * order.rejected, not order.cancelled). A change order's releaseOnFulfil is dropped with the rest: the item it would have
   * replaced stays live and keeps what it holds.
   */
  async #release(run: OrderRun, order: StoredOrder, document: OrderDocument, status: 'cancelled' | 'failed', reason: string, event?: EventContract<OrderEventPayload>): Promise<StoredOrder> {
    const { tx } = run;
    if (order.status !== 'draft') {
      await this.#repository.reserve(tx, order.tenantId, document.reserved.quotas, -1);
      for (const [productId, quantity] of Object.entries(document.reserved.capacity)) await this.catalog.returnCapacity(tx, productId, quantity);
    }
    return this.#steps.advance(run, order, [{ status, reason, ...(event ? { event } : {}) }], { document: { ...document, reserved: { quotas: {}, capacity: {} } } });
  }
}
