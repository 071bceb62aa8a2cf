// Outgoing mail over real SMTP: a message queued in a transaction reaches a real SMTP server (AUTH
// over STARTTLS) once that transaction commits, never if it rolls back; a temporary rejection is
// retried with backoff, a permanent one fails the message at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { inTransaction } from '../../src/kernel/db/database.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-server.js';
import type { Mailer } from '../../src/modules/notifications/index.js';

const MAIL_FROM = 'Platforma Test <no-reply@platforma.test>';
let smtp: TestSmtpServer;
let t: TestPlatform;
let owner: pg.Client;

beforeAll(async () => {
  smtp = await startSmtpServer();
  t = await startTestPlatform({ start: true, env: { SMTP_URL: smtp.url, MAIL_FROM } });
  owner = new pg.Client({ connectionString: t.database.ownerUrl });
  await owner.connect();
});
afterAll(async () => {
  await owner?.end();
  await t?.close();
  await smtp?.close();
});

type Message = Parameters<Mailer['enqueue']>[1];
const message = (subject: string, extra: Partial<Message> = {}): Message => ({
  to: 'new.user@example.com',
  subject,
  text: `Hello,\nyour link: https://platforma.test/accept?token=${subject.replace(/\W/g, '')}`,
  purpose: 'identity.invitation',
  ...extra,
});

/** Queues one message the way a module does: inside its own transaction. */
const enqueue = (input: Message) => inTransaction(t.platform.kernel.db, { scope: { kind: 'platform' }, actorId: 'test' }, (tx) => t.platform.notifications.mailer.enqueue(tx, input));

interface MailRow {
  status: string;
  attempts: number;
  last_error: string | null;
  sent_at: Date | null;
}
const rowOf = async (id: string) => (await owner.query('select status, attempts, last_error, sent_at from notifications.outgoing_mail where id = $1', [id])).rows[0] as MailRow | undefined;
const jobsOf = async (id: string) => (await owner.query(`select state from pgboss.job where name = 'notifications-mail' and data ->> 'mailId' = $1`, [id])).rows as { state: string }[];

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
const settled = (id: string) => waitFor(`mail ${id} to settle`, async () => {
  const row = await rowOf(id);
  return row && row.status !== 'queued' ? row : undefined;
});
const receivedWithSubject = (subject: string) => smtp.received.filter((mail) => mail.headers.subject === subject);

describe('delivery over SMTP', () => {
  it('sends a committed message with the configured From, and marks it sent', async () => {
    const html = '<p>Grüße — <a href="https://platforma.test/accept">accept</a></p>';
    const text = 'Grüße!\nAccept: https://platforma.test/accept?token=abc';
    const { id } = await enqueue(message('Welcome to Platforma', { html, text }));
    expect(id).toMatch(/^mail_[0-9a-z]{26}$/);
    const row = await settled(id);
    expect(row).toMatchObject({ status: 'sent', attempts: 1, last_error: null });
    expect(row.sent_at).toBeInstanceOf(Date);

    const [mail] = receivedWithSubject('Welcome to Platforma');
    expect(mail).toBeDefined();
    // SMTP_URL's credentials were used, over the STARTTLS upgrade the server offered.
    expect(mail!.user).toBe('mailer');
    expect(mail!.secure).toBe(true);
    expect(mail!.envelopeFrom).toBe('no-reply@platforma.test');
    expect(mail!.envelopeTo).toEqual(['new.user@example.com']);
    expect(mail!.headers.from).toBe(MAIL_FROM);
    expect(mail!.headers.to).toBe('new.user@example.com');
    expect(mail!.text).toBe(text);
    expect(mail!.html).toBe(html);
  });

  it('sends nothing and keeps no row or job when the transaction rolls back', async () => {
    let id = '';
    await expect(
      inTransaction(t.platform.kernel.db, { scope: { kind: 'platform' }, actorId: 'test' }, async (tx) => {
        id = (await t.platform.notifications.mailer.enqueue(tx, message('Rolled back'))).id;
        throw new Error('the change was refused');
      }),
    ).rejects.toThrow('the change was refused');
    expect(id).toMatch(/^mail_/);
    expect(await rowOf(id)).toBeUndefined();
    expect(await jobsOf(id)).toEqual([]);
    // A message queued after it goes out, and the rolled-back one still has not.
    const after = await enqueue(message('After the rollback'));
    expect((await settled(after.id)).status).toBe('sent');
    expect(receivedWithSubject('After the rollback')).toHaveLength(1);
    expect(receivedWithSubject('Rolled back')).toHaveLength(0);
  });

  it('retries after a temporary rejection (451) and delivers on a later attempt', async () => {
    const attemptsBefore = smtp.dataAttempts;
    smtp.failNext(1, 451);
    const { id } = await enqueue(message('Try again'));
    const row = await settled(id);
    expect(row).toMatchObject({ status: 'sent', attempts: 2, last_error: null });
    expect(smtp.dataAttempts - attemptsBefore).toBe(2);
    expect(receivedWithSubject('Try again')).toHaveLength(1);
  });

  it('fails a message at once on a permanent rejection (550), recording the reply', async () => {
    const attemptsBefore = smtp.dataAttempts;
    smtp.failNext(1, 550);
    const { id } = await enqueue(message('Rejected for good'));
    const row = await settled(id);
    expect(row).toMatchObject({ status: 'failed', attempts: 1 });
    expect(row.last_error).toMatch(/550/);
    expect(row.sent_at).toBeNull();
    expect(smtp.dataAttempts - attemptsBefore).toBe(1);
    // The row settles inside the job's handler; pg-boss marks the job completed just after it
    // returns (not retried, as a failed job would be), so wait for that rather than racing it.
    const jobs = await waitFor(`the job of ${id} to finish`, async () => {
      const found = await jobsOf(id);
      return found.some((job) => job.state === 'active') ? undefined : found;
    });
    expect(jobs).toEqual([{ state: 'completed' }]);
    expect(receivedWithSubject('Rejected for good')).toHaveLength(0);
  });
});
