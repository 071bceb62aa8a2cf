// Use cases of the catalog. Operators (platform staff) write it: products, versions that move
// draft → published → retired, coupons. Everyone signed in reads what is visible to their tenant and
// asks for price previews. Every change is authorised, audited on the platform chain and published
// as an event, in the transaction that makes it.
import { RowCache } from '../../kernel/db/change-feed.js';
import type { Kernel } from '../../kernel/kernel.js';
import { inTransaction, type Tx, type TxContext } from '../../kernel/db/database.js';
import { newId, isId } from '../../kernel/ids.js';
import { decodeCursor, encodeCursor, type Page } from '../../kernel/api/cursor.js';
import { authorize, isPlatformStaff, resourceName, PLATFORM, type Action } from '../../kernel/authz/authorize.js';
import type { RequestContext } from '../../kernel/context.js';
import { ConflictError, InvalidTransitionError, NotFoundError, OutOfStockError, UnprocessableError, type FieldError } from '../../kernel/errors.js';
import { isUniqueViolation } from '../../kernel/db/errors.js';
import { isCurrency } from '../../kernel/money.js';
import { CatalogRepository } from './repository.js';
import { recordCatalogChange } from './record.js';
import { checkConfigurationSchema, validateConfiguration } from './configuration.js';
import { checkPriceModel, type PriceModel } from './pricing.js';
import { diff, type Change } from './diff.js';
import { quote } from './quote.js';
import type {
  Coupon,
  CreateProductBody,
  ListProductsQuery,
  PreviewBody,
  PricePreview,
  Product,
  ProductVersion,
  UpdateProductBody,
  VersionContent,
  VersionContentPatch,
} from './schemas.js';
import type { TenantFacts } from '../tenants/index.js';

/** What the catalog reads of tenants: their profile's subscription tier (for visibility and availability). */
export type TenantTiers = Pick<TenantFacts, 'profileOf'>;

const isProductId = (value: unknown): value is string => typeof value === 'string' && isId('product', value);

/** A new product's first draft: sellable once an operator adds a price plan and publishes it. */
export function emptyContent(): VersionContent {
  return {
    summary: 'First version',
    configurationSchema: { type: 'object', properties: {}, additionalProperties: false },
    availability: { regions: [], providers: [], tenantTiers: [], minQuantity: 1, maxQuantity: null, prerequisites: [] },
    provisioning: null,
    requiresApproval: false,
    quotaConsumption: {},
    pricePlans: [],
  };
}

/** Problems that stop a version from being published, each with a pointer into its content. */
export function publicationProblems(content: VersionContent, knownProducts: Set<string>): FieldError[] {
  const problems: FieldError[] = [...checkConfigurationSchema(content)];
  if (content.pricePlans.length === 0) problems.push({ pointer: '/pricePlans', message: 'a version needs at least one price plan to be sold' });
  const codes = new Set<string>();
  content.pricePlans.forEach((plan, index) => {
    const at = `/pricePlans/${index}`;
    if (codes.has(plan.code)) problems.push({ pointer: `${at}/code`, message: `${plan.code} is used by another plan of this version` });
    codes.add(plan.code);
    if (Object.keys(plan.prices).length === 0) problems.push({ pointer: `${at}/prices`, message: 'needs a price in at least one currency' });
    const checkModels = (prices: Record<string, PriceModel>, base: string) => {
      for (const [currency, model] of Object.entries(prices)) {
        if (!isCurrency(currency)) problems.push({ pointer: `${base}/${currency}`, message: `${currency} is not an ISO 4217 currency` });
        for (const problem of checkPriceModel(model)) problems.push({ pointer: `${base}/${currency}${problem.pointer}`, message: problem.message });
      }
    };
    checkModels(plan.prices as Record<string, PriceModel>, `${at}/prices`);
    for (const currency of Object.keys(plan.setupFee)) {
      if (!(currency in plan.prices)) problems.push({ pointer: `${at}/setupFee/${currency}`, message: `has no matching price in ${currency}` });
    }
    const metrics = new Set<string>();
    plan.usage.forEach((component, usageIndex) => {
      if (metrics.has(component.metricCode)) problems.push({ pointer: `${at}/usage/${usageIndex}/metricCode`, message: 'appears twice in this plan' });
      metrics.add(component.metricCode);
      checkModels(component.prices as Record<string, PriceModel>, `${at}/usage/${usageIndex}/prices`);
    });
    if (plan.interval === 'one_time' && plan.trialDays > 0) problems.push({ pointer: `${at}/trialDays`, message: 'a one-time plan has no trial' });
  });
  const { minQuantity, maxQuantity, prerequisites } = content.availability;
  if (maxQuantity !== null && maxQuantity < minQuantity) problems.push({ pointer: '/availability/maxQuantity', message: `must be at least minQuantity (${minQuantity})` });
  prerequisites.forEach((productId, index) => {
    if (!knownProducts.has(productId)) problems.push({ pointer: `/availability/prerequisites/${index}`, message: `${productId} is not a product` });
  });
  return problems;
}

export class CatalogService {
  readonly #repository = new CatalogRepository();
  /**
   * Products with a version, as ordering and previews read them on every call; emptied on any change
   * to products or versions (taking stock aside: it never reads this cache).
   */
  readonly #orderable: RowCache<{ product: Product; version: ProductVersion | undefined }>;

  constructor(
    private readonly kernel: Kernel,
    private readonly tenants: TenantTiers,
  ) {
    this.#orderable = new RowCache(kernel.changes, ['catalog.products', 'catalog.product_versions'], kernel.clock);
  }

  #tx(context: RequestContext): TxContext {
    return { scope: isPlatformStaff(context) ? { kind: 'platform' } : { kind: 'none' }, actorId: context.principal?.userId ?? 'anonymous' };
  }

  #authorizeStaff(context: RequestContext, action: Action, type: string, id: string): void {
    authorize(context, action, resourceName(PLATFORM, type, id));
  }

  /** Staff read the whole catalog; anyone else reads it as their active tenant, under visibility. */
  async #readerView(context: RequestContext, action: Action, id: string): Promise<{ tenantId: string; tier: string } | undefined> {
    if (isPlatformStaff(context)) {
      authorize(context, action, resourceName(PLATFORM, 'product', id));
      return undefined;
    }
    const tenantId = context.principal?.tenantId;
    // No active tenant, no catalog: deny through the engine so the answer is the usual 401/403.
    authorize(context, action, resourceName(tenantId ?? PLATFORM, 'product', id));
    if (!tenantId) throw new NotFoundError('Product', id);
    return { tenantId, tier: (await this.tenants.profileOf(tenantId))?.tier ?? '' };
  }

  // ---- products ----

  async createProduct(input: CreateProductBody, context: RequestContext): Promise<Product> {
    this.#authorizeStaff(context, 'catalog:product.create', 'product', '*');
    const now = this.kernel.clock.now();
    const productId = newId('product');
    try {
      return await inTransaction(this.kernel.db, this.#tx(context), async (tx) => {
        const product = await this.#repository.insertProduct(tx, {
          product_id: productId,
          code: input.code,
          kind: input.kind,
          name: input.name.trim(),
          description: input.description ?? '',
          category: input.category.trim(),
          images: input.images ?? [],
          visibility: input.visibility ?? { mode: 'public' },
          capacity: input.capacity ?? null,
          created_at: now,
          updated_at: now,
        });
        await this.#repository.insertVersion(tx, productId, 1, emptyContent(), now);
        await recordCatalogChange(this.kernel, tx, context, 'product.created', { type: 'product', id: productId }, undefined, product);
        return product;
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictError(`Another product has the code ${input.code}.`, { errors: [{ pointer: '/code', message: 'is taken' }] });
      throw error;
    }
  }

  async getProduct(productId: string, context: RequestContext): Promise<Product> {
    const viewer = await this.#readerView(context, 'catalog:product.read', productId);
    return inTransaction(this.kernel.db, this.#tx(context), async (tx) => {
      const product = await this.#repository.findProduct(tx, productId);
      if (!product || (viewer && !this.#visible(product, viewer))) throw new NotFoundError('Product', productId);
      return product;
    });
  }

  /** Whether the tenant sees the product in the catalog (listed, not archived, with something to order). */
  #visible(product: Product, viewer: { tenantId: string; tier: string }): boolean {
    if (product.archived || product.currentVersion === null) return false;
    return this.#visibleTo(product, viewer);
  }

  /** Whether the product's visibility rule includes the tenant, whatever state its versions are in. */
  #visibleTo(product: Product, viewer: { tenantId: string; tier: string }): boolean {
    const visibility = product.visibility;
    if (visibility.mode === 'public') return true;
    if (visibility.mode === 'tiers') return visibility.tiers.includes(viewer.tier);
    return visibility.tenantIds.includes(viewer.tenantId);
  }

  async listProducts(query: ListProductsQuery, context: RequestContext): Promise<Page<Product>> {
    const viewer = await this.#readerView(context, 'catalog:product.list', '*');
    const limit = query.limit ?? 25;
    const beforeId = decodeCursor(query.cursor, isProductId);
    return inTransaction(this.kernel.db, this.#tx(context), async (tx) => {
      const rows = await this.#repository.listProducts(tx, {
        search: query.q,
        category: query.category,
        kind: query.kind,
        includeArchived: viewer === undefined && query.includeArchived === true,
        orderableOnly: viewer !== undefined,
        visibleTo: viewer,
        beforeId,
        limit: limit + 1,
      });
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return { data: page, nextCursor: rows.length > limit && last ? encodeCursor(last.id) : null };
    });
  }

  async updateProduct(productId: string, patch: UpdateProductBody, context: RequestContext): Promise<Product> {
    return this.#changeProduct(productId, 'catalog:product.update', 'product.updated', context, async (tx, current) => {
      if (patch.capacity !== undefined && patch.capacity !== null && patch.capacity < current.capacityUsed) {
        throw new ConflictError(`${current.capacityUsed} units are already sold; the capacity cannot go below that.`, { errors: [{ pointer: '/capacity', message: `must be at least ${current.capacityUsed}` }] });
      }
      await this.#repository.updateProduct(
        tx,
        productId,
        {
          ...(patch.name !== undefined ? { name: patch.name.trim() } : {}),
          ...(patch.description !== undefined ? { description: patch.description } : {}),
          ...(patch.category !== undefined ? { category: patch.category.trim() } : {}),
          ...(patch.images !== undefined ? { images: patch.images } : {}),
          ...(patch.visibility !== undefined ? { visibility: patch.visibility } : {}),
          ...(patch.capacity !== undefined ? { capacity: patch.capacity } : {}),
        },
        this.kernel.clock.now(),
      );
    });
  }

  async setArchived(productId: string, archived: boolean, context: RequestContext): Promise<Product> {
    return this.#changeProduct(productId, archived ? 'catalog:product.archive' : 'catalog:product.restore', archived ? 'product.archived' : 'product.restored', context, async (tx) => {
      await this.#repository.updateProduct(tx, productId, { archived }, this.kernel.clock.now());
    });
  }

  async #changeProduct(productId: string, action: Action, eventType: string, context: RequestContext, apply: (tx: Tx, current: Product) => Promise<void>): Promise<Product> {
    this.#authorizeStaff(context, action, 'product', productId);
    return inTransaction(this.kernel.db, this.#tx(context), async (tx) => {
      const current = await this.#repository.findProduct(tx, productId, { forUpdate: true });
      if (!current) throw new NotFoundError('Product', productId);
      await apply(tx, current);
      const after = (await this.#repository.findProduct(tx, productId))!;
      await recordCatalogChange(this.kernel, tx, context, eventType, { type: 'product', id: productId }, current, after);
      return after;
    });
  }

  // ---- versions ----

  async listVersions(productId: string, context: RequestContext): Promise<ProductVersion[]> {
    const viewer = await this.#readerView(context, 'catalog:version.list', productId);
    return inTransaction(this.kernel.db, this.#tx(context), async (tx) => {
      const product = await this.#repository.findProduct(tx, productId);
      if (!product || (viewer && !this.#visible(product, viewer))) throw new NotFoundError('Product', productId);
      const versions = await this.#repository.listVersions(tx, productId);
      // Customers see what they can order or already have: never drafts.
      return viewer ? versions.filter((version) => version.status !== 'draft') : versions;
    });
  }

  async getVersion(productId: string, version: number, context: RequestContext): Promise<ProductVersion> {
    const viewer = await this.#readerView(context, 'catalog:version.read', productId);
    return inTransaction(this.kernel.db, this.#tx(context), async (tx) => {
      const product = await this.#repository.findProduct(tx, productId);
      const found = product && (!viewer || this.#visible(product, viewer)) ? await this.#repository.findVersion(tx, productId, version) : undefined;
      if (!found || (viewer && found.status === 'draft')) throw new NotFoundError('Product version', `${productId}@${version}`);
      return found;
    });
  }

  async createVersion(productId: string, copyFrom: number | undefined, context: RequestContext): Promise<ProductVersion> {
    this.#authorizeStaff(context, 'catalog:version.create', 'product', productId);
    return inTransaction(this.kernel.db, this.#tx(context), async (tx) => {
      const product = await this.#repository.findProduct(tx, productId, { forUpdate: true });
      if (!product) throw new NotFoundError('Product', productId);
      const latest = await this.#repository.latestVersionNumber(tx, productId);
      const sourceNumber = copyFrom ?? latest;
      const source = sourceNumber > 0 ? await this.#repository.findVersion(tx, productId, sourceNumber) : undefined;
      if (copyFrom !== undefined && !source) throw new NotFoundError('Product version', `${productId}@${copyFrom}`);
      const content = source ? { ...source.content, summary: '' } : emptyContent();
      const created = await this.#repository.insertVersion(tx, productId, latest + 1, content, this.kernel.clock.now());
      await recordCatalogChange(this.kernel, tx, context, 'product.version_created', { type: 'product-version', id: `${productId}@${created.version}` }, undefined, created);
      return created;
    });
  }

  async updateDraft(productId: string, version: number, patch: VersionContentPatch, context: RequestContext): Promise<ProductVersion> {
    this.#authorizeStaff(context, 'catalog:version.update', 'product', productId);
    return inTransaction(this.kernel.db, this.#tx(context), async (tx) => {
      const current = await this.#lockVersion(tx, productId, version);
      if (current.status !== 'draft') throw new InvalidTransitionError('product version', current.status, 'edited (published versions are immutable: create a new version)');
      const content: VersionContent = { ...current.content, ...patch } as VersionContent;
      const updated = await this.#repository.replaceDraft(tx, productId, version, content);
      await recordCatalogChange(this.kernel, tx, context, 'product.version_updated', { type: 'product-version', id: `${productId}@${version}` }, current, updated);
      return updated;
    });
  }

  async deleteDraft(productId: string, version: number, context: RequestContext): Promise<void> {
    this.#authorizeStaff(context, 'catalog:version.delete', 'product', productId);
    await inTransaction(this.kernel.db, this.#tx(context), async (tx) => {
      const current = await this.#lockVersion(tx, productId, version);
      if (current.status !== 'draft') throw new InvalidTransitionError('product version', current.status, 'deleted (only drafts can be)');
      await this.#repository.deleteDraft(tx, productId, version);
      await recordCatalogChange(this.kernel, tx, context, 'product.version_deleted', { type: 'product-version', id: `${productId}@${version}` }, current, undefined);
    });
  }

  /** Publishes a draft: 422 listing every problem when its schema, prices or availability are unusable. */
  async publish(productId: string, version: number, context: RequestContext): Promise<ProductVersion> {
    this.#authorizeStaff(context, 'catalog:version.publish', 'product', productId);
    return inTransaction(this.kernel.db, this.#tx(context), async (tx) => {
      const current = await this.#lockVersion(tx, productId, version);
      if (current.status !== 'draft') throw new InvalidTransitionError('product version', current.status, 'published');
      const known = await this.#repository.productIdsExist(tx, current.content.availability.prerequisites);
      const problems = publicationProblems(current.content, known);
      if (problems.length > 0) throw new UnprocessableError(`Version ${version} cannot be published: ${problems.length} problem(s).`, problems);
      const published = await this.#repository.setVersionStatus(tx, productId, version, 'published', this.kernel.clock.now());
      await recordCatalogChange(this.kernel, tx, context, 'product.version_published', { type: 'product-version', id: `${productId}@${version}` }, current, published);
      return published;
    });
  }

  /** Retires a published version: no new orders; what customers already have is untouched. */
  async retire(productId: string, version: number, context: RequestContext): Promise<ProductVersion> {
    this.#authorizeStaff(context, 'catalog:version.retire', 'product', productId);
    return inTransaction(this.kernel.db, this.#tx(context), async (tx) => {
      const current = await this.#lockVersion(tx, productId, version);
      if (current.status !== 'published') throw new InvalidTransitionError('product version', current.status, 'retired');
      const retired = await this.#repository.setVersionStatus(tx, productId, version, 'retired', this.kernel.clock.now());
      await recordCatalogChange(this.kernel, tx, context, 'product.version_retired', { type: 'product-version', id: `${productId}@${version}` }, current, retired);
      return retired;
    });
  }

  async diff(productId: string, from: number, to: number, context: RequestContext): Promise<{ from: number; to: number; changes: Change[] }> {
    const [before, after] = await Promise.all([this.getVersion(productId, from, context), this.getVersion(productId, to, context)]);
    return { from, to, changes: diff(before.content, after.content) };
  }

  async #lockVersion(tx: Tx, productId: string, version: number): Promise<ProductVersion> {
    const found = await this.#repository.findVersion(tx, productId, version, { forUpdate: true });
    if (!found) throw new NotFoundError('Product version', `${productId}@${version}`);
    return found;
  }

  // ---- the contract orders use ----

  /**
   * The version an order may pin: it must exist, be visible to the tenant and be published (409
   * otherwise: a draft or retired version cannot be ordered).
   */
  async orderableVersion(tx: Tx, productId: string, version: number | undefined, viewer: { tenantId: string; tier: string }): Promise<{ product: Product; version: ProductVersion }> {
    const read = await this.#orderable.get(`${productId}@${version ?? 'current'}`, () => this.#repository.findProductWithVersion(tx, productId, version));
    // A product the tenant may see but that has nothing published (any more) is a 409 below, not a 404.
    if (!read || !this.#visibleTo(read.product, viewer)) throw new NotFoundError('Product', productId);
    const { product, version: found } = read;
    if (product.archived) throw new ConflictError(`${product.name} is no longer sold.`, { currentStatus: 'archived' });
    const number = version ?? product.currentVersion;
    if (number === null) throw new ConflictError(`${product.name} has no published version to order.`, { currentStatus: 'unpublished' });
    if (!found) throw new NotFoundError('Product version', `${productId}@${number}`);
    if (found.status !== 'published') {
      throw new ConflictError(`Version ${number} of ${product.name} is ${found.status} and cannot be ordered.`, { currentStatus: found.status, errors: [{ pointer: '/version', message: `is ${found.status}` }] });
    }
    return { product, version: found };
  }

  /**
   * A version an order pinned, whatever its status now: a live item keeps its version after it is
   * retired, and what it was sold under (its quota consumption, say) stays readable for it.
   */
  async pinnedVersion(tx: Tx, productId: string, version: number): Promise<ProductVersion> {
    const found = await this.#repository.findVersion(tx, productId, version);
    if (!found) throw new NotFoundError('Product version', `${productId}@${version}`);
    return found;
  }

  /** The viewer a tenant orders as: its id and subscription tier. */
  async viewerOf(tenantId: string): Promise<{ tenantId: string; tier: string }> {
    return { tenantId, tier: (await this.tenants.profileOf(tenantId))?.tier ?? '' };
  }

  /** Takes stock for an order inside its transaction: 409 PLAT_OUT_OF_STOCK when there is not enough. */
  async takeCapacity(tx: Tx, product: Product, quantity: number): Promise<void> {
    if (!(await this.#repository.takeCapacity(tx, product.id, quantity))) {
      // The product at hand may come from the cache, whose capacityUsed is not kept current: read it.
      const current = (await this.#repository.findProduct(tx, product.id)) ?? product;
      const left = current.capacity === null ? null : Math.max(current.capacity - current.capacityUsed, 0);
      throw new OutOfStockError(`${product.name} has ${left ?? 0} unit(s) left; ${quantity} requested.`, { productId: product.id, available: left, requested: quantity });
    }
  }

  async returnCapacity(tx: Tx, productId: string, quantity: number): Promise<void> {
    await this.#repository.returnCapacity(tx, productId, quantity);
  }

  /** The coupon an order names, checked for this item; 422 when it cannot apply. */
  async couponFor(tx: Tx, code: string): Promise<Coupon> {
    const coupon = await this.#repository.findCoupon(tx, { code });
    if (!coupon) throw new UnprocessableError(`There is no coupon ${code}.`, [{ pointer: '/couponCode', message: 'is not a coupon' }]);
    return coupon;
  }

  /** Counts a redemption when an order using the coupon is submitted; 422 if none are left. */
  async redeemCoupon(tx: Tx, coupon: Coupon): Promise<void> {
    if (!(await this.#repository.redeemCoupon(tx, coupon.id))) {
      throw new UnprocessableError(`The coupon ${coupon.code} has been redeemed as often as it may be.`, [{ pointer: '/couponCode', message: 'has no redemptions left' }]);
    }
  }

  // ---- price previews ----

  async preview(input: PreviewBody, context: RequestContext): Promise<PricePreview> {
    const viewer = await this.#readerView(context, 'catalog:price.read', input.productId);
    return inTransaction(this.kernel.db, this.#tx(context), async (tx) => {
      let product: Product | undefined;
      let version: ProductVersion;
      if (viewer) {
        ({ product, version } = await this.orderableVersion(tx, input.productId, input.version, viewer));
      } else {
        // Staff may preview any version, drafts included, to check prices before publishing.
        product = await this.#repository.findProduct(tx, input.productId);
        if (!product) throw new NotFoundError('Product', input.productId);
        const number = input.version ?? product.currentVersion ?? (await this.#repository.latestVersionNumber(tx, input.productId));
        const found = await this.#repository.findVersion(tx, input.productId, number);
        if (!found) throw new NotFoundError('Product version', `${input.productId}@${number}`);
        version = found;
      }
      if (input.configuration !== undefined) {
        const checked = validateConfiguration(`${product.id}@${version.version}:${version.status}`, version.content.configurationSchema, input.configuration);
        if (!checked.ok) throw new UnprocessableError(`The configuration does not match the schema of version ${version.version}.`, checked.errors.map((e) => ({ ...e, pointer: `/configuration${e.pointer === '/' ? '' : e.pointer}` })));
      }
      const coupon = input.couponCode ? await this.#repository.findCoupon(tx, { code: input.couponCode }) : null;
      if (input.couponCode && !coupon) throw new UnprocessableError(`There is no coupon ${input.couponCode}.`, [{ pointer: '/couponCode', message: 'is not a coupon' }]);
      return quote({
        productId: product.id,
        version: version.version,
        content: version.content,
        pricePlan: input.pricePlan,
        currency: input.currency,
        quantity: input.quantity,
        coupon,
        estimatedUsage: input.estimatedUsage,
        now: this.kernel.clock.now(),
      });
    });
  }

}
