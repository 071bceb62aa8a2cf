// Tenants: the organisations a platform serves — their identity, quotas, settings and lifecycle
// (pending → active ⇄ suspended → terminated). Not here: users and roles inside a tenant (identity),
// usage metering (billing), the resources a tenant runs (instances).
import type { ModuleContext, ModuleInstance } from '../../kernel/module.js';
import type { TenantsPorts } from './module.js';
import { TenantService } from './service.js';
import { tenantRoutes } from './routes.js';

export type { Tenant, TenantDocument, TenantStatus, AuthenticationSettings, AuthenticationSettingsPatch } from './schemas.js';
export type { TenantService, TenantFacts, TenantProfile } from './service.js';
export type { TenantDocumentParts, TenantAuthenticationPart } from './owned-parts.js';
export { etagOf } from '../../kernel/api/etags.js';
export * from './events.js';

export interface TenantsApi {
  service: TenantService;
}

export function createTenantsModule({ kernel }: ModuleContext<keyof TenantsPorts>): ModuleInstance<TenantsApi> {
  const service = new TenantService(kernel);
  return { api: { service }, useCases: Object.values(service.useCases), routes: (app) => tenantRoutes(app, service) };
}
