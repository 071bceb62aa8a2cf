// Use cases of outgoing mail: other modules enqueue messages inside their own transactions; platform
// staff look through the outbox. Messages carry secrets (invitation and reset links), so reading
// one is for platform staff only and is itself recorded in the audit log.
import type { Kernel } from '../../kernel/kernel.js';
import type { Tx } from '../../kernel/db/database.js';
import { newId, isId } from '../../kernel/ids.js';
import { decodeCursor, encodeCursor, type Page } from '../../kernel/api/cursor.js';
import { isPlatformStaff, resourceName, PLATFORM, type Action } from '../../kernel/authz/authorize.js';
import type { RequestContext } from '../../kernel/context.js';
import { defineUseCase } from '../../kernel/use-case.js';
import { MailRead } from './events.js';
import { ForbiddenError, NotFoundError } from '../../kernel/errors.js';
import { bossExecutor } from '../../kernel/outbox.js';
import { documentValidator } from '../../kernel/validation.js';
import { MailRepository, type MailSummaryRow, type StoredMail } from './repository.js';
import { MAIL_QUEUE, type MailJob } from './delivery.js';
import { OutgoingMailInput, type ListMailQuery, type MailMessage, type MailSummary } from './schemas.js';

const validateInput = documentValidator(OutgoingMailInput, 'outgoing mail');
const isMailId = (value: unknown): value is string => typeof value === 'string' && isId('mail', value);

export type { Page };


function toSummary(row: MailSummaryRow): MailSummary {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    to: row.to,
    subject: row.subject,
    purpose: row.purpose,
    status: row.status,
    attempts: row.attempts,
    lastError: row.last_error,
    createdAt: new Date(row.created_at).toISOString(),
    sentAt: row.sent_at ? new Date(row.sent_at).toISOString() : null,
  };
}

function toMessage(row: StoredMail): MailMessage {
  return { ...toSummary(row), text: row.text, html: row.html };
}

export class MailService {
  readonly #repository = new MailRepository();

  constructor(private readonly kernel: Pick<Kernel, 'config' | 'clock' | 'jobs' | 'useCases'>) {}

  /**
   * Writes the message and its delivery job in the caller's transaction: both exist exactly when
   * the caller's change commits. Row-level security applies: a tenant's message needs that tenant's
   * scope (or platform scope), a message without a tenant needs platform scope. A message whose
   * `dedupKey` was queued before is not queued again: the answer is the earlier message's id.
   */
  async enqueue(tx: Tx, message: OutgoingMailInput): Promise<{ id: string; duplicate: boolean }> {
    const input = validateInput({ ...message });
    const id = newId('mail');
    // Without an SMTP server nothing is sent: the message is kept for platform staff to read.
    const status = this.kernel.config.modules.notifications.smtpUrl ? 'queued' : 'stored';
    const inserted = await this.#repository.insert(tx, {
      id,
      tenant_id: input.tenantId ?? null,
      to: input.to,
      subject: input.subject,
      text: input.text,
      html: input.html ?? null,
      purpose: input.purpose,
      status,
      created_at: this.kernel.clock.now(),
      dedup_key: input.dedupKey ?? null,
    });
    if (!inserted) {
      const earlier = await this.#repository.findByDedupKey(tx, input.dedupKey!);
      if (!earlier) throw new Error(`outgoing mail ${input.dedupKey} conflicts with a message this transaction cannot see`);
      return { id: earlier.id, duplicate: true };
    }
    if (status === 'queued') {
      const jobId = await this.kernel.jobs.send(MAIL_QUEUE.name, { mailId: id } satisfies MailJob, { db: bossExecutor(tx) });
      if (!jobId) throw new Error(`the job queue ${MAIL_QUEUE.name} does not exist; run platforma migrate`);
    }
    return { id, duplicate: false };
  }

  readonly useCases = {
    list: defineUseCase<ListMailQuery, Page<MailSummary>>({
      name: 'notifications.list-mail',
      access: { action: 'notifications:mail.list' },
      resource: () => mailResource('*'),
      run: async ({ tx, input: query, context }) => {
        staffOnly(context, 'notifications:mail.list');
        const limit = query.limit ?? 25;
        const beforeId = decodeCursor(query.cursor, isMailId);
        const rows = await this.#repository.list(tx, { status: query.status, to: query.to, beforeId, limit: limit + 1 });
        const page = rows.slice(0, limit).map(toSummary);
        const last = page[page.length - 1];
        return { data: page, nextCursor: rows.length > limit && last ? encodeCursor(last.id) : null };
      },
    }),

    get: defineUseCase<{ id: string }, MailMessage>({
      name: 'notifications.read-mail',
      access: { action: 'notifications:mail.read' },
      resource: (input) => mailResource(input.id),
      run: async ({ tx, input: { id }, context, record }) => {
        staffOnly(context, 'notifications:mail.read');
        const row = await this.#repository.find(tx, id);
        if (!row) throw new NotFoundError('Mail', id);
        record({ target: { type: 'mail', id }, event: { contract: MailRead, payload: { mailId: id } } });
        return toMessage(row);
      },
    }),
  };

  list(query: ListMailQuery, context: RequestContext): Promise<Page<MailSummary>> {
    return this.kernel.useCases.run(this.useCases.list, context, query);
  }

  get(id: string, context: RequestContext): Promise<MailMessage> {
    return this.kernel.useCases.run(this.useCases.get, context, { id });
  }
}

const mailResource = (mailId: string) => resourceName(PLATFORM, 'mail', mailId);

/**
 * The outbox is a platform resource (`prn:platform:mail/…`), so no tenant role reaches it; and
 * whatever a policy says, only platform staff (who alone work in the platform scope these queries
 * need) read it.
 */
function staffOnly(context: RequestContext, action: Action): void {
  if (!isPlatformStaff(context)) throw new ForbiddenError('The mail outbox is for platform staff.', { action });
}
