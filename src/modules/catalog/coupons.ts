// Coupons, managed by platform staff: percent or amount off, once / repeating / forever, expiry,
// a redemption limit, optionally limited to products. Orders apply them through CatalogService
// (couponFor, redeemCoupon); previews and quotes price them (quote.ts).
import type { Kernel } from '../../kernel/kernel.js';
import { newId, isId } from '../../kernel/ids.js';
import { decodeCursor, encodeCursor, type Page } from '../../kernel/api/cursor.js';
import { resourceName, PLATFORM } from '../../kernel/authz/authorize.js';
import { defineUseCase } from '../../kernel/use-case.js';
import type { RequestContext } from '../../kernel/context.js';
import { ConflictError, NotFoundError, UnprocessableError } from '../../kernel/errors.js';
import { isUniqueViolation } from '../../kernel/db/errors.js';
import { isCurrency } from '../../kernel/money.js';
import { CatalogRepository } from './repository.js';
import { CouponArchived, CouponCreated } from './events.js';
import type { Coupon, CreateCouponBody } from './schemas.js';

const isCouponId = (value: unknown): value is string => typeof value === 'string' && isId('coupon', value);

const couponResource = (id: string) => resourceName(PLATFORM, 'coupon', id);

export class CouponAdmin {
  readonly #repository = new CatalogRepository();

  constructor(private readonly kernel: Pick<Kernel, 'clock' | 'useCases'>) {}

  readonly useCases = {
    create: defineUseCase<CreateCouponBody, Coupon>({
      name: 'catalog.create-coupon',
      access: { action: 'catalog:coupon.create' },
      resource: () => couponResource('*'),
      run: async ({ tx, input, record }) => {
        if (input.discount.type === 'amount') {
          const problems = Object.keys(input.discount.amountOff)
            .filter((currency) => !isCurrency(currency))
            .map((currency) => ({ pointer: `/discount/amountOff/${currency}`, message: `${currency} is not an ISO 4217 currency` }));
          if (Object.keys(input.discount.amountOff).length === 0) problems.push({ pointer: '/discount/amountOff', message: 'needs an amount in at least one currency' });
          if (problems.length > 0) throw new UnprocessableError('The coupon’s amounts are not usable.', problems);
        }
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
        const target = { type: 'coupon' as const, id: coupon.id };
        record({ target, after: coupon, event: { contract: CouponCreated, payload: { target } } });
        return coupon;
      },
    }),

    list: defineUseCase<{ limit?: number; cursor?: string }, Page<Coupon>>({
      name: 'catalog.list-coupons',
      access: { action: 'catalog:coupon.list' },
      resource: () => couponResource('*'),
      run: async ({ tx, input }) => {
        const limit = input.limit ?? 25;
        const beforeId = decodeCursor(input.cursor, isCouponId);
        const rows = await this.#repository.listCoupons(tx, { beforeId, limit: limit + 1 });
        const page = rows.slice(0, limit);
        const last = page[page.length - 1];
        return { data: page, nextCursor: rows.length > limit && last ? encodeCursor(last.id) : null };
      },
    }),

    get: defineUseCase<{ couponId: string }, Coupon>({
      name: 'catalog.get-coupon',
      access: { action: 'catalog:coupon.read' },
      resource: (input) => couponResource(input.couponId),
      run: async ({ tx, input: { couponId } }) => {
        const coupon = await this.#repository.findCoupon(tx, { id: couponId });
        if (!coupon) throw new NotFoundError('Coupon', couponId);
        return coupon;
      },
    }),

    archive: defineUseCase<{ couponId: string }, Coupon>({
      name: 'catalog.archive-coupon',
      access: { action: 'catalog:coupon.archive' },
      resource: (input) => couponResource(input.couponId),
      run: async ({ tx, input: { couponId }, record }) => {
        const before = await this.#repository.findCoupon(tx, { id: couponId });
        if (!before) throw new NotFoundError('Coupon', couponId);
        const after = (await this.#repository.archiveCoupon(tx, couponId))!;
        const target = { type: 'coupon' as const, id: couponId };
        record({ target, before, after, event: { contract: CouponArchived, payload: { target } } });
        return after;
      },
    }),
  };

  async createCoupon(input: CreateCouponBody, context: RequestContext): Promise<Coupon> {
    try {
      return await this.kernel.useCases.run(this.useCases.create, context, input);
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictError(`Another coupon has the code ${input.code}.`, { errors: [{ pointer: '/code', message: 'is taken' }] });
      throw error;
    }
  }

  listCoupons(query: { limit?: number; cursor?: string }, context: RequestContext): Promise<Page<Coupon>> {
    return this.kernel.useCases.run(this.useCases.list, context, query);
  }

  getCoupon(couponId: string, context: RequestContext): Promise<Coupon> {
    return this.kernel.useCases.run(this.useCases.get, context, { couponId });
  }

  archiveCoupon(couponId: string, context: RequestContext): Promise<Coupon> {
    return this.kernel.useCases.run(this.useCases.archive, context, { couponId });
  }
}
