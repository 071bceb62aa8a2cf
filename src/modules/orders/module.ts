// The orders module, as the platform knows it (kernel/module.ts).
import { fileURLToPath } from 'node:url';
import { defineModule, type PortsOf } from '../../kernel/module.js';
import type { OrdersApi } from './index.js';

declare module '../../kernel/module.js' {
  interface ModuleApis {
    orders: OrdersApi;
  }
}

/** The kernel services orders' code uses (its approval-rule cache hears `changes`; `config` for the public URL in mails). */
const PORTS = ['config', 'clock', 'changes', 'useCases'] as const;
export type OrdersPorts = PortsOf<typeof PORTS>;

export const ordersModule = defineModule({
  name: 'orders',
  description: 'The order lifecycle from cart to fulfilment: validation, pricing, quotas, stock and approvals',
  requires: ['catalog', 'tenants', 'notifications', 'identity'],
  ports: PORTS,
  migrations: fileURLToPath(new URL('./migrations', import.meta.url)),
  authorization: {
    // Which orders go through, and reports from the provisioning side.
    platformOnly: ['orders:order.approve', 'orders:order.reject', 'orders:order.fulfil', 'orders:order.fail', 'orders:approval-rule.*'],
  },
  load: async () => (await import('./index.js')).createOrdersModule,
});
