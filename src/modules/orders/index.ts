// Orders: the order lifecycle from cart to fulfilment. Validates against the catalog, prices with the
// catalog's quote, holds tenant quotas and product stock while an order is live, applies operators'
// approval rules, and asks provisioning to deliver (event order.provisioning_requested). Not here:
// payment (payments), invoices (billing), the delivery itself (instances). It writes the mails
// about orders (to the customer at each step, to the operators when one waits for approval) in
// answer to its own events, and hands them to notifications to send.
import type { ModuleContext, ModuleInstance } from '../../kernel/module.js';
import type { OrdersPorts } from './module.js';
import { OrderService } from './service.js';
import { orderRoutes } from './routes.js';
import { ApprovalRules } from './approval-rules.js';
import { ChangeOrderService } from './change-orders.js';
import { OrderNotifications } from './order-notifications.js';
import { CUSTOMER_MAIL_EVENTS, OPERATOR_MAIL_EVENT } from './order-mail.js';
import { on } from '../../kernel/events.js';

export type { OrderService } from './service.js';
export type { Order, OrderItem, OrderStatus } from './schemas.js';
export type { OrderRecipients } from './order-notifications.js';
export * from './events.js';

export interface OrdersApi {
  service: OrderService;
}

export function createOrdersModule({ kernel, use }: ModuleContext<keyof OrdersPorts>): ModuleInstance<OrdersApi> {
  const catalog = use('catalog').service;
  const tenants = use('tenants').service;
  const approvalRules = new ApprovalRules(kernel);
  const service = new OrderService(kernel, catalog, tenants, approvalRules);
  const changes = new ChangeOrderService(kernel, catalog, tenants, approvalRules);
  const notifications = new OrderNotifications(kernel.config.publicUrl, use('notifications').mailer, use('identity').contacts, tenants);
  return {
    api: { service },
    // Names are the idempotency keys of deliveries: never rename a live one.
    subscriptions: [
      on(CUSTOMER_MAIL_EVENTS, 'orders.mail-customer', (event, tx) => notifications.mailCustomer(event, tx)),
      on(OPERATOR_MAIL_EVENT, 'orders.mail-operators', (event, tx) => notifications.mailOperators(event, tx)),
    ],
    useCases: [...Object.values(service.useCases), ...Object.values(changes.useCases), ...Object.values(approvalRules.useCases)],
    routes: (app) => orderRoutes(app, service, changes, approvalRules),
  };
}
