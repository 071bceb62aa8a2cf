// Change orders: a fulfilled item is changed (upgrade, downgrade, quantity change) by a new order of
// the proposed item that names the item it changes and carries the proration; previews price the
// same change without writing anything. Quotas and stock are taken as deltas, and what a smaller
// item frees comes back only when the change order is fulfilled (OrderService.fulfil).
import type { Kernel } from '../../kernel/kernel.js';
import type { Tx } from '../../kernel/db/database.js';
import { newId } from '../../kernel/ids.js';
import { resourceName } from '../../kernel/authz/authorize.js';
import { defineUseCase } from '../../kernel/use-case.js';
import type { RequestContext } from '../../kernel/context.js';
import { ConflictError, InvalidTransitionError, NotFoundError, UnprocessableError } from '../../kernel/errors.js';
import { Exact } from '../../kernel/money.js';
import type { CatalogService, Product, ProductVersion } from '../catalog/index.js';
import { describeConfiguration } from '../catalog/index.js';
import { OrderRepository, type StoredOrder } from './repository.js';
import { periodAt, prorate } from './proration.js';
import type { ApprovalRules } from './approval-rules.js';
import { availabilityProblems, provisioningRequest } from './items.js';
import { OrderSteps, TO_PROVISIONING, formatOrderNumber, toOrder, type Step, type TenantOrdering } from './order-steps.js';
import type { ChangeBody, ChangePreview, Order, OrderItem } from './schemas.js';

type PricedItem = OrderItem & { price: NonNullable<OrderItem['price']> };
type ChangeInput = { orderId: string; itemId: string; change: ChangeBody };
type Viewer = { tenantId: string; tier: string };

export class ChangeOrderService {
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
    /**
     * What changing a fulfilled item would cost: its current and proposed price per period and the
     * proration of the current period in the chosen mode. Nothing is written.
     */
    preview: defineUseCase<ChangeInput & { viewer: Viewer }, ChangePreview>({
      name: 'orders.preview-change',
      access: { action: 'orders:order.read' },
      resource: (input, context) => resourceName(this.#steps.ownTenant(context), 'order', input.orderId),
      run: async ({ tx, input: { orderId, itemId, change, viewer } }) => {
        const order = await this.#steps.load(tx, orderId);
        const item = await this.#liveItem(tx, order, itemId);
        return (await this.#proposeChange(tx, order, item, change, viewer)).preview;
      },
    }),

    /**
     * Changes a fulfilled item (upgrade, downgrade, quantity change) by placing a change order: a new
     * order of the proposed item that names the item it changes (`changeOf`) and carries the
     * proration, checked like a submission and moved on in the same transaction. Quotas and stock:
     * only what the new item needs beyond the old one is taken now; what it needs less is given back
     * when the change order is fulfilled, so a downgrade frees nothing before it is delivered.
     * Locking the changed order's row makes concurrent changes of one item queue, and the second one
     * then finds the first (one live change per item). Nothing is written on any refusal.
     */
    change: defineUseCase<ChangeInput, Order>({
      name: 'orders.change-item',
      access: { action: 'orders:order.change' },
      resource: (input, context) => resourceName(this.#steps.ownTenant(context), 'order', input.orderId),
      run: async (run) => {
        const { tx, context, input: { orderId, itemId, change } } = run;
        const tenantId = this.#steps.ownTenant(context);
        const now = this.kernel.clock.now();
          const profile = await this.#steps.orderingProfile(tx, tenantId);
          const original = await this.#steps.load(tx, orderId, true);
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
          await this.#steps.takeQuotas(tx, tenantId, profile.quotas, take);
          const stock = product.capacity === null ? 0 : proposed.quantity - item.quantity;
          if (stock > 0) await this.catalog.takeCapacity(tx, product, stock);

          const changeOf = { orderId: original.id, ...(original.number !== null ? { orderNumber: formatOrderNumber(original.number) } : {}), itemId: item.id, kind: preview.kind };
          const inserted = await this.#repository.insert(tx, {
            id: newId('order'),
            tenantId,
            currency: original.currency,
            createdBy: context.principal?.userId ?? null,
            createdByName: this.#steps.actorName(context),
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
          const submitted: Step = { status: 'submitted', reason: `Changes ${item.productName} of order ${changeOf.orderNumber ?? original.id} (${preview.kind.replace('_', ' ')})` };
          const onwards: readonly Step[] = reasons.length > 0 ? [{ status: 'pending_approval', reason: `Needs approval: ${reasons.join('; ')}` }] : TO_PROVISIONING;
          return toOrder(await this.#steps.advance(run, inserted, [submitted, ...onwards], { submittedAt: now }));
      },
    }),
  };

  async previewChange(orderId: string, itemId: string, change: ChangeBody, context: RequestContext): Promise<ChangePreview> {
    // Read before the transaction: a second connection taken while one is held can exhaust the pool under load.
    const viewer = await this.catalog.viewerOf(this.#steps.ownTenant(context));
    return this.kernel.useCases.run(this.useCases.preview, context, { orderId, itemId, change, viewer });
  }

  change(orderId: string, itemId: string, change: ChangeBody, context: RequestContext): Promise<Order> {
    return this.kernel.useCases.run(this.useCases.change, context, { orderId, itemId, change });
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
    const configuration = this.#steps.checkConfiguration(product, version, change.configuration ?? item.configuration, '/configuration');
    const proposedItem: OrderItem = { ...item, id: 'item_1', productName: product.name, version: version.version, pricePlan: change.pricePlan ?? item.pricePlan, quantity: change.quantity ?? item.quantity, configuration, configurationSummary: describeConfiguration(version.content.configurationSchema, configuration), price: null, provisioning: null };
    const proposedPrice = this.#steps.price(proposedItem, version, order.currency, null, '');
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
}
