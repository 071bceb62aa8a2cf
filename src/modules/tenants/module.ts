// The tenants module, as the platform knows it (kernel/module.ts).
import { fileURLToPath } from 'node:url';
import { defineModule, type PortsOf } from '../../kernel/module.js';
import type { TenantsApi } from './index.js';

declare module '../../kernel/module.js' {
  interface ModuleApis {
    tenants: TenantsApi;
  }
}

/** The kernel services tenants' code uses (its tenant cache hears `changes`; `audit` reads a tenant's trail). */
const PORTS = ['clock', 'db', 'changes', 'audit', 'useCases'] as const;
export type TenantsPorts = PortsOf<typeof PORTS>;

export const tenantsModule = defineModule({
  name: 'tenants',
  description: 'The organisations a platform serves: identity, quotas, settings and lifecycle',
  ports: PORTS,
  migrations: fileURLToPath(new URL('./migrations', import.meta.url)),
  authorization: {
    // The tenant itself: creation, limits, tier and status are the operator's to set.
    platformOnly: [
      'tenants:tenant.create',
      'tenants:tenant.set_quotas',
      // Checked by the tenant update when it changes the domain (single sign-on trusts the domain).
      'tenants:tenant.set_domain',
      'tenants:tenant.activate',
      'tenants:tenant.suspend',
      'tenants:tenant.reactivate',
      'tenants:tenant.terminate',
    ],
  },
  load: async () => (await import('./index.js')).createTenantsModule,
});
