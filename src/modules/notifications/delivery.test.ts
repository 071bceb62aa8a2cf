// One delivery attempt, decided without waiting for pg-boss's backoff: a temporary rejection on the
// last attempt fails the message, an earlier one leaves it queued for the retry; a message already
// settled is never sent again; a worker without an SMTP server keeps a queued message as stored.
// The platform is not started, so no worker competes with these direct calls.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { inTransaction } from '../../kernel/db/database.js';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.js';
import { startSmtpServer, type TestSmtpServer } from '../../../test/support/smtp-server.js';
import { MailDelivery } from './delivery.js';

let smtp: TestSmtpServer;
let t: TestPlatform;
let owner: pg.Client;
let delivery: MailDelivery;

beforeAll(async () => {
  smtp = await startSmtpServer();
  t = await startTestPlatform({ env: { SMTP_URL: smtp.url } });
  delivery = new MailDelivery(t.platform.kernel);
  owner = new pg.Client({ connectionString: t.database.ownerUrl });
  await owner.connect();
});
afterAll(async () => {
  await owner?.end();
  await t?.close();
  await smtp?.close();
});

const enqueue = (subject: string) =>
  inTransaction(t.platform.kernel.db, { scope: { kind: 'platform' }, actorId: 'test' }, async (tx) =>
    (await t.platform.notifications.mailer.enqueue(tx, { to: 'someone@example.com', subject, text: 'Body', purpose: 'test.delivery' })).id,
  );
const rowOf = async (id: string) =>
  (await owner.query('select status, attempts, last_error, sent_at from notifications.outgoing_mail where id = $1', [id])).rows[0] as { status: string; attempts: number; last_error: string | null; sent_at: Date | null };

describe('one delivery attempt', () => {
  it('leaves a temporarily rejected message queued with the error, then fails it on the last attempt', async () => {
    const id = await enqueue('Greylisted');
    smtp.failNext(1, 451);
    expect(await delivery.deliver(id, { lastAttempt: false })).toBe('retry');
    expect(await rowOf(id)).toMatchObject({ status: 'queued', attempts: 1, last_error: expect.stringMatching(/451/) });
    smtp.failNext(1, 451);
    expect(await delivery.deliver(id, { lastAttempt: true })).toBe('failed');
    expect(await rowOf(id)).toMatchObject({ status: 'failed', attempts: 2, sent_at: null });
  });

  it('retries a connection failure (no server listening)', async () => {
    const id = await enqueue('Server down');
    const unreachable = new MailDelivery({ ...t.platform.kernel, config: { ...t.platform.kernel.config, modules: { ...t.platform.kernel.config.modules, notifications: { ...t.platform.kernel.config.modules.notifications, smtpUrl: 'smtp://mailer:pw@127.0.0.1:1' } } } });
    expect(await unreachable.deliver(id, { lastAttempt: false })).toBe('retry');
    expect(await rowOf(id)).toMatchObject({ status: 'queued', attempts: 1, last_error: expect.stringMatching(/ECONNREFUSED|connect/i) });
  });

  it('never sends a message again once it is sent (a redelivered job)', async () => {
    const id = await enqueue('Only once');
    expect(await delivery.deliver(id, { lastAttempt: false })).toBe('sent');
    expect(await delivery.deliver(id, { lastAttempt: false })).toBe('skipped');
    expect(smtp.received.filter((m) => m.headers.subject === 'Only once')).toHaveLength(1);
    expect(await rowOf(id)).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('keeps a queued message as stored when the worker has no SMTP server', async () => {
    const id = await enqueue('No server here');
    const withoutSmtp = new MailDelivery({ ...t.platform.kernel, config: { ...t.platform.kernel.config, modules: { ...t.platform.kernel.config.modules, notifications: { ...t.platform.kernel.config.modules.notifications, smtpUrl: undefined } } } });
    expect(await withoutSmtp.deliver(id, { lastAttempt: false })).toBe('stored');
    expect(await rowOf(id)).toMatchObject({ status: 'stored', attempts: 0 });
  });

  it('does nothing for a message that does not exist', async () => {
    expect(await delivery.deliver('mail_01jaaaaaaaaaaaaaaaaaaaaaaa', { lastAttempt: true })).toBe('skipped');
  });
});
