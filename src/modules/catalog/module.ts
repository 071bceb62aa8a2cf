// The catalog module, as the platform knows it (kernel/module.ts).
import { fileURLToPath } from 'node:url';
import { defineModule, type PortsOf } from '../../kernel/module.js';
import type { CatalogApi } from './index.js';

declare module '../../kernel/module.js' {
  interface ModuleApis {
    catalog: CatalogApi;
  }
}

/** The kernel services catalog's code uses (its product cache hears `changes`). */
const PORTS = ['clock', 'changes', 'useCases'] as const;
export type CatalogPorts = PortsOf<typeof PORTS>;

export const catalogModule = defineModule({
  name: 'catalog',
  description: 'What the platform sells: versioned products with configuration schemas, price plans and coupons',
  requires: ['tenants'],
  ports: PORTS,
  migrations: fileURLToPath(new URL('./migrations', import.meta.url)),
  authorization: {
    // What is sold, and at what price.
    platformOnly: [
      'catalog:product.create',
      'catalog:product.update',
      'catalog:product.archive',
      'catalog:product.restore',
      'catalog:version.create',
      'catalog:version.update',
      'catalog:version.delete',
      'catalog:version.publish',
      'catalog:version.retire',
      'catalog:coupon.create',
      'catalog:coupon.archive',
      'catalog:coupon.list',
      'catalog:coupon.read',
    ],
  },
  load: async () => (await import('./index.js')).createCatalogModule,
});
