// The catalog as callers reach it: each method runs one of its use cases (use-cases.ts) through the
// kernel's pipeline, with the caller read as a catalog reader (their tenant's tier looked up before
// any transaction holds a connection). Also the reads orders rely on inside their own transaction:
// the version an order may pin (cached), stock, coupons.
import { RowCache } from '../../kernel/db/change-feed.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { Tx } from '../../kernel/db/database.js';
import type { Page } from '../../kernel/api/cursor.js';
import { isPlatformStaff } from '../../kernel/authz/authorize.js';
import type { RequestContext } from '../../kernel/context.js';
import { ConflictError, NotFoundError, OutOfStockError, UnprocessableError } from '../../kernel/errors.js';
import { isUniqueViolation } from '../../kernel/db/errors.js';
import { CatalogRepository } from './repository.js';
import type { Change } from './diff.js';
import { catalogUseCases, type CatalogUseCases } from './use-cases.js';
import { visibleTo, type Reader } from './visibility.js';
import type { Coupon, CreateProductBody, ListProductsQuery, PreviewBody, PricePreview, Product, ProductVersion, UpdateProductBody, VersionContentPatch } from './schemas.js';
import type { TenantFacts } from '../tenants/index.js';

/** What the catalog reads of tenants: their profile's subscription tier (for visibility and availability). */
export type TenantTiers = Pick<TenantFacts, 'profileOf'>;

export class CatalogService {
  readonly #repository = new CatalogRepository();
  /**
   * Products with a version, as ordering and previews read them on every call; emptied on any change
   * to products or versions (taking stock aside: it never reads this cache).
   */
  readonly #orderable: RowCache<{ product: Product; version: ProductVersion | undefined }>;
  readonly useCases: CatalogUseCases;

  constructor(
    private readonly kernel: Pick<Kernel, 'clock' | 'changes' | 'useCases'>,
    private readonly tenants: TenantTiers,
  ) {
    this.#orderable = new RowCache(kernel.changes, ['catalog.products', 'catalog.product_versions'], kernel.clock);
    this.useCases = catalogUseCases({ kernel, repository: this.#repository, orderableVersion: (tx, productId, version, viewer) => this.orderableVersion(tx, productId, version, viewer) });
  }

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

  // ---- the contract orders use ----

  /**
   * The version an order may pin: it must exist, be visible to the tenant and be published (409
   * otherwise: a draft or retired version cannot be ordered).
   */
  async orderableVersion(tx: Tx, productId: string, version: number | undefined, viewer: { tenantId: string; tier: string }): Promise<{ product: Product; version: ProductVersion }> {
    const read = await this.#orderable.get(`${productId}@${version ?? 'current'}`, () => this.#repository.findProductWithVersion(tx, productId, version));
    // A product the tenant may see but that has nothing published (any more) is a 409 below, not a 404.
    if (!read || !visibleTo(read.product, viewer)) throw new NotFoundError('Product', productId);
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
}
