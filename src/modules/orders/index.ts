// Orders: the order lifecycle from cart to fulfilment. Validates against the catalog, prices with the
// catalog's quote, holds tenant quotas and product stock while an order is live, applies operators'
// approval rules, and asks provisioning to deliver (event order.provisioning_requested). Not here:
// payment (payments), invoices (billing), the delivery itself (instances). It writes the mails
// about orders (to the customer at each step, to the operators when one waits for approval) in
// answer to its own events, and hands them to notifications to send.
import type { ModuleContext, ModuleInstance } from '../../kernel/module.js';
import { OrderService } from './service.js';
import { orderRoutes } from './routes.js';
import { ApprovalRules } from './approval-rules.js';
import { ChangeOrderService } from './change-orders.js';
import { OrderNotifications } from './order-notifications.js';
import { CUSTOMER_MAILS, OPERATOR_MAIL_EVENT } from './order-mail.js';

export type { OrderService } from './service.js';
export type { Order, OrderItem, OrderStatus } from './schemas.js';
export type { OrderRecipients } from './order-notifications.js';
export type { OrderEventPayload } from './order-steps.js';

export interface OrdersApi {
  service: OrderService;
}

export function createOrdersModule({ kernel, use }: ModuleContext): ModuleInstance<OrdersApi> {
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
      { name: 'orders.mail-customer', types: Object.keys(CUSTOMER_MAILS), handle: (event, tx) => notifications.mailCustomer(event, tx) },
      { name: 'orders.mail-operators', types: [OPERATOR_MAIL_EVENT], handle: (event, tx) => notifications.mailOperators(event, tx) },
    ],
    routes: (app) => orderRoutes(app, service, changes, approvalRules),
  };
}
