// What the mails about an order say, written from the order's event alone (its payload carries the
// reference, items, amounts and reasons: see eventPayload in order-steps.ts). Plain text, like every
// other mail the platform sends; never the items' configuration, which may hold the customer's
// secrets. Pure functions: the subscriptions in order-notifications.ts decide who receives them.
import { Money } from '../../kernel/money.js';
import { OrderApprovalRequested, OrderApproved, OrderFailed, OrderFulfilled, OrderRejected, OrderSubmitted, type OrderEventPayload } from './events.js';

/** The events the customer hears about (by type), with the mail's purpose (as the outbox lists it). */
export const CUSTOMER_MAILS = {
  'order.submitted': 'orders.placed',
  'order.approved': 'orders.approved',
  'order.rejected': 'orders.rejected',
  'order.fulfilled': 'orders.fulfilled',
  'order.failed': 'orders.failed',
} as const;
export type CustomerMailEvent = keyof typeof CUSTOMER_MAILS;
/** The contracts of those events, to subscribe to. */
export const CUSTOMER_MAIL_EVENTS = [OrderSubmitted, OrderApproved, OrderRejected, OrderFulfilled, OrderFailed] as const;

export const OPERATOR_MAIL_EVENT = OrderApprovalRequested;
export const OPERATOR_MAIL_PURPOSE = 'orders.approval_requested';

export interface OrderMail {
  subject: string;
  text: string;
}

interface MailFacts {
  payload: OrderEventPayload;
  organizationName: string;
  publicUrl: string;
}

const money = (minor: string | null, currency: string) => (minor === null ? 'not priced' : `${currency} ${Money.format(Money.fromMinor(minor, currency))}`);

function itemLines({ payload }: MailFacts): string[] {
  return [
    'Items:',
    ...payload.items.map((item) => `  - ${item.productName} (version ${item.version}) × ${item.quantity}: ${money(item.totalMinor, payload.currency)}`),
    `Total: ${money(payload.totalMinor, payload.currency)}`,
  ];
}

function changeLine({ payload }: MailFacts): string[] {
  const changeOf = payload.changeOf as { orderId: string; orderNumber?: string | null; itemId: string } | undefined;
  return changeOf ? [`This order changes an item of order ${changeOf.orderNumber ?? changeOf.orderId}.`, ''] : [];
}

/** The mail to the customer about one of their order's steps. */
export function customerMail(event: CustomerMailEvent, facts: MailFacts): OrderMail {
  const { payload, organizationName } = facts;
  const id = payload.number ?? payload.orderId;
  const link = `${facts.publicUrl}/portal/orders/${payload.orderId}`;
  const [subject, news, ...more] = ((): [string, string, ...string[]] => {
    switch (event) {
      case 'order.submitted':
        return [`Order ${id} placed`, `The order ${id} for ${organizationName} has been placed. We will write again when it moves on.`];
      case 'order.approved':
        return [`Order ${id} approved`, `The order ${id} for ${organizationName} has been approved and is now being delivered.`, ...(payload.decisionReason ? [`Note from the operator: ${payload.decisionReason}`] : [])];
      case 'order.rejected':
        return [`Order ${id} rejected`, `The order ${id} for ${organizationName} has been rejected: nothing of it will be delivered.`, `Reason: ${payload.decisionReason ?? payload.reason ?? 'none given'}`];
      case 'order.fulfilled':
        return [`Order ${id} fulfilled`, `The order ${id} for ${organizationName} has been delivered.`];
      case 'order.failed':
        return [`Order ${id} failed`, `The order ${id} for ${organizationName} could not be delivered.`, `Reason: ${payload.reason ?? 'none given'}`];
    }
  })();
  return {
    subject,
    text: ['Hello,', '', news, ...more, '', ...changeLine(facts), ...itemLines(facts), '', `See the order: ${link}`].join('\n'),
  };
}

/** The mail to the operators who may approve orders: one waits for them. */
export function approvalRequestedMail(facts: MailFacts): OrderMail {
  const { payload, organizationName } = facts;
  const id = payload.number ?? payload.orderId;
  return {
    subject: `Order ${id} from ${organizationName} waits for approval`,
    text: [
      `The order ${id} from ${organizationName} waits for an operator's approval.`,
      `Why: ${payload.reason?.replace(/^Needs approval: /, '') ?? 'an approval rule holds it'}`,
      '',
      ...changeLine(facts),
      ...itemLines(facts),
      '',
      `Approve or reject it: ${facts.publicUrl}/admin/orders/${payload.orderId}`,
    ].join('\n'),
  };
}
