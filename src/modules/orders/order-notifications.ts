// Mail about orders, sent in answer to the orders' own events (typed subscriptions declared in
// index.ts), never from inside the use case: a submission stays on its hot path, and the mail
// follows once the change committed. Each handler runs in the event's delivery transaction, which
// also records (event, handler); every message carries the key `<event id>:<recipient>`, so a
// redelivered event (or a handler run twice for one event) queues nothing new.
import type { Tx } from '../../kernel/db/database.js';
import type { DomainEvent } from '../../kernel/outbox.js';
import { resourceName, PLATFORM } from '../../kernel/authz/authorize.js';
import type { Mailer } from '../notifications/index.js';
import type { TenantOrdering } from './order-steps.js';
import type { OrderEventPayload } from './events.js';
import { CUSTOMER_MAILS, OPERATOR_MAIL_PURPOSE, approvalRequestedMail, customerMail, type CustomerMailEvent, type OrderMail } from './order-mail.js';

/** Whom orders' mail goes to (identity's Contacts answers). */
export interface OrderRecipients {
  /** The person who placed the order while still a member of the tenant, else its owners. */
  tenantContacts(tx: Tx, tenantId: string, userId: string | null): Promise<string[]>;
  /** The staff whose platform role allows the action on the resource. */
  staffAllowedTo(tx: Tx, action: string, resource: string): Promise<string[]>;
}

export class OrderNotifications {
  constructor(
    private readonly publicUrl: string,
    private readonly mailer: Mailer,
    private readonly recipients: OrderRecipients,
    private readonly tenants: TenantOrdering,
  ) {}

  /** order.submitted, approved, rejected, fulfilled, failed → the customer who placed it. */
  async mailCustomer(event: DomainEvent<OrderEventPayload>, tx: Tx): Promise<void> {
    const payload = event.payload;
    if (!event.tenantId || !isCurrent(payload)) return; // published before events carried the order's contents
    const type = event.type as CustomerMailEvent;
    const mail = customerMail(type, { payload, organizationName: await this.#organizationName(tx, event.tenantId), publicUrl: this.publicUrl });
    const to = await this.recipients.tenantContacts(tx, event.tenantId, payload.placedBy);
    await this.#send(tx, event, to, mail, CUSTOMER_MAILS[type], event.tenantId);
  }

  /** order.approval_requested → every staff member who may approve it. */
  async mailOperators(event: DomainEvent<OrderEventPayload>, tx: Tx): Promise<void> {
    const payload = event.payload;
    if (!event.tenantId || !isCurrent(payload)) return;
    const mail = approvalRequestedMail({ payload, organizationName: await this.#organizationName(tx, event.tenantId), publicUrl: this.publicUrl });
    const to = await this.recipients.staffAllowedTo(tx, 'orders:order.approve', resourceName(PLATFORM, 'order', payload.orderId));
    // Addressed to staff, about the platform's work: tenant-less mail, visible in platform scope only.
    await this.#send(tx, event, to, mail, OPERATOR_MAIL_PURPOSE, null);
  }

  async #organizationName(tx: Tx, tenantId: string): Promise<string> {
    return (await this.tenants.profileOf(tenantId, tx))?.organizationName ?? tenantId;
  }

  async #send(tx: Tx, event: DomainEvent<OrderEventPayload>, recipients: string[], mail: OrderMail, purpose: string, tenantId: string | null): Promise<void> {
    for (const to of new Set(recipients)) {
      await this.mailer.enqueue(tx, { to, tenantId, purpose, subject: mail.subject, text: mail.text, dedupKey: `${event.id}:${to}` });
    }
  }
}

const isCurrent = (payload: OrderEventPayload) => typeof payload.orderId === 'string' && Array.isArray(payload.items) && typeof payload.currency === 'string';
