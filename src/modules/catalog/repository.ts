// All SQL of the catalog. Products, versions and coupons are platform-level rows (no tenant_id);
// the service decides who may read which.
import { sql, type Generated, type Insertable, type Selectable, type Updateable } from 'kysely';
import type { Tx } from '../../kernel/db/database.js';
import type { Coupon, PricePlan, Product, ProductVersion, VersionContent, VersionStatus } from './schemas.js';
import { fromPrices } from './from-price.js';

interface ProductRow {
  product_id: string;
  code: string;
  kind: Product['kind'];
  name: string;
  description: string;
  category: string;
  images: string[];
  visibility: Product['visibility'];
  capacity: number | null;
  capacity_used: Generated<number>;
  archived: Generated<boolean>;
  created_at: Date;
  updated_at: Date;
}

interface VersionRow {
  product_id: string;
  version: number;
  status: VersionStatus;
  content: VersionContent;
  created_at: Date;
  published_at: Date | null;
  retired_at: Date | null;
}

interface CouponRow {
  coupon_id: string;
  code: string;
  name: string;
  discount: Coupon['discount'];
  duration: Coupon['duration'];
  expires_at: Date | null;
  max_redemptions: number | null;
  redemptions: Generated<number>;
  product_ids: string[];
  archived: Generated<boolean>;
  created_at: Date;
}

declare module '../../kernel/db/tables.js' {
  interface Tables {
    'catalog.products': ProductRow;
    'catalog.product_versions': VersionRow;
    'catalog.coupons': CouponRow;
  }
}

const json = (value: unknown) => sql<never>`${JSON.stringify(value)}::jsonb`;
/** Version content is `json`, not `jsonb`: it keeps the operator's key order (the order of a schema's fields). */
const orderedJson = (value: unknown) => sql<never>`${JSON.stringify(value)}::json`;
const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** The part of the current version a product's "from" price needs. */
interface CurrentSale {
  pricePlans: PricePlan[];
  minQuantity: number;
}

function toProduct(row: Selectable<ProductRow> & { current_version: number | null; current_sale?: CurrentSale | null }): Product {
  return {
    id: row.product_id,
    code: row.code,
    kind: row.kind,
    name: row.name,
    description: row.description,
    category: row.category,
    images: row.images,
    visibility: row.visibility,
    capacity: row.capacity,
    capacityUsed: row.capacity_used,
    archived: row.archived,
    currentVersion: row.current_version,
    fromPrices: row.current_sale ? fromPrices(row.current_sale.pricePlans ?? [], row.current_sale.minQuantity ?? 1) : {},
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function toVersion(row: VersionRow): ProductVersion {
  return {
    productId: row.product_id,
    version: row.version,
    status: row.status,
    content: row.content,
    createdAt: row.created_at.toISOString(),
    publishedAt: row.published_at?.toISOString() ?? null,
    retiredAt: row.retired_at?.toISOString() ?? null,
  };
}

function toCoupon(row: Selectable<CouponRow>): Coupon {
  return {
    id: row.coupon_id,
    code: row.code,
    name: row.name,
    discount: row.discount,
    duration: row.duration,
    expiresAt: row.expires_at?.toISOString() ?? null,
    maxRedemptions: row.max_redemptions,
    redemptions: row.redemptions,
    productIds: row.product_ids,
    archived: row.archived,
    createdAt: row.created_at.toISOString(),
  };
}

export interface ProductFilter {
  search?: string;
  category?: string;
  kind?: string;
  includeArchived: boolean;
  /** Only products with a published version (what customers can order). */
  orderableOnly: boolean;
  /** Visibility for a tenant: its id and subscription tier; undefined for staff (everything). */
  visibleTo?: { tenantId: string; tier: string };
  beforeId?: string;
  limit: number;
}

export class CatalogRepository {
  #products(tx: Tx) {
    return tx
      .selectFrom('catalog.products as p')
      .selectAll('p')
      .select((eb) =>
        eb
          .selectFrom('catalog.product_versions as v')
          .select((v) => v.fn.max('v.version').as('version'))
          .whereRef('v.product_id', '=', 'p.product_id')
          .where('v.status', '=', 'published')
          .as('current_version'),
      )
      // What the "from" price is worked out of: the current version's plans and smallest quantity.
      .select(
        sql<CurrentSale | null>`(select json_build_object('pricePlans', v.content -> 'pricePlans', 'minQuantity', v.content -> 'availability' -> 'minQuantity')
          from catalog.product_versions v where v.product_id = p.product_id and v.status = 'published' order by v.version desc limit 1)`.as('current_sale'),
      );
  }

  async insertProduct(tx: Tx, row: Insertable<ProductRow> & Pick<ProductRow, 'images' | 'visibility'>): Promise<Product> {
    await tx
      .insertInto('catalog.products')
      .values({ ...row, images: json(row.images), visibility: json(row.visibility) })
      .execute();
    return (await this.findProduct(tx, row.product_id))!;
  }

  async findProduct(tx: Tx, productId: string, options: { forUpdate?: boolean } = {}): Promise<Product | undefined> {
    if (options.forUpdate) await tx.selectFrom('catalog.products').select('product_id').where('product_id', '=', productId).forUpdate().execute();
    const row = await this.#products(tx).where('p.product_id', '=', productId).executeTakeFirst();
    return row ? toProduct(row) : undefined;
  }

  async updateProduct(tx: Tx, productId: string, changes: Pick<Updateable<ProductRow>, 'name' | 'description' | 'category' | 'capacity' | 'archived'> & Partial<Pick<ProductRow, 'images' | 'visibility'>>, at: Date): Promise<void> {
    const { images, visibility, ...plain } = changes;
    await tx
      .updateTable('catalog.products')
      .set({ ...plain, ...(images ? { images: json(images) } : {}), ...(visibility ? { visibility: json(visibility) } : {}), updated_at: at })
      .where('product_id', '=', productId)
      .execute();
  }

  async listProducts(tx: Tx, filter: ProductFilter): Promise<Product[]> {
    let query = this.#products(tx);
    if (!filter.includeArchived) query = query.where('p.archived', '=', false);
    if (filter.category) query = query.where('p.category', '=', filter.category);
    if (filter.kind) query = query.where('p.kind', '=', filter.kind as ProductRow['kind']);
    if (filter.beforeId) query = query.where('p.product_id', '<', filter.beforeId);
    if (filter.search) {
      const pattern = `%${escapeLike(filter.search.toLowerCase())}%`;
      query = query.where((eb) => eb.or([eb(eb.fn('lower', ['p.name']), 'like', pattern), eb('p.code', 'like', pattern), eb(eb.fn('lower', ['p.description']), 'like', pattern)]));
    }
    if (filter.orderableOnly) {
      query = query.where((eb) => eb.exists(eb.selectFrom('catalog.product_versions as o').select('o.version').whereRef('o.product_id', '=', 'p.product_id').where('o.status', '=', 'published')));
    }
    if (filter.visibleTo) {
      const { tenantId, tier } = filter.visibleTo;
      query = query.where(
        sql<boolean>`(p.visibility ->> 'mode' = 'public'
          or (p.visibility ->> 'mode' = 'tiers' and p.visibility -> 'tiers' ? ${tier})
          or (p.visibility ->> 'mode' = 'private' and p.visibility -> 'tenantIds' ? ${tenantId}))`,
      );
    }
    const rows = await query.orderBy('p.product_id', 'desc').limit(filter.limit).execute();
    return rows.map(toProduct);
  }

  // ---- versions ----

  async insertVersion(tx: Tx, productId: string, version: number, content: VersionContent, at: Date): Promise<ProductVersion> {
    const row = await tx.insertInto('catalog.product_versions').values({ product_id: productId, version, status: 'draft', content: orderedJson(content), created_at: at, published_at: null, retired_at: null }).returningAll().executeTakeFirstOrThrow();
    return toVersion(row);
  }

  async findVersion(tx: Tx, productId: string, version: number, options: { forUpdate?: boolean } = {}): Promise<ProductVersion | undefined> {
    let query = tx.selectFrom('catalog.product_versions').selectAll().where('product_id', '=', productId).where('version', '=', version);
    if (options.forUpdate) query = query.forUpdate();
    const row = await query.executeTakeFirst();
    return row ? toVersion(row) : undefined;
  }

  /**
   * A product with one of its versions (the given number, or else the current published one), in one
   * query: what ordering and previews read on every call. The version is undefined when there is no
   * such version (or nothing published).
   */
  async findProductWithVersion(tx: Tx, productId: string, version: number | undefined): Promise<{ product: Product; version: ProductVersion | undefined } | undefined> {
    const row = await this.#products(tx)
      .leftJoin('catalog.product_versions as v', (join) =>
        join.onRef('v.product_id', '=', 'p.product_id').on((eb) =>
          version === undefined
            ? eb('v.version', '=', eb.selectFrom('catalog.product_versions as c').select((c) => c.fn.max('c.version').as('current')).whereRef('c.product_id', '=', 'p.product_id').where('c.status', '=', 'published'))
            : eb('v.version', '=', version),
        ),
      )
      .select(['v.version', 'v.status', 'v.content', 'v.created_at as version_created_at', 'v.published_at', 'v.retired_at'])
      .where('p.product_id', '=', productId)
      .executeTakeFirst();
    if (!row) return undefined;
    const product = toProduct(row);
    if (row.version === null || row.status === null || row.content === null || row.version_created_at === null) return { product, version: undefined };
    return { product, version: toVersion({ product_id: productId, version: row.version, status: row.status, content: row.content, created_at: row.version_created_at, published_at: row.published_at, retired_at: row.retired_at }) };
  }

  async latestVersionNumber(tx: Tx, productId: string): Promise<number> {
    const row = await tx.selectFrom('catalog.product_versions').select((eb) => eb.fn.max('version').as('latest')).where('product_id', '=', productId).executeTakeFirst();
    return row?.latest ?? 0;
  }

  async listVersions(tx: Tx, productId: string): Promise<ProductVersion[]> {
    const rows = await tx.selectFrom('catalog.product_versions').selectAll().where('product_id', '=', productId).orderBy('version', 'desc').execute();
    return rows.map(toVersion);
  }

  async replaceDraft(tx: Tx, productId: string, version: number, content: VersionContent): Promise<ProductVersion> {
    const row = await tx.updateTable('catalog.product_versions').set({ content: orderedJson(content) }).where('product_id', '=', productId).where('version', '=', version).where('status', '=', 'draft').returningAll().executeTakeFirstOrThrow();
    return toVersion(row);
  }

  async setVersionStatus(tx: Tx, productId: string, version: number, status: 'published' | 'retired', at: Date): Promise<ProductVersion> {
    const row = await tx
      .updateTable('catalog.product_versions')
      .set(status === 'published' ? { status, published_at: at } : { status, retired_at: at })
      .where('product_id', '=', productId)
      .where('version', '=', version)
      .returningAll()
      .executeTakeFirstOrThrow();
    return toVersion(row);
  }

  async deleteDraft(tx: Tx, productId: string, version: number): Promise<void> {
    await tx.deleteFrom('catalog.product_versions').where('product_id', '=', productId).where('version', '=', version).where('status', '=', 'draft').execute();
  }

  async productIdsExist(tx: Tx, productIds: string[]): Promise<Set<string>> {
    if (productIds.length === 0) return new Set();
    const rows = await tx.selectFrom('catalog.products').select('product_id').where('product_id', 'in', productIds).execute();
    return new Set(rows.map((row) => row.product_id));
  }

  /** Takes `quantity` units of the product's stock; false when that would exceed its capacity. */
  async takeCapacity(tx: Tx, productId: string, quantity: number): Promise<boolean> {
    const row = await tx
      .updateTable('catalog.products')
      .set({ capacity_used: sql<number>`capacity_used + ${quantity}` })
      .where('product_id', '=', productId)
      .where((eb) => eb.or([eb('capacity', 'is', null), eb(sql<number>`capacity_used + ${quantity}`, '<=', eb.ref('capacity'))]))
      .returning('product_id')
      .executeTakeFirst();
    return row !== undefined;
  }

  async returnCapacity(tx: Tx, productId: string, quantity: number): Promise<void> {
    await tx.updateTable('catalog.products').set({ capacity_used: sql<number>`greatest(capacity_used - ${quantity}, 0)` }).where('product_id', '=', productId).execute();
  }

  /** Counts one redemption; false when the coupon has none left. */
  async redeemCoupon(tx: Tx, couponId: string): Promise<boolean> {
    const row = await tx
      .updateTable('catalog.coupons')
      .set({ redemptions: sql<number>`redemptions + 1` })
      .where('coupon_id', '=', couponId)
      .where((eb) => eb.or([eb('max_redemptions', 'is', null), eb('redemptions', '<', eb.ref('max_redemptions'))]))
      .returning('coupon_id')
      .executeTakeFirst();
    return row !== undefined;
  }

  // ---- coupons ----

  async insertCoupon(tx: Tx, coupon: Insertable<CouponRow> & Pick<CouponRow, 'discount' | 'duration'>): Promise<Coupon> {
    const row = await tx
      .insertInto('catalog.coupons')
      .values({ ...coupon, discount: json(coupon.discount), duration: json(coupon.duration) })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toCoupon(row);
  }

  async findCoupon(tx: Tx, by: { id: string } | { code: string }): Promise<Coupon | undefined> {
    const query = tx.selectFrom('catalog.coupons').selectAll();
    const row = await ('id' in by ? query.where('coupon_id', '=', by.id) : query.where('code', '=', by.code)).executeTakeFirst();
    return row ? toCoupon(row) : undefined;
  }

  async listCoupons(tx: Tx, filter: { beforeId?: string; limit: number }): Promise<Coupon[]> {
    let query = tx.selectFrom('catalog.coupons').selectAll();
    if (filter.beforeId) query = query.where('coupon_id', '<', filter.beforeId);
    return (await query.orderBy('coupon_id', 'desc').limit(filter.limit).execute()).map(toCoupon);
  }

  async archiveCoupon(tx: Tx, couponId: string): Promise<Coupon | undefined> {
    const row = await tx.updateTable('catalog.coupons').set({ archived: true }).where('coupon_id', '=', couponId).returningAll().executeTakeFirst();
    return row ? toCoupon(row) : undefined;
  }
}
