// The outgoing-mail table protects what it holds (invitation and reset links): row-level security
// is forced, so a tenant's transaction sees only its own messages and nothing sees tenant-less mail
// outside platform scope; the application role may only insert messages and change their delivery
// state. And a message is checked before it is stored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { inTransaction, sql, type DataScope } from '../../kernel/db/database.js';
import { ValidationError } from '../../kernel/errors.js';
import { startTestPlatform, type TestPlatform } from '../../../test/support/platform.js';

let t: TestPlatform;
let owner: pg.Client;
const TENANT_A = 'ten_01jaaaaaaaaaaaaaaaaaaaaaaa';
const TENANT_B = 'ten_01jbbbbbbbbbbbbbbbbbbbbbbb';
const ids: Record<'a' | 'b' | 'platform', string> = { a: '', b: '', platform: '' };

const inScope = <T>(scope: DataScope, work: Parameters<typeof inTransaction<T>>[2]) => inTransaction(t.platform.kernel.db, { scope, actorId: 'test' }, work);
const enqueueIn = (scope: DataScope, tenantId: string | null, to = 'someone@example.com') =>
  inScope(scope, (tx) => t.platform.notifications.mailer.enqueue(tx, { to, subject: 'Hello', text: 'https://platforma.test/reset?token=s3cret', tenantId, purpose: 'test.rls' }));
const visibleIds = (scope: DataScope) => inScope(scope, async (tx) => (await sql<{ id: string }>`select id from notifications.outgoing_mail order by id`.execute(tx)).rows.map((r) => r.id));
const pgCode = async (work: Promise<unknown>) => work.then(() => 'no error', (error: { code?: string }) => error.code);

beforeAll(async () => {
  t = await startTestPlatform();
  owner = new pg.Client({ connectionString: t.database.ownerUrl });
  await owner.connect();
  ids.a = (await enqueueIn({ kind: 'tenant', tenantId: TENANT_A }, TENANT_A)).id;
  ids.b = (await enqueueIn({ kind: 'tenant', tenantId: TENANT_B }, TENANT_B)).id;
  ids.platform = (await enqueueIn({ kind: 'platform' }, null)).id;
});
afterAll(async () => {
  await owner?.end();
  await t?.close();
});

describe('row-level security on notifications.outgoing_mail', () => {
  it('is enabled and forced', async () => {
    const { rows } = await owner.query(`select relrowsecurity, relforcerowsecurity from pg_class where oid = 'notifications.outgoing_mail'::regclass`);
    expect(rows).toEqual([{ relrowsecurity: true, relforcerowsecurity: true }]);
  });

  it('shows a tenant only its own messages, nothing without a scope, everything in platform scope', async () => {
    expect(await visibleIds({ kind: 'tenant', tenantId: TENANT_A })).toEqual([ids.a]);
    expect(await visibleIds({ kind: 'tenant', tenantId: TENANT_B })).toEqual([ids.b]);
    expect(await visibleIds({ kind: 'none' })).toEqual([]);
    expect(await visibleIds({ kind: 'platform' })).toEqual([ids.a, ids.b, ids.platform].sort());
  });

  it('refuses to queue a message for another tenant, or a tenant-less one, from a tenant transaction', async () => {
    expect(await pgCode(enqueueIn({ kind: 'tenant', tenantId: TENANT_A }, TENANT_B))).toBe('42501');
    expect(await pgCode(enqueueIn({ kind: 'tenant', tenantId: TENANT_A }, null))).toBe('42501');
    expect(await pgCode(enqueueIn({ kind: 'none' }, null))).toBe('42501');
  });
});

describe('what the application role may do', () => {
  it('may change the delivery state but not the recipient or the content, and may not delete', async () => {
    const platform: DataScope = { kind: 'platform' };
    expect(await pgCode(inScope(platform, (tx) => sql`update notifications.outgoing_mail set attempts = attempts where id = ${ids.a}`.execute(tx)))).toBe('no error');
    for (const column of ['"to"', 'subject', 'text', 'html', 'tenant_id', 'purpose', 'created_at']) {
      expect(await pgCode(inScope(platform, (tx) => sql`update notifications.outgoing_mail set ${sql.raw(column)} = ${sql.raw(column)} where id = ${ids.a}`.execute(tx)))).toBe('42501');
    }
    expect(await pgCode(inScope(platform, (tx) => sql`delete from notifications.outgoing_mail where id = ${ids.a}`.execute(tx)))).toBe('42501');
  });
});

describe('enqueue checks the message', () => {
  const attempt = (message: Record<string, unknown>) =>
    inScope({ kind: 'platform' }, (tx) =>
      t.platform.notifications.mailer.enqueue(tx, { to: 'someone@example.com', subject: 'Hi', text: 'Body', purpose: 'test.validation', ...message } as never),
    ).then(
      () => undefined,
      (error: unknown) => error,
    );

  it.each([
    [{ to: 'not an address' }, '/to'],
    [{ subject: 'Injected\r\nBcc: everyone@example.com' }, '/subject'],
    [{ subject: '' }, '/subject'],
    [{ text: '' }, '/text'],
    [{ purpose: 'Has Spaces' }, '/purpose'],
    [{ tenantId: 'acme' }, '/tenantId'],
    [{ cc: 'other@example.com' }, '/cc'],
  ])('refuses %j, naming %s', async (message, pointer) => {
    const error = await attempt(message);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).fieldErrors.map((e) => e.pointer)).toContain(pointer);
  });
});
