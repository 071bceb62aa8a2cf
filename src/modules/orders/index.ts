// Orders: the order lifecycle from cart to fulfilment. Validates against the catalog, prices with the
// catalog's quote, holds tenant quotas and product stock while an order is live, applies operators'
// approval rules, and asks provisioning to deliver (event order.provisioning_requested). Not here:
// payment (payments), invoices (billing), the delivery itself (instances).
import { fileURLToPath } from 'node:url';
import type { Kernel } from '../../kernel/kernel.js';
import type { ModuleDefinition } from '../../kernel/module.js';
import type { CatalogService } from '../catalog/index.js';
import { OrderService, type TenantOrdering } from './service.js';
import { orderRoutes } from './routes.js';
import { ApprovalRules } from './approval-rules.js';
import { ChangeOrderService } from './change-orders.js';

export type { OrderService } from './service.js';
export type { Order, OrderItem, OrderStatus } from './schemas.js';

export interface OrdersModule {
  definition: ModuleDefinition;
  service: OrderService;
}

export function createOrdersModule(deps: { kernel: Kernel; catalog: CatalogService; tenants: TenantOrdering }): OrdersModule {
  const approvalRules = new ApprovalRules(deps.kernel);
  const service = new OrderService(deps.kernel, deps.catalog, deps.tenants, approvalRules);
  const changes = new ChangeOrderService(deps.kernel, deps.catalog, deps.tenants, approvalRules);
  return {
    service,
    definition: {
      name: 'orders',
      migrations: fileURLToPath(new URL('./migrations', import.meta.url)),
      routes: (app) => orderRoutes(app, service, changes, approvalRules),
    },
  };
}
