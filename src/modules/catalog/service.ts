// Use cases of the catalog. Operators (platform staff) write it: products, versions that move
// draft → published → retired, coupons. Everyone signed in reads what is visible to their tenant and
// asks for price previews. Each use case runs through the kernel's pipeline (kernel/use-case.ts):
// its declared action is what its route declares and what is authorized, and every change is
// audited on the platform chain and published as its event, in the transaction that makes it.
import { RowCache } from '../../kernel/db/change-feed.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { Tx } from '../../kernel/db/database.js';
import { newId, isId } from '../../kernel/ids.js';
import { decodeCursor, encodeCursor, type Page } from '../../kernel/api/cursor.js';
import { isPlatformStaff, resourceName, PLATFORM } from '../../kernel/authz/authorize.js';
import type { EventContract } from '../../kernel/events.js';
import { defineUseCase, type UseCaseRun } from '../../kernel/use-case.js';
import type { RequestContext } from '../../kernel/context.js';
import { ConflictError, InvalidTransitionError, NotFoundError, OutOfStockError, UnprocessableError, type FieldError } from '../../kernel/errors.js';
import { isUniqueViolation } from '../../kernel/db/errors.js';
import { isCurrency } from '../../kernel/money.js';
import { CatalogRepository } from './repository.js';
import { ProductArchived, ProductCreated, ProductRestored, ProductUpdated, VersionCreated, VersionDeleted, VersionPublished, VersionRetired, VersionUpdated, type CatalogChangePayload } from './events.js';
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

/**
 * Who reads the catalog: staff read all of it; anyone else reads it as their active tenant (none:
 * they see nothing), under visibility, with the tenant's tier read before the transaction.
 */
type Reader = { staff: true } | { staff: false; tenantId: string | undefined; tier: string };

/** The resource a read is authorized on: the platform's for staff, else the reader's tenant's (no tenant: denied as the platform's). */
const readerResource = (reader: Reader, id: string) => resourceName(reader.staff ? PLATFORM : (reader.tenantId ?? PLATFORM), 'product', id);
const staffResource = (type: string, id: string) => resourceName(PLATFORM, type, id);
const versionTarget = (productId: string, version: number) => ({ type: 'product-version' as const, id: `${productId}@${version}` });

type VersionRef = { productId: string; version: number };

export class CatalogService {
  readonly #repository = new CatalogRepository();
  /**
   * Products with a version, as ordering and previews read them on every call; emptied on any change
   * to products or versions (taking stock aside: it never reads this cache).
   */
  readonly #orderable: RowCache<{ product: Product; version: ProductVersion | undefined }>;

  constructor(
    private readonly kernel: Pick<Kernel, 'clock' | 'changes' | 'useCases'>,
    private readonly tenants: TenantTiers,
  ) {
    this.#orderable = new RowCache(kernel.changes, ['catalog.products', 'catalog.product_versions'], kernel.clock);
  }

  readonly useCases = {
    createProduct: defineUseCase<CreateProductBody, Product>({
      name: 'catalog.create-product',
      access: { action: 'catalog:product.create' },
      resource: () => staffResource('product', '*'),
      run: async ({ tx, input, record }) => {
        const now = this.kernel.clock.now();
        const productId = newId('product');
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
        const target = { type: 'product' as const, id: productId };
        record({ target, after: product, event: { contract: ProductCreated, payload: { target } } });
        return product;
      },
    }),

    getProduct: defineUseCase<{ productId: string; reader: Reader }, Product>({
      name: 'catalog.get-product',
      access: { action: 'catalog:product.read' },
      resource: (input) => readerResource(input.reader, input.productId),
      run: async ({ tx, input: { productId, reader } }) => {
        const product = await this.#repository.findProduct(tx, productId);
        if (!product || !this.#readable(product, reader)) throw new NotFoundError('Product', productId);
        return product;
      },
    }),

    listProducts: defineUseCase<ListProductsQuery & { reader: Reader }, Page<Product>>({
      name: 'catalog.list-products',
      access: { action: 'catalog:product.list' },
      resource: (input) => readerResource(input.reader, '*'),
      run: async ({ tx, input: { reader, ...query } }) => {
        const viewer = this.#viewer(reader, '*');
        const limit = query.limit ?? 25;
        const beforeId = decodeCursor(query.cursor, isProductId);
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
      },
    }),

    updateProduct: defineUseCase<{ productId: string; patch: UpdateProductBody }, Product>({
      name: 'catalog.update-product',
      access: { action: 'catalog:product.update' },
      resource: (input) => staffResource('product', input.productId),
      run: ({ tx, input: { productId, patch }, record }) =>
        this.#changeProduct(tx, productId, record, ProductUpdated, async (current) => {
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
        }),
    }),

    archiveProduct: defineUseCase<{ productId: string }, Product>({
      name: 'catalog.archive-product',
      access: { action: 'catalog:product.archive' },
      resource: (input) => staffResource('product', input.productId),
      run: ({ tx, input: { productId }, record }) => this.#changeProduct(tx, productId, record, ProductArchived, () => this.#repository.updateProduct(tx, productId, { archived: true }, this.kernel.clock.now())),
    }),

    restoreProduct: defineUseCase<{ productId: string }, Product>({
      name: 'catalog.restore-product',
      access: { action: 'catalog:product.restore' },
      resource: (input) => staffResource('product', input.productId),
      run: ({ tx, input: { productId }, record }) => this.#changeProduct(tx, productId, record, ProductRestored, () => this.#repository.updateProduct(tx, productId, { archived: false }, this.kernel.clock.now())),
    }),

    listVersions: defineUseCase<{ productId: string; reader: Reader }, ProductVersion[]>({
      name: 'catalog.list-versions',
      access: { action: 'catalog:version.list' },
      resource: (input) => readerResource(input.reader, input.productId),
      run: async ({ tx, input: { productId, reader } }) => {
        const product = await this.#repository.findProduct(tx, productId);
        if (!product || !this.#readable(product, reader)) throw new NotFoundError('Product', productId);
        const versions = await this.#repository.listVersions(tx, productId);
        // Customers see what they can order or already have: never drafts.
        return reader.staff ? versions : versions.filter((version) => version.status !== 'draft');
      },
    }),

    getVersion: defineUseCase<VersionRef & { reader: Reader }, ProductVersion>({
      name: 'catalog.get-version',
      access: { action: 'catalog:version.read' },
      resource: (input) => readerResource(input.reader, input.productId),
      run: ({ tx, input: { productId, version, reader } }) => this.#readVersion(tx, reader, productId, version),
    }),

    diffVersions: defineUseCase<{ productId: string; from: number; to: number; reader: Reader }, { from: number; to: number; changes: Change[] }>({
      name: 'catalog.diff-versions',
      access: { action: 'catalog:version.read' },
      resource: (input) => readerResource(input.reader, input.productId),
      run: async ({ tx, input: { productId, from, to, reader } }) => {
        const before = await this.#readVersion(tx, reader, productId, from);
        const after = await this.#readVersion(tx, reader, productId, to);
        return { from, to, changes: diff(before.content, after.content) };
      },
    }),

    createVersion: defineUseCase<{ productId: string; copyFrom: number | undefined }, ProductVersion>({
      name: 'catalog.create-version',
      access: { action: 'catalog:version.create' },
      resource: (input) => staffResource('product', input.productId),
      run: async ({ tx, input: { productId, copyFrom }, record }) => {
        const product = await this.#repository.findProduct(tx, productId, { forUpdate: true });
        if (!product) throw new NotFoundError('Product', productId);
        const latest = await this.#repository.latestVersionNumber(tx, productId);
        const sourceNumber = copyFrom ?? latest;
        const source = sourceNumber > 0 ? await this.#repository.findVersion(tx, productId, sourceNumber) : undefined;
        if (copyFrom !== undefined && !source) throw new NotFoundError('Product version', `${productId}@${copyFrom}`);
        const content = source ? { ...source.content, summary: '' } : emptyContent();
        const created = await this.#repository.insertVersion(tx, productId, latest + 1, content, this.kernel.clock.now());
        const target = versionTarget(productId, created.version);
        record({ target, after: created, event: { contract: VersionCreated, payload: { target } } });
        return created;
      },
    }),

    updateDraft: defineUseCase<VersionRef & { patch: VersionContentPatch }, ProductVersion>({
      name: 'catalog.update-draft',
      access: { action: 'catalog:version.update' },
      resource: (input) => staffResource('product', input.productId),
      run: async ({ tx, input: { productId, version, patch }, record }) => {
        const current = await this.#lockVersion(tx, productId, version);
        if (current.status !== 'draft') throw new InvalidTransitionError('product version', current.status, 'edited (published versions are immutable: create a new version)');
        const content: VersionContent = { ...current.content, ...patch } as VersionContent;
        const updated = await this.#repository.replaceDraft(tx, productId, version, content);
        const target = versionTarget(productId, version);
        record({ target, before: current, after: updated, event: { contract: VersionUpdated, payload: { target } } });
        return updated;
      },
    }),

    deleteDraft: defineUseCase<VersionRef, void>({
      name: 'catalog.delete-draft',
      access: { action: 'catalog:version.delete' },
      resource: (input) => staffResource('product', input.productId),
      run: async ({ tx, input: { productId, version }, record }) => {
        const current = await this.#lockVersion(tx, productId, version);
        if (current.status !== 'draft') throw new InvalidTransitionError('product version', current.status, 'deleted (only drafts can be)');
        await this.#repository.deleteDraft(tx, productId, version);
        const target = versionTarget(productId, version);
        record({ target, before: current, event: { contract: VersionDeleted, payload: { target } } });
      },
    }),

    /** Publishes a draft: 422 listing every problem when its schema, prices or availability are unusable. */
    publish: defineUseCase<VersionRef, ProductVersion>({
      name: 'catalog.publish-version',
      access: { action: 'catalog:version.publish' },
      resource: (input) => staffResource('product', input.productId),
      run: async ({ tx, input: { productId, version }, record }) => {
        const current = await this.#lockVersion(tx, productId, version);
        if (current.status !== 'draft') throw new InvalidTransitionError('product version', current.status, 'published');
        const known = await this.#repository.productIdsExist(tx, current.content.availability.prerequisites);
        const problems = publicationProblems(current.content, known);
        if (problems.length > 0) throw new UnprocessableError(`Version ${version} cannot be published: ${problems.length} problem(s).`, problems);
        const published = await this.#repository.setVersionStatus(tx, productId, version, 'published', this.kernel.clock.now());
        const target = versionTarget(productId, version);
        record({ target, before: current, after: published, event: { contract: VersionPublished, payload: { target } } });
        return published;
      },
    }),

    /** Retires a published version: no new orders; what customers already have is untouched. */
    retire: defineUseCase<VersionRef, ProductVersion>({
      name: 'catalog.retire-version',
      access: { action: 'catalog:version.retire' },
      resource: (input) => staffResource('product', input.productId),
      run: async ({ tx, input: { productId, version }, record }) => {
        const current = await this.#lockVersion(tx, productId, version);
        if (current.status !== 'published') throw new InvalidTransitionError('product version', current.status, 'retired');
        const retired = await this.#repository.setVersionStatus(tx, productId, version, 'retired', this.kernel.clock.now());
        const target = versionTarget(productId, version);
        record({ target, before: current, after: retired, event: { contract: VersionRetired, payload: { target } } });
        return retired;
      },
    }),

    preview: defineUseCase<PreviewBody & { reader: Reader }, PricePreview>({
      name: 'catalog.preview-price',
      access: { action: 'catalog:price.read' },
      resource: (input) => readerResource(input.reader, input.productId),
      run: ({ tx, input: { reader, ...input } }) => this.#preview(tx, input, this.#viewer(reader, input.productId)),
    }),
  };

  // ---- products ----

  async createProduct(input: CreateProductBody, context: RequestContext): Promise<Product> {
    try {
      return await this.kernel.useCases.run(this.useCases.createProduct, context, input);
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictError(`Another product has the code ${input.code}.`, { errors: [{ pointer: '/code', message: 'is taken' }] });
      throw error;
    }
  }

  async getProduct(productId: string, context: RequestContext): Promise<Product> {
    return this.kernel.useCases.run(this.useCases.getProduct, context, { productId, reader: await this.#reader(context) });
  }

  async listProducts(query: ListProductsQuery, context: RequestContext): Promise<Page<Product>> {
    return this.kernel.useCases.run(this.useCases.listProducts, context, { ...query, reader: await this.#reader(context) });
  }

  async updateProduct(productId: string, patch: UpdateProductBody, context: RequestContext): Promise<Product> {
    return this.kernel.useCases.run(this.useCases.updateProduct, context, { productId, patch });
  }

  async setArchived(productId: string, archived: boolean, context: RequestContext): Promise<Product> {
    return this.kernel.useCases.run(archived ? this.useCases.archiveProduct : this.useCases.restoreProduct, context, { productId });
  }

  // ---- versions ----

  async listVersions(productId: string, context: RequestContext): Promise<ProductVersion[]> {
    return this.kernel.useCases.run(this.useCases.listVersions, context, { productId, reader: await this.#reader(context) });
  }

  async getVersion(productId: string, version: number, context: RequestContext): Promise<ProductVersion> {
    return this.kernel.useCases.run(this.useCases.getVersion, context, { productId, version, reader: await this.#reader(context) });
  }

  async createVersion(productId: string, copyFrom: number | undefined, context: RequestContext): Promise<ProductVersion> {
    return this.kernel.useCases.run(this.useCases.createVersion, context, { productId, copyFrom });
  }

  async updateDraft(productId: string, version: number, patch: VersionContentPatch, context: RequestContext): Promise<ProductVersion> {
    return this.kernel.useCases.run(this.useCases.updateDraft, context, { productId, version, patch });
  }

  async deleteDraft(productId: string, version: number, context: RequestContext): Promise<void> {
    await this.kernel.useCases.run(this.useCases.deleteDraft, context, { productId, version });
  }

  async publish(productId: string, version: number, context: RequestContext): Promise<ProductVersion> {
    return this.kernel.useCases.run(this.useCases.publish, context, { productId, version });
  }

  async retire(productId: string, version: number, context: RequestContext): Promise<ProductVersion> {
    return this.kernel.useCases.run(this.useCases.retire, context, { productId, version });
  }

  async diff(productId: string, from: number, to: number, context: RequestContext): Promise<{ from: number; to: number; changes: Change[] }> {
    return this.kernel.useCases.run(this.useCases.diffVersions, context, { productId, from, to, reader: await this.#reader(context) });
  }

  // ---- price previews ----

  async preview(input: PreviewBody, context: RequestContext): Promise<PricePreview> {
    return this.kernel.useCases.run(this.useCases.preview, context, { ...input, reader: await this.#reader(context) });
  }

  /** The caller as a reader of the catalog; their tenant's tier is read here, before any transaction holds a connection. */
  async #reader(context: RequestContext): Promise<Reader> {
    if (isPlatformStaff(context)) return { staff: true };
    const tenantId = context.principal?.tenantId ?? undefined;
    return { staff: false, tenantId, tier: tenantId ? ((await this.tenants.profileOf(tenantId))?.tier ?? '') : '' };
  }

  /** The tenant a (non-staff) reader sees the catalog as; undefined for staff. No active tenant, no catalog. */
  #viewer(reader: Reader, productId: string): { tenantId: string; tier: string } | undefined {
    if (reader.staff) return undefined;
    if (!reader.tenantId) throw new NotFoundError('Product', productId);
    return { tenantId: reader.tenantId, tier: reader.tier };
  }

  /** Whether the reader may see the product: staff see everything, a tenant what is visible to it. */
  #readable(product: Product, reader: Reader): boolean {
    const viewer = this.#viewer(reader, product.id);
    return viewer === undefined || this.#visible(product, viewer);
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

  async #changeProduct(tx: Tx, productId: string, record: UseCaseRun<unknown>['record'], contract: EventContract<CatalogChangePayload>, apply: (current: Product) => Promise<void>): Promise<Product> {
    const current = await this.#repository.findProduct(tx, productId, { forUpdate: true });
    if (!current) throw new NotFoundError('Product', productId);
    await apply(current);
    const after = (await this.#repository.findProduct(tx, productId))!;
    const target = { type: 'product' as const, id: productId };
    record({ target, before: current, after, event: { contract, payload: { target } } });
    return after;
  }

  async #readVersion(tx: Tx, reader: Reader, productId: string, version: number): Promise<ProductVersion> {
    const product = await this.#repository.findProduct(tx, productId);
    const found = product && this.#readable(product, reader) ? await this.#repository.findVersion(tx, productId, version) : undefined;
    if (!found || (!reader.staff && found.status === 'draft')) throw new NotFoundError('Product version', `${productId}@${version}`);
    return found;
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

  /** Staff may preview any version, drafts included (to check prices before publishing); a tenant what it may order. */
  async #preview(tx: Tx, input: PreviewBody, viewer: { tenantId: string; tier: string } | undefined): Promise<PricePreview> {
    let product: Product | undefined;
    let version: ProductVersion;
    if (viewer) {
      ({ product, version } = await this.orderableVersion(tx, input.productId, input.version, viewer));
    } else {
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
  }
}
