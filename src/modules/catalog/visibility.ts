// Who sees what of the catalog. Staff read all of it; anyone else reads it as their active tenant,
// and sees a product only when its visibility rule includes that tenant (public, its tier, or the
// tenant by name). Both the use cases (use-cases.ts) and the reads orders rely on (service.ts) decide by these.
import { resourceName, PLATFORM } from '../../kernel/authz/authorize.js';
import { NotFoundError } from '../../kernel/errors.js';
import type { Product } from './schemas.js';

/**
 * Who reads the catalog: staff read all of it; anyone else reads it as their active tenant (none:
 * they see nothing), under visibility, with the tenant's tier read before the transaction.
 */
export type Reader = { staff: true } | { staff: false; tenantId: string | undefined; tier: string };

/** The resource a read is authorized on: the platform's for staff, else the reader's tenant's (no tenant: denied as the platform's). */
export const readerResource = (reader: Reader, id: string) => resourceName(reader.staff ? PLATFORM : (reader.tenantId ?? PLATFORM), 'product', id);

/** The tenant a (non-staff) reader sees the catalog as; undefined for staff. No active tenant, no catalog. */
export function readerAsViewer(reader: Reader, productId: string): { tenantId: string; tier: string } | undefined {
  if (reader.staff) return undefined;
  if (!reader.tenantId) throw new NotFoundError('Product', productId);
  return { tenantId: reader.tenantId, tier: reader.tier };
}

/** Whether the reader may see the product: staff see everything, a tenant what is visible to it. */
export function readable(product: Product, reader: Reader): boolean {
  const viewer = readerAsViewer(reader, product.id);
  return viewer === undefined || visible(product, viewer);
}

/** Whether the tenant sees the product in the catalog (listed, not archived, with something to order). */
export function visible(product: Product, viewer: { tenantId: string; tier: string }): boolean {
  if (product.archived || product.currentVersion === null) return false;
  return visibleTo(product, viewer);
}

/** Whether the product's visibility rule includes the tenant, whatever state its versions are in. */
export function visibleTo(product: Product, viewer: { tenantId: string; tier: string }): boolean {
  const visibility = product.visibility;
  if (visibility.mode === 'public') return true;
  if (visibility.mode === 'tiers') return visibility.tiers.includes(viewer.tier);
  return visibility.tenantIds.includes(viewer.tenantId);
}
