// Without SMTP_URL nothing is sent: messages are kept as `stored`, and platform staff read them in
// the mail outbox (GET /api/v1/mail, /api/v1/mail/{id}). Lists never carry bodies; reading a
// message (which may hold an invitation or reset link) is recorded in the audit log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { inTransaction } from '../../src/kernel/db/database.js';
import { startTestPlatform, problemOf, type TestPlatform, type SignedInHeaders } from '../support/platform.js';

let t: TestPlatform;
let auth: SignedInHeaders;
let owner: pg.Client;
const ids: string[] = [];

const TENANT = 'ten_01jbbbbbbbbbbbbbbbbbbbbbbb';

beforeAll(async () => {
  // Started like a server (workers running) but with no SMTP_URL.
  t = await startTestPlatform({ start: true });
  auth = await t.signIn();
  owner = new pg.Client({ connectionString: t.database.ownerUrl });
  await owner.connect();
  const messages = [
    { to: 'alice@example.com', subject: 'Reset your password', text: 'Reset: https://platforma.test/reset?token=secret-1', purpose: 'identity.password_reset' },
    { to: 'Bob@Example.com', subject: 'You are invited', text: 'Join: https://platforma.test/accept?token=secret-2', html: '<a href="https://platforma.test/accept?token=secret-2">Join</a>', purpose: 'identity.invitation', tenantId: TENANT },
    { to: 'alice@example.com', subject: 'Verify your email', text: 'Verify: https://platforma.test/verify?token=secret-3', purpose: 'identity.email_verification' },
  ];
  for (const message of messages) {
    const { id } = await inTransaction(t.platform.kernel.db, { scope: { kind: 'platform' }, actorId: 'test' }, (tx) => t.platform.notifications.mailer.enqueue(tx, message));
    ids.push(id);
  }
});
afterAll(async () => {
  await owner?.end();
  await t?.close();
});

const get = (url: string, headers: Record<string, string> = auth) => t.platform.app.inject({ method: 'GET', url, headers });

describe('without SMTP_URL', () => {
  it('stores messages instead of sending them, with no delivery job', async () => {
    const { rows } = await owner.query('select id, status, attempts from notifications.outgoing_mail order by id');
    expect(rows).toEqual(ids.map((id) => ({ id, status: 'stored', attempts: 0 })));
    const jobs = await owner.query(`select count(*)::int as n from pgboss.job where name = 'notifications-mail'`);
    expect(jobs.rows[0].n).toBe(0);
  });
});

describe('the mail outbox API', () => {
  it('lists newest first, without bodies', async () => {
    const response = await get('/api/v1/mail');
    expect(response.statusCode).toBe(200);
    const page = response.json();
    expect(page.data.map((m: { id: string }) => m.id)).toEqual([...ids].reverse());
    expect(page.nextCursor).toBeNull();
    expect(page.data[1]).toEqual({
      id: ids[1],
      tenantId: TENANT,
      to: 'Bob@Example.com',
      subject: 'You are invited',
      purpose: 'identity.invitation',
      status: 'stored',
      attempts: 0,
      lastError: null,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      sentAt: null,
    });
    expect(response.body).not.toContain('secret-');
  });

  it('filters by recipient (case-insensitive) and status, and pages with a cursor', async () => {
    const bob = (await get('/api/v1/mail?to=bob@example.com')).json();
    expect(bob.data.map((m: { id: string }) => m.id)).toEqual([ids[1]]);
    expect((await get('/api/v1/mail?status=sent')).json().data).toEqual([]);
    expect((await get('/api/v1/mail?status=stored')).json().data).toHaveLength(3);

    const first = (await get('/api/v1/mail?to=alice@example.com&limit=1')).json();
    expect(first.data.map((m: { id: string }) => m.id)).toEqual([ids[2]]);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = (await get(`/api/v1/mail?to=alice@example.com&limit=1&cursor=${first.nextCursor}`)).json();
    expect(second.data.map((m: { id: string }) => m.id)).toEqual([ids[0]]);
    expect(second.nextCursor).toBeNull();

    const bad = await get('/api/v1/mail?cursor=not-a-cursor');
    expect(bad.statusCode).toBe(400);
    expect(problemOf(bad).code).toBe('PLAT_VALIDATION_FAILED');
    expect((await get('/api/v1/mail?status=bounced')).statusCode).toBe(400);
  });

  it('shows one message with its bodies, and records the read in the audit log', async () => {
    const response = await get(`/api/v1/mail/${ids[1]}`);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      id: ids[1],
      to: 'Bob@Example.com',
      text: 'Join: https://platforma.test/accept?token=secret-2',
      html: '<a href="https://platforma.test/accept?token=secret-2">Join</a>',
      status: 'stored',
    });
    expect((await get(`/api/v1/mail/${ids[0]}`)).json().html).toBeNull();
    const audit = await owner.query(`select chain, actor_type, actor_label, request_id from kernel.audit_entries where action = 'mail.read' and target_id = $1`, [ids[1]]);
    expect(audit.rows).toEqual([{ chain: 'platform', actor_type: 'user', actor_label: 'admin@example.com', request_id: String(response.headers['x-request-id']) }]);
  });

  it('answers 404 for an unknown message and 400 for a malformed id', async () => {
    const missing = await get('/api/v1/mail/mail_01jaaaaaaaaaaaaaaaaaaaaaaa');
    expect(missing.statusCode).toBe(404);
    expect(problemOf(missing).code).toBe('PLAT_NOT_FOUND');
    expect((await get('/api/v1/mail/ten_01jaaaaaaaaaaaaaaaaaaaaaaa')).statusCode).toBe(400);
  });

  it('refuses callers who are not signed in with 401', async () => {
    for (const url of ['/api/v1/mail', `/api/v1/mail/${ids[1]}`]) {
      const response = await get(url, {});
      expect(response.statusCode).toBe(401);
      expect(problemOf(response).code).toBe('PLAT_UNAUTHENTICATED');
      expect(response.body).not.toContain('secret-');
    }
  });
});
