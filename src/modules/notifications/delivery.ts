// Delivery of queued mail: one pg-boss job per message, sent over SMTP with nodemailer. pg-boss
// gives each job its retries with exponential backoff; this records every attempt on the message.
// A message is marked sent only after the server accepted it, so a crash between the two sends it
// again on the retry: delivery is at least once, as SMTP itself is.
import { createTransport, type Transporter, type NodemailerError } from 'nodemailer';
import type PgBoss from 'pg-boss';
import type { Kernel } from '../../kernel/kernel.js';
import { inTransaction } from '../../kernel/db/database.js';
import { SYSTEM_SCOPE } from '../../kernel/use-case.js';
import { MailRepository } from './repository.js';
import { MAIL_QUEUE } from './queues.js';

export { MAIL_QUEUE };

export interface MailJob {
  mailId: string;
}

export type DeliveryOutcome = 'sent' | 'retry' | 'failed' | 'stored' | 'skipped';

const MAX_ERROR_LENGTH = 1000;

/**
 * A rejection the same message would get again: nodemailer marks 5xx replies (RFC 5321) permanent.
 * An authentication failure is permanent for the session, not the message: it is a configuration
 * problem an operator can fix, so it is retried like a connection failure.
 */
function isPermanent(error: NodemailerError): boolean {
  return error.permanent === true && error.code !== 'EAUTH';
}

export class MailDelivery {
  readonly #repository = new MailRepository();
  readonly #transport: Transporter | undefined;

  constructor(private readonly kernel: Pick<Kernel, 'config' | 'clock' | 'logger' | 'db' | 'jobs'>) {
    // The URL carries host, port, TLS mode and credentials; nodemailer also reads options from its
    // query string (e.g. ?tls.rejectUnauthorized=false for a server with a private certificate).
    // Without a pool, each message opens and closes its own connection: nothing to close on stop.
    const { smtpUrl, mailFrom } = kernel.config.modules.notifications;
    this.#transport = smtpUrl ? createTransport(smtpUrl, { from: mailFrom }) : undefined;
  }

  async start(): Promise<void> {
    const options = { pollingIntervalSeconds: 0.5, batchSize: 1, includeMetadata: true as const };
    await this.kernel.jobs.work<MailJob>(MAIL_QUEUE.name, options, async (jobs) => {
      for (const job of jobs) await this.#run(job);
    });
  }

  async #run(job: PgBoss.JobWithMetadata<MailJob>): Promise<void> {
    const outcome = await this.deliver(job.data.mailId, { lastAttempt: job.retryCount >= job.retryLimit });
    // Throwing hands the job back to pg-boss, which schedules the next attempt with backoff.
    if (outcome === 'retry') throw new Error(`mail ${job.data.mailId} was not accepted; retrying`);
  }

  /** One delivery attempt of one message. */
  async deliver(mailId: string, options: { lastAttempt: boolean }): Promise<DeliveryOutcome> {
    const mail = await inTransaction(this.kernel.db, SYSTEM_SCOPE, (tx) => this.#repository.find(tx, mailId));
    // Already sent, failed or stored (a redelivered job), or gone: nothing to do.
    if (!mail || mail.status !== 'queued') return 'skipped';
    if (!this.#transport) {
      // Queued while a server was configured, picked up by a worker without one: keep it.
      await inTransaction(this.kernel.db, SYSTEM_SCOPE, (tx) => this.#repository.markStored(tx, mailId));
      return 'stored';
    }
    const log = this.kernel.logger.child({ mailId, purpose: mail.purpose });
    try {
      await this.#transport.sendMail({ to: mail.to, subject: mail.subject, text: mail.text, html: mail.html ?? undefined });
    } catch (caught) {
      const error = caught as NodemailerError;
      const final = options.lastAttempt || isPermanent(error);
      const message = (error.message || String(caught)).slice(0, MAX_ERROR_LENGTH);
      await inTransaction(this.kernel.db, SYSTEM_SCOPE, (tx) =>
        this.#repository.recordAttempt(tx, mailId, { status: final ? 'failed' : 'queued', error: message, sentAt: null }),
      );
      log.warn({ err: { message, code: error.code, responseCode: error.responseCode }, final }, final ? 'mail delivery failed' : 'mail delivery will be retried');
      return final ? 'failed' : 'retry';
    }
    await inTransaction(this.kernel.db, SYSTEM_SCOPE, (tx) => this.#repository.recordAttempt(tx, mailId, { status: 'sent', error: null, sentAt: this.kernel.clock.now() }));
    log.info('mail sent');
    return 'sent';
  }
}
