// Tenants: the organisations a platform serves — their identity, quotas, settings and lifecycle
// (pending → active ⇄ suspended → terminated). Not here: users and roles inside a tenant (identity),
// usage metering (billing), the resources a tenant runs (instances).
import type { ModuleContext, ModuleInstance } from '../../kernel/module.js';
import { TenantService } from './service.js';
import { tenantRoutes } from './routes.js';

export type { Tenant, TenantDocument, TenantStatus } from './schemas.js';
export type { TenantService } from './service.js';
export { etagOf } from './service.js';

export interface TenantsApi {
  service: TenantService;
}

export function createTenantsModule({ kernel }: ModuleContext): ModuleInstance<TenantsApi> {
  const service = new TenantService(kernel);
  return { api: { service }, routes: (app) => tenantRoutes(app, service) };
}
