// Catalog: what the platform sells. Products with versions (draft → published, immutable → retired)
// that carry the configuration schema, availability, provisioning binding and price plans; coupons;
// exact price previews. Orders pin a published version through `orderableVersion`. Not here: orders
// (orders), invoices and usage (billing), fulfilment (instances).
import { fileURLToPath } from 'node:url';
import type { Kernel } from '../../kernel/kernel.js';
import type { ModuleDefinition } from '../../kernel/module.js';
import { CatalogService, type TenantTiers } from './service.js';
import { CouponAdmin } from './coupons.js';
import { catalogRoutes } from './routes.js';

export type { CatalogService } from './service.js';
export type { Product, ProductVersion, VersionContent, PricePlan, Coupon } from './schemas.js';
export { PricePreview } from './schemas.js';
export * from './events.js';
export { quote, couponProblem } from './quote.js';
export { validateConfiguration, describeConfiguration, type ConfigurationEntry } from './configuration.js';

export interface CatalogModule {
  definition: ModuleDefinition;
  service: CatalogService;
}

export function createCatalogModule(deps: { kernel: Kernel; tenants: TenantTiers }): CatalogModule {
  const service = new CatalogService(deps.kernel, deps.tenants);
  const coupons = new CouponAdmin(deps.kernel);
  return {
    service,
    definition: {
      name: 'catalog',
      migrations: fileURLToPath(new URL('./migrations', import.meta.url)),
      useCases: [...Object.values(service.useCases), ...Object.values(coupons.useCases)],
      routes: (app) => catalogRoutes(app, service, coupons),
    },
  };
}
