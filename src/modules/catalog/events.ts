// The events the catalog publishes, one per change to products, versions and coupons. Each names
// what changed (its audit entry holds the before and after); subscribers read the catalog's
// public API for the rest.
import { defineEvent } from '../../kernel/events.js';

export interface CatalogChangePayload {
  target: { type: 'product' | 'product-version' | 'coupon'; id: string };
}

const catalogEvent = (type: string) => defineEvent<CatalogChangePayload>(type, { version: 1 });

export const ProductCreated = catalogEvent('product.created');
export const ProductUpdated = catalogEvent('product.updated');
export const ProductArchived = catalogEvent('product.archived');
export const ProductRestored = catalogEvent('product.restored');
export const VersionCreated = catalogEvent('product.version_created');
export const VersionUpdated = catalogEvent('product.version_updated');
export const VersionDeleted = catalogEvent('product.version_deleted');
export const VersionPublished = catalogEvent('product.version_published');
export const VersionRetired = catalogEvent('product.version_retired');
export const CouponCreated = catalogEvent('coupon.created');
export const CouponArchived = catalogEvent('coupon.archived');
