// Tenants: the organisations a platform serves — their identity, quotas, settings and lifecycle
// (pending → active ⇄ suspended → terminated). Not here: users and roles inside a tenant (identity),
// usage metering (billing), the resources a tenant runs (instances).
import { fileURLToPath } from 'node:url';
import type { Kernel } from '../../kernel/kernel.js';
import type { ModuleDefinition } from '../../kernel/module.js';
import { TenantService } from './service.js';
import { tenantRoutes } from './routes.js';

export type { Tenant, TenantDocument, TenantStatus } from './schemas.js';
export type { TenantService } from './service.js';
export { etagOf } from './service.js';
export * from './events.js';

export interface TenantsModule {
  definition: ModuleDefinition;
  service: TenantService;
}

export function createTenantsModule(deps: { kernel: Kernel }): TenantsModule {
  const service = new TenantService(deps.kernel);
  return {
    service,
    definition: {
      name: 'tenants',
      migrations: fileURLToPath(new URL('./migrations', import.meta.url)),
      routes: (app) => tenantRoutes(app, service),
    },
  };
}
