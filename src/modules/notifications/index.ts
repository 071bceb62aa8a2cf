// Notifications: outgoing email. Other modules queue messages through `Mailer` inside their own
// transactions; a worker sends them over SMTP (SMTP_URL) or, with no server configured, keeps them
// for platform staff to read in the mail outbox. Not here: what a message says (the sending module
// writes it), in-app notifications, webhooks (kernel outbox).
import type { Tx } from '../../kernel/db/database.js';
import type { ModuleContext, ModuleInstance } from '../../kernel/module.js';
import type { NotificationsPorts } from './module.js';
import { MailService } from './service.js';
import { MailDelivery } from './delivery.js';
import { mailRoutes } from './routes.js';

export { MAIL_QUEUE } from './delivery.js';
export * from './events.js';
export type { MailStatus, MailSummary, MailMessage } from './schemas.js';

export interface Mailer {
  /**
   * Queues a message inside the caller's transaction (so it is sent only if the change commits).
   * With a `dedupKey` (for mail written in answer to an event: the event's id and the recipient) a
   * message is queued at most once per key; a repeat answers the first one's id, `duplicate: true`.
   */
  enqueue(tx: Tx, message: { to: string; subject: string; text: string; html?: string; tenantId?: string | null; purpose: string; dedupKey?: string }): Promise<{ id: string; duplicate: boolean }>;
}

export interface NotificationsApi {
  mailer: Mailer;
  service: MailService;
}

export function createNotificationsModule({ kernel }: ModuleContext<keyof NotificationsPorts>): ModuleInstance<NotificationsApi> {
  const service = new MailService(kernel);
  const delivery = new MailDelivery(kernel);
  return {
    api: { service, mailer: { enqueue: (tx, message) => service.enqueue(tx, message) } },
    useCases: Object.values(service.useCases),
    routes: (app) => mailRoutes(app, service),
    startWorkers: () => delivery.start(),
  };
}
