// Catalog: what the platform sells. Products with versions (draft → published, immutable → retired)
// that carry the configuration schema, availability, provisioning binding and price plans; coupons;
// exact price previews. Orders pin a published version through `orderableVersion`. Not here: orders
// (orders), invoices and usage (billing), fulfilment (instances).
import type { ModuleContext, ModuleInstance } from '../../kernel/module.js';
import type { CatalogPorts } from './module.js';
import { CatalogService } from './service.js';
import { CouponAdmin } from './coupons.js';
import { catalogRoutes } from './routes.js';

export type { CatalogService } from './service.js';
export type { Product, ProductVersion, VersionContent, PricePlan, Coupon } from './schemas.js';
export { PricePreview } from './schemas.js';
export * from './events.js';
export { quote, couponProblem } from './quote.js';
export { validateConfiguration, describeConfiguration, type ConfigurationEntry } from './configuration.js';

export interface CatalogApi {
  service: CatalogService;
}

export function createCatalogModule({ kernel, use }: ModuleContext<keyof CatalogPorts>): ModuleInstance<CatalogApi> {
  const service = new CatalogService(kernel, use('tenants').service);
  const coupons = new CouponAdmin(kernel);
  return {
    api: { service },
    useCases: [...Object.values(service.useCases), ...Object.values(coupons.useCases)],
    routes: (app) => catalogRoutes(app, service, coupons),
  };
}
