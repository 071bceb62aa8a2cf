// Orders as JSON Schema (TypeBox): the cart (a draft order with items), the order with its pinned
// versions, priced lines and timeline, and the operators' approval rules.
import { Type, type Static } from 'typebox';
import { StrictObject, Id, PageQuery, Page, named } from '../../kernel/api/schemas.js';
import { DECIMAL_PATTERN } from '../../kernel/money.js';
import { PricePreview } from '../catalog/index.js';

export const ORDER_STATUSES = ['draft', 'submitted', 'pending_approval', 'awaiting_payment', 'provisioning', 'fulfilled', 'failed', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

const Status = named(
  'OrderStatus',
  Type.Union(
    [
      Type.Literal('draft'),
      Type.Literal('submitted'),
      Type.Literal('pending_approval'),
      Type.Literal('awaiting_payment'),
      Type.Literal('provisioning'),
      Type.Literal('fulfilled'),
      Type.Literal('failed'),
      Type.Literal('cancelled'),
    ],
    { description: 'draft → submitted → (pending_approval) → awaiting_payment → provisioning → fulfilled | failed; cancelled before provisioning' },
  ),
);
const Timestamp = Type.String({ format: 'date-time' });
const Currency = Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 code; every item is priced in it', examples: ['EUR'] });
const Configuration = Type.Record(Type.String(), Type.Unknown(), { description: 'Filled against the version’s configuration schema' });
const Reason = Type.String({ minLength: 1, maxLength: 1000 });

export const OrderItem = named(
  'OrderItem',
  Type.Object(
    {
      id: Type.String({ description: 'Item id within the order' }),
      productId: Id('product'),
      productName: Type.String(),
      version: Type.Integer({ description: 'The pinned product version' }),
      pricePlan: Type.String(),
      quantity: Type.Integer({ minimum: 1 }),
      configuration: Configuration,
      configurationSummary: Type.Optional(
        Type.Array(Type.Object({ key: Type.String(), title: Type.String(), value: Type.String() }), {
          description: 'The configuration as people read it: each setting’s title from the version’s schema and its value in words, in the schema’s order (items added before this existed have none)',
        }),
      ),
      /** The quote this item was priced at (at submit; a preview while in the cart). */
      price: Type.Union([PricePreview, Type.Null()]),
      provisioning: Type.Union([Type.Object({ capability: Type.String(), parameters: Type.Record(Type.String(), Type.Unknown()) }), Type.Null()], {
        description: 'The provisioning request the binding maps this item to (set at submit)',
      }),
    },
    { title: 'OrderItem' },
  ),
);
export type OrderItem = Static<typeof OrderItem>;

export const TimelineEntry = named(
  'OrderTimelineEntry',
  Type.Object({
    status: Status,
    at: Timestamp,
    actorId: Type.Union([Type.String(), Type.Null()]),
    actorName: Type.Union([Type.String(), Type.Null()], { description: 'Who took the step, by the name they had then (display name, else email); null for the system or steps recorded before names were kept' }),
    reason: Type.Union([Type.String(), Type.Null()]),
  }),
);

const ChangeKind = named('ItemChangeKind', Type.Union([Type.Literal('upgrade'), Type.Literal('downgrade'), Type.Literal('quantity_change'), Type.Literal('change')]));

export const Proration = named(
  'Proration',
  Type.Object(
    {
      mode: Type.String(),
      periodStart: Type.Union([Timestamp, Type.Null()]),
      periodEnd: Type.Union([Timestamp, Type.Null()]),
      remainingFraction: Type.String(),
      creditMinor: Type.String(),
      chargeMinor: Type.String(),
      dueNowMinor: Type.String(),
      dueNow: Type.String(),
      newPriceFrom: Timestamp,
    },
    { title: 'Proration' },
  ),
);

/** What a change order changes: an item of an earlier (fulfilled) order. */
export const ChangeOf = named(
  'ChangeOf',
  Type.Object(
    {
      orderId: Id('order'),
      orderNumber: Type.Optional(Type.String({ description: 'That order’s number for people (ORD-…)' })),
      itemId: Type.String({ description: 'The item of that order this one replaces' }),
      kind: ChangeKind,
    },
    { title: 'ChangeOf', description: 'Only on a change order (POST …/items/{itemId}/change): the live item it replaces once fulfilled, and how' },
  ),
);

export const Order = named(
  'Order',
  Type.Object(
    {
      id: Id('order'),
      number: Type.Union([Type.String({ pattern: '^ORD-[0-9]{6,}$', examples: ['ORD-000042'] }), Type.Null()], {
        description: 'The order’s number for people, counted per tenant from 1 in the order of submission (no gaps); null while it is a cart (draft). The id stays the order’s identifier in the API.',
      }),
      tenantId: Id('tenant'),
      status: Status,
      currency: Currency,
      couponCode: Type.Union([Type.String(), Type.Null()]),
      items: Type.Array(OrderItem),
      totalMinor: Type.String({ description: 'Sum of the items’ totals (one period of each recurring price plus the one-time amounts), minor units; not a per-interval amount' }),
      dueNowMinor: Type.String(),
      recurringTotals: Type.Array(Type.Object({ interval: Type.Union([Type.Literal('month'), Type.Literal('year')]), amountMinor: Type.String() }), {
        description: 'What the items cost per interval, one entry per interval in use (monthly and yearly items are never added together); one-time amounts are never included',
      }),
      oneTimeMinor: Type.String({ description: 'What the items cost once: one-time plans and setup fees, minor units' }),
      paymentTerms: Type.Literal('invoice_later', { description: 'Until payments land, orders are invoiced after provisioning' }),
      approval: Type.Union([
        Type.Object({
          required: Type.Array(Type.String(), { description: 'Why approval was required (rule names)' }),
          decision: Type.Union([Type.Literal('approved'), Type.Literal('rejected'), Type.Null()]),
          decidedBy: Type.Union([Type.String(), Type.Null()]),
          reason: Type.Union([Type.String(), Type.Null()]),
        }),
        Type.Null(),
      ]),
      failureReason: Type.Union([Type.String(), Type.Null()]),
      createdBy: Type.Union([Type.String(), Type.Null()]),
      createdAt: Timestamp,
      updatedAt: Timestamp,
      submittedAt: Type.Union([Timestamp, Type.Null()]),
      timeline: Type.Array(TimelineEntry),
      changeOf: Type.Optional(ChangeOf),
      proration: Type.Optional(Type.Object(Proration.properties, { description: 'Only on a change order: the proration of the current period; the order’s dueNowMinor is its dueNowMinor' })),
    },
    { title: 'Order' },
  ),
);
export type Order = Static<typeof Order>;

const CouponCode = Type.String({ pattern: '^[A-Z0-9][A-Z0-9_-]{2,39}$', description: 'A coupon’s code, as customers type it (upper case)', examples: ['SPRING15'] });

export const CreateOrderBody = named('CreateOrder', StrictObject({ currency: Currency, couponCode: Type.Optional(CouponCode) }, { title: 'CreateOrder' }));
export type CreateOrderBody = Static<typeof CreateOrderBody>;

export const ApplyCouponBody = named('ApplyCoupon', StrictObject({ couponCode: CouponCode }, { title: 'ApplyCoupon' }));
export type ApplyCouponBody = Static<typeof ApplyCouponBody>;

export const AddItemBody = named(
  'AddOrderItem',
  StrictObject(
    {
      productId: Id('product'),
      version: Type.Optional(Type.Integer({ minimum: 1, description: 'Defaults to the product’s current version' })),
      pricePlan: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,62}$', examples: ['monthly'] }),
      quantity: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
      configuration: Type.Optional(Configuration),
    },
    { title: 'AddOrderItem' },
  ),
);
export type AddItemBody = Static<typeof AddItemBody>;

export const ReasonBody = named('OrderDecisionReason', StrictObject({ reason: Reason }));
export const OptionalReasonBody = named('OrderDecisionOptionalReason', StrictObject({ reason: Type.Optional(Reason) }));

export const ApprovalRule = named(
  'ApprovalRule',
  Type.Object(
    {
      id: Id('approvalRule'),
      name: Type.String({ minLength: 1, maxLength: 200 }),
      condition: Type.Union([
        StrictObject({ type: Type.Literal('total_above'), currency: Currency, amount: Type.String({ pattern: DECIMAL_PATTERN, description: 'Major units' }) }),
        StrictObject({ type: Type.Literal('products'), productIds: Type.Array(Id('product'), { minItems: 1, maxItems: 200, uniqueItems: true }) }),
        StrictObject({ type: Type.Literal('quantity_above'), quantity: Type.Integer({ minimum: 1 }) }),
      ]),
      enabled: Type.Boolean(),
      createdAt: Timestamp,
    },
    { title: 'ApprovalRule' },
  ),
);
export type ApprovalRule = Static<typeof ApprovalRule>;
export const CreateApprovalRuleBody = named(
  'CreateApprovalRule',
  StrictObject({ name: ApprovalRule.properties.name, condition: ApprovalRule.properties.condition, enabled: Type.Optional(Type.Boolean()) }, { title: 'CreateApprovalRule' }),
);
export type CreateApprovalRuleBody = Static<typeof CreateApprovalRuleBody>;

export const OrderIdParams = StrictObject({ id: Id('order') });
export const OrderItemParams = StrictObject({ id: Id('order'), itemId: Type.String({ pattern: '^item_[0-9]{1,4}$' }) });
export const RuleIdParams = StrictObject({ id: Id('approvalRule') });
export const ListOrdersQuery = StrictObject({
  ...PageQuery,
  status: Type.Optional(Status),
  tenantId: Type.Optional(Id('tenant', 'Staff only: one tenant’s orders')),
  number: Type.Optional(Type.String({ pattern: '^([Oo][Rr][Dd]-?)?[0-9]{1,15}$', description: 'Only the order with this number ("ORD-000042" or "42"); numbers are per tenant, so staff may find one per tenant', examples: ['ORD-000042'] })),
});
export type ListOrdersQuery = Static<typeof ListOrdersQuery>;
export const OrderPage = Page(Order, 'OrderPage');

export const CountOrdersQuery = StrictObject({
  status: Type.Optional(Status),
  tenantId: Type.Optional(Id('tenant', 'Staff only: one tenant’s orders')),
});
export type CountOrdersQuery = Static<typeof CountOrdersQuery>;
export const OrderCount = named(
  'OrderCount',
  Type.Object(
    { count: Type.Integer({ minimum: 0, description: 'How many orders match the filters (the same ones the list takes)' }) },
    { title: 'OrderCount', additionalProperties: false },
  ),
);
export type OrderCount = Static<typeof OrderCount>;

export const ChangeBody = named(
  'ItemChange',
  StrictObject(
    {
      version: Type.Optional(Type.Integer({ minimum: 1, description: 'Move to this version (default: the product’s current one)' })),
      pricePlan: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,62}$', examples: ['monthly'] })),
      quantity: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
      configuration: Type.Optional(Configuration),
      prorationMode: Type.Union([Type.Literal('prorate_now'), Type.Literal('at_period_end'), Type.Literal('none')]),
    },
    { title: 'ItemChange', description: 'What to change of a live item; unspecified members stay as they are' },
  ),
);
export type ChangeBody = Static<typeof ChangeBody>;

export const ChangePreview = named(
  'ChangePreview',
  Type.Object(
    {
      kind: ChangeKind,
      current: PricePreview,
      proposed: PricePreview,
      proration: Proration,
    },
    { title: 'ChangePreview' },
  ),
);
export type ChangePreview = Static<typeof ChangePreview>;
