// The catalog's documents as JSON Schema (TypeBox): products, their versions (configuration schema,
// availability, provisioning binding, price plans), coupons and price previews. One definition
// validates requests, stored documents and responses, and documents the API.
import { Type, type Static } from 'typebox';
import { StrictObject, Id, PageQuery, Page, named } from '../../kernel/api/schemas.js';
import { DECIMAL_PATTERN } from '../../kernel/money.js';

export const PRODUCT_KINDS = ['platform_instance', 'compute', 'storage', 'network', 'dns_zone', 'addon', 'service'] as const;
export const VERSION_STATUSES = ['draft', 'published', 'retired'] as const;
export type VersionStatus = (typeof VERSION_STATUSES)[number];
const ProductKind = named(
  'ProductKind',
  Type.Union([Type.Literal('platform_instance'), Type.Literal('compute'), Type.Literal('storage'), Type.Literal('network'), Type.Literal('dns_zone'), Type.Literal('addon'), Type.Literal('service')]),
);


const Code = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,62}$', description: 'Lower-case letters, digits and dashes; unique' });
const Name = Type.String({ minLength: 1, maxLength: 200 });
const Description = Type.String({ maxLength: 5000 });
const Timestamp = Type.String({ format: 'date-time' });
const Currency = Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 code', examples: ['EUR'] });
/** A non-negative decimal in major units of a currency, as a string: exact, never a float. */
export const Amount = Type.String({ pattern: DECIMAL_PATTERN, maxLength: 30, description: 'Decimal string in major units, e.g. "12.50"' });
const Label = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,62}$' });

export const Visibility = named(
  'ProductVisibility',
  Type.Union(
    [
      StrictObject({ mode: Type.Literal('public') }),
      StrictObject({ mode: Type.Literal('tiers'), tiers: Type.Array(Label, { minItems: 1, maxItems: 20, uniqueItems: true }) }),
      StrictObject({ mode: Type.Literal('private'), tenantIds: Type.Array(Id('tenant'), { minItems: 1, maxItems: 1000, uniqueItems: true }) }),
    ],
    { description: 'Who sees the product: everyone, tenants of some subscription tiers, or the listed tenants only' },
  ),
);

const ProductFields = {
  code: Code,
  kind: ProductKind,
  name: Name,
  description: Description,
  category: Type.String({ minLength: 1, maxLength: 100 }),
  images: Type.Array(Type.String({ format: 'uri', maxLength: 2048 }), { maxItems: 10 }),
  visibility: Visibility,
  capacity: Type.Union([Type.Integer({ minimum: 0, maximum: 1_000_000_000 }), Type.Null()], {
    description: 'How many units can be sold in all (stock); null for unlimited (units are counted only while a capacity is set)',
  }),
};

export const CreateProductBody = named(
  'CreateProduct',
  StrictObject(
    {
      code: ProductFields.code,
      kind: ProductFields.kind,
      name: ProductFields.name,
      description: Type.Optional(ProductFields.description),
      category: ProductFields.category,
      images: Type.Optional(ProductFields.images),
      visibility: Type.Optional(ProductFields.visibility),
      capacity: Type.Optional(ProductFields.capacity),
    },
    { title: 'CreateProduct' },
  ),
);
export type CreateProductBody = Static<typeof CreateProductBody>;

export const UpdateProductBody = named(
  'UpdateProduct',
  StrictObject(
    {
      name: Type.Optional(ProductFields.name),
      description: Type.Optional(ProductFields.description),
      category: Type.Optional(ProductFields.category),
      images: Type.Optional(ProductFields.images),
      visibility: Type.Optional(ProductFields.visibility),
      capacity: Type.Optional(ProductFields.capacity),
    },
    { title: 'UpdateProduct', description: 'Presentation and who sees it; what is sold lives in versions' },
  ),
);
export type UpdateProductBody = Static<typeof UpdateProductBody>;

/** The cheapest way to buy a product's current version in one currency (product cards' "from" price). */
export const FromPrice = named(
  'FromPrice',
  Type.Object(
    {
      currency: Type.String(),
      amountMinor: Type.String({ description: 'Minor units, at the smallest orderable quantity' }),
      amount: Type.String({ description: 'amountMinor in major units' }),
      interval: Type.Union([Type.Literal('month'), Type.Literal('year'), Type.Literal('one_time')], { description: 'Per month or year; one_time only when no plan in this currency recurs' }),
      pricePlan: Type.String(),
      quantity: Type.Integer({ description: 'The quantity the amount is for (the version’s minimum)' }),
      setupFee: Type.Optional(Type.String({ description: 'That plan’s one-time setup fee in major units, if it has one (not included in amount)' })),
    },
    { title: 'FromPrice' },
  ),
);
export type FromPrice = Static<typeof FromPrice>;

export const Product = named(
  'Product',
  Type.Object(
    {
      id: Id('product'),
      ...ProductFields,
      capacityUsed: Type.Integer({ minimum: 0 }),
      archived: Type.Boolean(),
      /** The version customers order now: the newest published one. */
      currentVersion: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]),
      fromPrices: Type.Record(Type.String({ pattern: '^[A-Z]{3}$' }), FromPrice, {
        description: 'Per currency, the cheapest recurring price of the current published version with its interval (a one-time price only when nothing recurs); empty when nothing is published',
      }),
      createdAt: Timestamp,
      updatedAt: Timestamp,
    },
    { title: 'Product' },
  ),
);
export type Product = Static<typeof Product>;

// ---- pricing ----

const Tier = named(
  'PriceTier',
  StrictObject({
    upTo: Type.Union([Type.Integer({ minimum: 1, maximum: 1_000_000_000_000 }), Type.Null()], { description: 'Inclusive upper bound; null for the last tier' }),
    unitAmount: Amount,
    flatAmount: Type.Optional(Amount),
  }),
);

export const PriceModelSchema = named(
  'PriceModel',
  Type.Union(
    [
      StrictObject({ model: Type.Literal('flat'), amount: Amount }),
      StrictObject({ model: Type.Literal('per_unit'), unitAmount: Amount }),
      StrictObject({ model: Type.Literal('graduated'), tiers: Type.Array(Tier, { minItems: 1, maxItems: 50 }) }),
      StrictObject({ model: Type.Literal('volume'), tiers: Type.Array(Tier, { minItems: 1, maxItems: 50 }) }),
      StrictObject({ model: Type.Literal('package'), packageSize: Type.Integer({ minimum: 1, maximum: 1_000_000_000 }), packageAmount: Amount }),
    ],
    { description: 'flat | per_unit | graduated | volume | package' },
  ),
);

const PerCurrency = <T extends Parameters<typeof Type.Record>[1]>(value: T) =>
  Type.Record(Type.String({ pattern: '^[A-Z]{3}$' }), value, { description: 'Keyed by ISO 4217 currency; a currency without an entry cannot be ordered' });

export const UsageComponent = named(
  'UsageComponent',
  StrictObject({
    metricCode: Label,
    name: Name,
    prices: PerCurrency(PriceModelSchema),
  }),
);

export const PricePlan = named(
  'PricePlan',
  StrictObject(
    {
      code: Code,
      name: Name,
      interval: Type.Union([Type.Literal('month'), Type.Literal('year'), Type.Literal('one_time')]),
      trialDays: Type.Integer({ minimum: 0, maximum: 365 }),
      taxCategory: Label,
      setupFee: PerCurrency(Amount),
      prices: PerCurrency(PriceModelSchema),
      usage: Type.Array(UsageComponent, { maxItems: 20, description: 'Usage-based components, billed by metric code once metering is on' }),
    },
    { title: 'PricePlan' },
  ),
);
export type PricePlan = Static<typeof PricePlan>;

// ---- versions ----

const Availability = named(
  'ProductAvailability',
  StrictObject({
    regions: Type.Array(Label, { maxItems: 100, uniqueItems: true, description: 'Where it can be delivered; empty means anywhere' }),
    providers: Type.Array(Label, { maxItems: 50, uniqueItems: true, description: 'Which infrastructure providers can deliver it; empty means any' }),
    tenantTiers: Type.Array(Label, { maxItems: 20, uniqueItems: true, description: 'Tenant subscription tiers allowed to order; empty means all' }),
    minQuantity: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
    maxQuantity: Type.Union([Type.Integer({ minimum: 1, maximum: 1_000_000 }), Type.Null()]),
    prerequisites: Type.Array(Id('product'), { maxItems: 20, uniqueItems: true, description: 'The tenant must already have an active item of each' }),
  }),
);

const ParameterSource = named(
  'ProvisioningParameterSource',
  Type.Union([
    StrictObject({ configuration: Type.String({ pattern: '^(/[^/]+)+$', description: 'JSON pointer into the configuration' }) }),
    StrictObject({ value: Type.Union([Type.String({ maxLength: 1000 }), Type.Number(), Type.Boolean()]) }),
    StrictObject({ quantity: Type.Literal(true) }),
  ]),
);

export const ProvisioningBinding = named(
  'ProvisioningBinding',
  StrictObject(
    {
      capability: Type.String({ pattern: '^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+$', description: 'What fulfils the product, e.g. compute.server, dns.zone, platform.instance' }),
      parameters: Type.Record(Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_]{0,63}$' }), ParameterSource, {
        description: 'How the order maps to the provisioning request: each parameter from the configuration (a pointer), the quantity, or a literal',
      }),
    },
    { title: 'ProvisioningBinding' },
  ),
);

/** The tenant quotas (TenantDocument.quotas) one unit of the product counts against. */
export const QUOTA_NAME_PATTERN = '^(maxUsers|maxStorage|maxAPICallsPerMonth|maxComputeHours|custom\\.[A-Za-z][A-Za-z0-9_.-]{0,63})$';
export const QuotaConsumption = named(
  'QuotaConsumption',
  Type.Record(Type.String({ pattern: QUOTA_NAME_PATTERN }), Type.Integer({ minimum: 0, maximum: 1_000_000_000 }), {
    description: 'Per unit ordered: how much of each tenant quota it uses (maxStorage in GiB; custom.<name> for customLimits)',
  }),
);

/** What a version sells: everything an order pins. */
export const VersionContent = named(
  'VersionContent',
  StrictObject(
    {
      summary: Type.String({ maxLength: 500, description: 'What changed in this version (for operators)' }),
      configurationSchema: Type.Record(Type.String(), Type.Unknown(), { description: 'JSON Schema 2020-12 of the configuration the customer fills in; its root is an object' }),
      availability: Availability,
      provisioning: Type.Union([ProvisioningBinding, Type.Null()]),
      requiresApproval: Type.Boolean({ description: 'Orders of this version wait for an operator' }),
      quotaConsumption: QuotaConsumption,
      pricePlans: Type.Array(PricePlan, { minItems: 0, maxItems: 20 }),
    },
    { title: 'VersionContent' },
  ),
);
export type VersionContent = Static<typeof VersionContent>;

export const VersionContentPatch = named(
  'VersionContentPatch',
  StrictObject(
    {
      summary: Type.Optional(VersionContent.properties.summary),
      configurationSchema: Type.Optional(VersionContent.properties.configurationSchema),
      availability: Type.Optional(Availability),
      provisioning: Type.Optional(VersionContent.properties.provisioning),
      requiresApproval: Type.Optional(Type.Boolean()),
      quotaConsumption: Type.Optional(QuotaConsumption),
      pricePlans: Type.Optional(VersionContent.properties.pricePlans),
    },
    { title: 'VersionContentPatch', description: 'Replaces the given members of a draft' },
  ),
);
export type VersionContentPatch = Static<typeof VersionContentPatch>;

export const ProductVersion = named(
  'ProductVersion',
  Type.Object(
    {
      productId: Id('product'),
      version: Type.Integer({ minimum: 1 }),
      status: Type.Union([Type.Literal('draft'), Type.Literal('published'), Type.Literal('retired')], { description: 'draft → published (immutable) → retired' }),
      content: VersionContent,
      createdAt: Timestamp,
      publishedAt: Type.Union([Timestamp, Type.Null()]),
      retiredAt: Type.Union([Timestamp, Type.Null()]),
    },
    { title: 'ProductVersion' },
  ),
);
export type ProductVersion = Static<typeof ProductVersion>;

export const VersionDiff = named(
  'VersionDiff',
  Type.Object(
    {
      from: Type.Integer(),
      to: Type.Integer(),
      changes: Type.Array(
        Type.Object({
          op: Type.Union([Type.Literal('add'), Type.Literal('remove'), Type.Literal('replace')]),
          path: Type.String({ description: 'JSON pointer into the version content' }),
          before: Type.Optional(Type.Unknown()),
          after: Type.Optional(Type.Unknown()),
        }),
      ),
    },
    { title: 'VersionDiff' },
  ),
);

// ---- coupons ----

const CouponDiscount = named(
  'CouponDiscount',
  Type.Union([
    StrictObject({ type: Type.Literal('percent'), percentOff: Type.String({ pattern: '^(100(\\.0{1,4})?|[0-9]{1,2}(\\.[0-9]{1,4})?)$', description: 'e.g. "15" or "12.5"', examples: ['15'] }) }),
    StrictObject({ type: Type.Literal('amount'), amountOff: PerCurrency(Amount) }),
  ]),
);

const CouponDuration = named(
  'CouponDuration',
  Type.Union([
    StrictObject({ type: Type.Literal('once') }),
    StrictObject({ type: Type.Literal('repeating'), periods: Type.Integer({ minimum: 1, maximum: 120 }) }),
    StrictObject({ type: Type.Literal('forever') }),
  ]),
);

export const Coupon = named(
  'Coupon',
  Type.Object(
    {
      id: Id('coupon'),
      code: Type.String({ pattern: '^[A-Z0-9][A-Z0-9_-]{2,39}$', description: 'What customers type (upper case)' }),
      name: Name,
      discount: CouponDiscount,
      duration: CouponDuration,
      expiresAt: Type.Union([Timestamp, Type.Null()]),
      maxRedemptions: Type.Union([Type.Integer({ minimum: 1, maximum: 100_000_000 }), Type.Null()]),
      redemptions: Type.Integer({ minimum: 0 }),
      productIds: Type.Array(Id('product'), { maxItems: 200, uniqueItems: true, description: 'Restricted to these products; empty means any' }),
      archived: Type.Boolean(),
      createdAt: Timestamp,
    },
    { title: 'Coupon' },
  ),
);
export type Coupon = Static<typeof Coupon>;

export const CreateCouponBody = named(
  'CreateCoupon',
  StrictObject(
    {
      code: Coupon.properties.code,
      name: Name,
      discount: Coupon.properties.discount,
      duration: Coupon.properties.duration,
      expiresAt: Type.Optional(Coupon.properties.expiresAt),
      maxRedemptions: Type.Optional(Coupon.properties.maxRedemptions),
      productIds: Type.Optional(Coupon.properties.productIds),
    },
    { title: 'CreateCoupon' },
  ),
);
export type CreateCouponBody = Static<typeof CreateCouponBody>;

// ---- price preview ----

export const PreviewBody = named(
  'PricePreviewRequest',
  StrictObject(
    {
      productId: Id('product'),
      version: Type.Optional(Type.Integer({ minimum: 1, description: 'Defaults to the current published version' })),
      pricePlan: Code,
      currency: Currency,
      quantity: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
      configuration: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
      couponCode: Type.Optional(Coupon.properties.code),
      /** Expected usage per metric code, for an estimate of usage-based components. */
      estimatedUsage: Type.Optional(Type.Record(Label, Type.String({ pattern: DECIMAL_PATTERN }))),
    },
    { title: 'PricePreviewRequest' },
  ),
);
export type PreviewBody = Static<typeof PreviewBody>;

const Line = named(
  'PricePreviewLine',
  Type.Object({
    kind: Type.Union([Type.Literal('recurring'), Type.Literal('one_time'), Type.Literal('setup'), Type.Literal('usage'), Type.Literal('discount')]),
    description: Type.String(),
    quantity: Type.String(),
    /** Exact, unrounded amount (major units). */
    exactAmount: Type.String(),
    /** Rounded once, half-up, in minor units (integer as a string: money never travels as a float). */
    amountMinor: Type.String(),
    amount: Type.String({ description: 'amountMinor in major units, for display' }),
    pieces: Type.Optional(Type.Array(Type.Object({ tier: Type.Integer(), quantity: Type.String(), unitAmount: Type.String(), flatAmount: Type.String(), exact: Type.String() }))),
    metricCode: Type.Optional(Type.String()),
    /** On the plan's line and usage lines: the model the quantity was priced by, so a client can say what the quantity did. */
    priceModel: Type.Optional(PriceModelSchema),
  }),
);

export const PricePreview = named(
  'PricePreview',
  Type.Object(
    {
      productId: Type.String(),
      version: Type.Integer(),
      pricePlan: Type.String(),
      interval: Type.String(),
      currency: Type.String(),
      trialDays: Type.Integer(),
      taxCategory: Type.String(),
      lines: Type.Array(Line),
      /** Sum of the lines (discounts negative), minor units: one period's recurring amount plus the one-time amounts; for display use recurringMinor and oneTimeMinor. */
      totalMinor: Type.String({ description: 'All lines added up (one period plus the one-time amounts); not a per-interval price: show recurringMinor and oneTimeMinor apart' }),
      total: Type.String(),
      /** What the first invoice would charge now: setup and one-time lines, and the first period unless in trial. */
      dueNowMinor: Type.String(),
      dueNow: Type.String(),
      recurringMinor: Type.String({ description: 'What each interval costs (the plan’s price and usage estimates, less its share of a discount), minor units; 0 for a one-time plan. Never includes one-time amounts.' }),
      recurring: Type.String({ description: 'recurringMinor in major units' }),
      oneTimeMinor: Type.String({ description: 'What is charged once (a one-time plan’s price and the setup fee, less their share of a discount), minor units' }),
      oneTime: Type.String({ description: 'oneTimeMinor in major units' }),
      coupon: Type.Union([Type.Object({ code: Type.String(), duration: Type.String() }), Type.Null()]),
      rounding: Type.Literal('half-up, once per line, to the currency minor unit'),
    },
    { title: 'PricePreview' },
  ),
);
export type PricePreview = Static<typeof PricePreview>;

// ---- params and queries ----

export const ProductIdParams = StrictObject({ id: Id('product') });
export const VersionParams = StrictObject({ id: Id('product'), version: Type.Integer({ minimum: 1 }) });
export const CouponIdParams = StrictObject({ id: Id('coupon') });
export const DiffQuery = StrictObject({ from: Type.Integer({ minimum: 1 }), to: Type.Integer({ minimum: 1 }) });
export const ListProductsQuery = StrictObject({
  ...PageQuery,
  q: Type.Optional(Type.String({ maxLength: 200, description: 'Search in name, code and description' })),
  category: Type.Optional(Type.String({ maxLength: 100 })),
  kind: Type.Optional(ProductKind),
  includeArchived: Type.Optional(Type.Boolean({ description: 'Staff only' })),
});
export type ListProductsQuery = Static<typeof ListProductsQuery>;
export const ProductPage = Page(Product, 'ProductPage');
export const CouponPage = Page(Coupon, 'CouponPage');
export const NewVersionBody = named(
  'NewVersion',
  StrictObject(
    { copyFrom: Type.Optional(Type.Integer({ minimum: 1, description: 'Start from this version’s content (default: the newest version)' })) },
    { title: 'NewVersion' },
  ),
);
