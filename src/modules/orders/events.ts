// The events orders publish: one per step of an order along its status machine (and its
// creation), all carrying the same payload (OrderEventPayload), and the approval rules' changes.
// Subscribers (the order mails in order-notifications.ts, provisioning) subscribe to these
// contracts with `on` (kernel/events.ts) and receive the payload typed.
import { defineEvent } from '../../kernel/events.js';
import type { OrderStatus } from './schemas.js';

/**
 * What an order event carries: enough for a subscriber to act without reading the orders module's
 * tables (the mails to the customer and operators are written from it): the order's reference and
 * new status, the person who placed it, its amount and items (product names, quantities, line
 * totals), a decision's reason, and on provisioning_requested each item's provisioning request.
 * Never the items' configuration: it may hold values the customer considers secret.
 */
export interface OrderEventPayload {
  orderId: string;
  /** The order's number as people see it ("ORD-000042"); null only before submission. */
  number: string | null;
  status: OrderStatus;
  reason?: string;
  /** On order.approved and order.rejected: the operator's stated reason. */
  decisionReason?: string;
  changeOf?: unknown;
  /** User id of the person who placed (submitted) the order; null when no person did (a service key). */
  placedBy: string | null;
  currency: string;
  totalMinor: string;
  items: { itemId: string; productId: string; productName: string; version: number; quantity: number; totalMinor: string | null; provisioning?: unknown }[];
}

const orderEvent = (type: string) => defineEvent<OrderEventPayload>(type, { version: 1 });

/** A cart was started (a draft order). */
export const OrderCreated = orderEvent('order.created');
export const OrderSubmitted = orderEvent('order.submitted');
export const OrderApprovalRequested = orderEvent('order.approval_requested');
export const OrderApproved = orderEvent('order.approved');
export const OrderRejected = orderEvent('order.rejected');
export const OrderAwaitingPayment = orderEvent('order.awaiting_payment');
/** Provisioning delivers the order: each item carries its provisioning request. */
export const OrderProvisioningRequested = orderEvent('order.provisioning_requested');
export const OrderFulfilled = orderEvent('order.fulfilled');
export const OrderFailed = orderEvent('order.failed');
export const OrderCancelled = orderEvent('order.cancelled');

export interface ApprovalRuleChangePayload {
  ruleId: string;
  name: string;
}
export const ApprovalRuleCreated = defineEvent<ApprovalRuleChangePayload>('approval_rule.created', { version: 1 });
export const ApprovalRuleDeleted = defineEvent<ApprovalRuleChangePayload>('approval_rule.deleted', { version: 1 });
