// Coupons, managed by platform staff: percent or amount off, once / repeating / forever, expiry,
// a redemption limit, optionally limited to products. Orders apply them through CatalogService
// (couponFor, redeemCoupon); previews and quotes price them (quote.ts).
import type { Kernel } from '../../kernel/kernel.js';
import { inTransaction, type TxContext } from '../../kernel/db/database.js';
import { newId, isId } from '../../kernel/ids.js';
import { decodeCursor, encodeCursor, type Page } from '../../kernel/api/cursor.js';
import { authorize, isPlatformStaff, resourceName, PLATFORM, type Action } from '../../kernel/authz/authorize.js';
import type { RequestContext } from '../../kernel/context.js';
import { ConflictError, NotFoundError, UnprocessableError } from '../../kernel/errors.js';
import { isUniqueViolation } from '../../kernel/db/errors.js';
import { isCurrency } from '../../kernel/money.js';
import { CatalogRepository } from './repository.js';
import { recordCatalogChange } from './record.js';
import type { Coupon, CreateCouponBody } from './schemas.js';

const isCouponId = (value: unknown): value is string => typeof value === 'string' && isId('coupon', value);

export class CouponAdmin {
  readonly #repository = new CatalogRepository();

  constructor(private readonly kernel: Kernel) {}

  #tx(context: RequestContext): TxContext {
    return { scope: isPlatformStaff(context) ? { kind: 'platform' } : { kind: 'none' }, actorId: context.principal?.userId ?? 'anonymous' };
  }

  #authorizeStaff(context: RequestContext, action: Action, id: string): void {
    authorize(context, action, resourceName(PLATFORM, 'coupon', id));
  }

  async createCoupon(input: CreateCouponBody, context: RequestContext): Promise<Coupon> {
    this.#authorizeStaff(context, 'catalog:coupon.create', '*');
    if (input.discount.type === 'amount') {
      const problems = Object.keys(input.discount.amountOff)
        .filter((currency) => !isCurrency(currency))
        .map((currency) => ({ pointer: `/discount/amountOff/${currency}`, message: `${currency} is not an ISO 4217 currency` }));
      if (Object.keys(input.discount.amountOff).length === 0) problems.push({ pointer: '/discount/amountOff', message: 'needs an amount in at least one currency' });
      if (problems.length > 0) throw new UnprocessableError('The coupon’s amounts are not usable.', problems);
    }
    try {
      return await inTransaction(this.kernel.db, this.#tx(context), async (tx) => {
        const productIds = input.productIds ?? [];
        const known = await this.#repository.productIdsExist(tx, productIds);
        const unknown = productIds.map((id, index) => ({ id, index })).filter(({ id }) => !known.has(id));
        if (unknown.length > 0) throw new UnprocessableError('Some products do not exist.', unknown.map(({ index, id }) => ({ pointer: `/productIds/${index}`, message: `${id} is not a product` })));
        const coupon = await this.#repository.insertCoupon(tx, {
          coupon_id: newId('coupon'),
          code: input.code,
          name: input.name.trim(),
          discount: input.discount,
          duration: input.duration,
          expires_at: input.expiresAt ? new Date(input.expiresAt) : null,
          max_redemptions: input.maxRedemptions ?? null,
          product_ids: productIds,
          created_at: this.kernel.clock.now(),
        });
        await recordCatalogChange(this.kernel, tx, context, 'coupon.created', { type: 'coupon', id: coupon.id }, undefined, coupon);
        return coupon;
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictError(`Another coupon has the code ${input.code}.`, { errors: [{ pointer: '/code', message: 'is taken' }] });
      throw error;
    }
  }

  async listCoupons(query: { limit?: number; cursor?: string }, context: RequestContext): Promise<Page<Coupon>> {
    this.#authorizeStaff(context, 'catalog:coupon.list', '*');
    const limit = query.limit ?? 25;
    const beforeId = decodeCursor(query.cursor, isCouponId);
    return inTransaction(this.kernel.db, this.#tx(context), async (tx) => {
      const rows = await this.#repository.listCoupons(tx, { beforeId, limit: limit + 1 });
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return { data: page, nextCursor: rows.length > limit && last ? encodeCursor(last.id) : null };
    });
  }

  async getCoupon(couponId: string, context: RequestContext): Promise<Coupon> {
    this.#authorizeStaff(context, 'catalog:coupon.read', couponId);
    return inTransaction(this.kernel.db, this.#tx(context), async (tx) => {
      const coupon = await this.#repository.findCoupon(tx, { id: couponId });
      if (!coupon) throw new NotFoundError('Coupon', couponId);
      return coupon;
    });
  }

  async archiveCoupon(couponId: string, context: RequestContext): Promise<Coupon> {
    this.#authorizeStaff(context, 'catalog:coupon.archive', couponId);
    return inTransaction(this.kernel.db, this.#tx(context), async (tx) => {
      const before = await this.#repository.findCoupon(tx, { id: couponId });
      if (!before) throw new NotFoundError('Coupon', couponId);
      const after = (await this.#repository.archiveCoupon(tx, couponId))!;
      await recordCatalogChange(this.kernel, tx, context, 'coupon.archived', { type: 'coupon', id: couponId }, before, after);
      return after;
    });
  }
}
