// The transactional outbox end to end, on a started platform (pg-boss, relay and delivery worker
// running): an event exists exactly when its change committed, reaches each subscribed handler,
// is never handled twice, and a handler that fails is retried until it succeeds once.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform, type SignedInHeaders } from '../../test/support/platform.js';
import { inTransaction, sql } from './db/database.js';
import { publish, type DomainEvent } from './outbox.js';

let t: TestPlatform;
let auth: SignedInHeaders;
let owner: pg.Client;

const recorded: DomainEvent[] = [];
/** Attempts of the flaky handler per event id; the first attempt of each throws. */
const flakyAttempts = new Map<string, number>();

async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const outboxCount = async () => ((await owner.query('select count(*)::int as n from kernel.outbox')).rows[0] as { n: number }).n;
// The tenant's own events (identity answers tenant.created with the first owner's invitation, an event of its own in the same tenant).
const eventsOf = async (tenantId: string) =>
  (await owner.query("select id, type, payload, request_id, actor_id, dispatched_at from kernel.outbox where tenant_id = $1 and type like 'tenant.%' order by id", [tenantId])).rows as {
    id: string;
    type: string;
    payload: Record<string, unknown>;
    request_id: string;
    actor_id: string;
    dispatched_at: Date | null;
  }[];

async function createTenant(domain: string): Promise<{ id: string; requestId: string }> {
  const response = await t.platform.app.inject({ method: 'POST', url: '/api/v1/tenants', headers: auth, payload: { organizationName: domain, domain, adminEmail: `ops@${domain}` } });
  expect(response.statusCode, response.body).toBe(201);
  return { id: response.json().id, requestId: String(response.headers['x-request-id']) };
}

beforeAll(async () => {
  t = await startTestPlatform();
  const events = t.platform.kernel.events;
  // Subscribed before start, as modules do.
  events.subscribe({
    name: 'test-recorder',
    types: ['tenant.created', 'tenant.suspended'],
    handle: async (event) => {
      recorded.push(event);
    },
  });
  events.subscribe({
    name: 'test-flaky',
    types: ['tenant.activated'],
    handle: async (event, tx) => {
      const attempt = (flakyAttempts.get(event.id) ?? 0) + 1;
      flakyAttempts.set(event.id, attempt);
      // The handler's effect is written in its delivery transaction…
      await sql`insert into kernel.event_deliveries (event_id, handler) values (${event.id}, 'test-flaky-effect')`.execute(tx);
      // …so when the first attempt fails, that effect is rolled back with it.
      if (attempt === 1) throw new Error('transient failure on the first attempt');
    },
  });
  await t.platform.start();
  auth = await t.signIn();
  owner = new pg.Client({ connectionString: t.database.ownerUrl });
  await owner.connect();
});
afterAll(async () => {
  await owner?.end();
  await t?.close();
});

describe('delivery', () => {
  it('delivers committed tenant.created and tenant.suspended events to the subscribed handler with their payload', async () => {
    const tenant = await createTenant('delivered.example.com');
    const patched = await t.platform.app.inject({ method: 'PATCH', url: `/api/v1/tenants/${tenant.id}`, headers: auth, payload: { organizationName: 'Renamed' } });
    expect(patched.statusCode).toBe(200);
    const suspended = await t.platform.app.inject({ method: 'POST', url: `/api/v1/tenants/${tenant.id}/suspend`, headers: auth, payload: { reason: 'unpaid' } });
    expect(suspended.statusCode).toBe(200);

    const seen = await waitFor('both events to reach the handler', () => {
      const mine = recorded.filter((e) => e.tenantId === tenant.id);
      return mine.length >= 2 ? mine : undefined;
    });
    const created = seen.find((e) => e.type === 'tenant.created');
    const suspendedEvent = seen.find((e) => e.type === 'tenant.suspended');
    expect(created).toMatchObject({ tenantId: tenant.id, payload: { tenantId: tenant.id, status: 'active', version: 1 }, requestId: tenant.requestId });
    expect(created?.actorId).toMatch(/^usr_/);
    expect(suspendedEvent).toMatchObject({
      tenantId: tenant.id,
      payload: { tenantId: tenant.id, status: 'suspended', version: 3, reason: 'unpaid' },
      requestId: String(suspended.headers['x-request-id']),
    });

    // The relay marked every event of the tenant dispatched, and made delivery jobs only for
    // subscribed handlers: tenant.updated went to no test handler.
    const rows = await waitFor('every event to be dispatched', async () => {
      const all = await eventsOf(tenant.id);
      return all.every((r) => r.dispatched_at !== null) ? all : undefined;
    });
    expect(rows.map((r) => r.type)).toEqual(['tenant.created', 'tenant.updated', 'tenant.suspended']);
    const updated = rows[1]!;
    const jobs = await owner.query("select data ->> 'handler' as handler from pgboss.job where name = 'event-delivery' and data ->> 'eventId' = $1", [updated.id]);
    expect(jobs.rows.map((r: { handler: string }) => r.handler)).not.toContain('test-recorder');
    expect(recorded.filter((e) => e.id === updated.id)).toEqual([]);
  });

  it('does not run a handler again for an event it already handled', async () => {
    const tenant = await createTenant('duplicate.example.com');
    const event = await waitFor('the created event to be handled', () => recorded.find((e) => e.tenantId === tenant.id && e.type === 'tenant.created'));
    const before = recorded.length;
    expect(await t.platform.kernel.events.deliver({ eventId: event.id, handler: 'test-recorder' })).toBe('duplicate');
    expect(await t.platform.kernel.events.deliver({ eventId: event.id, handler: 'test-recorder' })).toBe('duplicate');
    expect(recorded.length).toBe(before);
    expect(recorded.filter((e) => e.id === event.id)).toHaveLength(1);
    const deliveries = await owner.query("select count(*)::int as n from kernel.event_deliveries where event_id = $1 and handler = 'test-recorder'", [event.id]);
    expect(deliveries.rows[0].n).toBe(1);
    expect(await t.platform.kernel.events.deliver({ eventId: event.id, handler: 'no-such-handler' })).toBe('unsubscribed');
  });

  it('retries a handler that fails until it succeeds, with its effect applied exactly once', async () => {
    const tenant = await createTenant('flaky.example.com');
    // Pending tenants are activated explicitly; that publishes tenant.activated.
    const pending = await t.platform.app.inject({
      method: 'POST',
      url: '/api/v1/tenants',
      headers: auth,
      payload: { organizationName: 'Pending', domain: 'pending.example.com', adminEmail: 'ops@pending.example.com', initialStatus: 'pending' },
    });
    expect(pending.statusCode).toBe(201);
    const pendingId = pending.json().id as string;
    expect((await t.platform.app.inject({ method: 'POST', url: `/api/v1/tenants/${pendingId}/activate`, headers: auth })).statusCode).toBe(200);
    const [activated] = (await eventsOf(pendingId)).filter((e) => e.type === 'tenant.activated');
    expect(activated).toBeDefined();
    const eventId = activated!.id;

    await waitFor('the handler to succeed on a retry', async () => {
      const done = await owner.query("select 1 from kernel.event_deliveries where event_id = $1 and handler = 'test-flaky'", [eventId]);
      return done.rowCount === 1 ? true : undefined;
    });
    expect(flakyAttempts.get(eventId)).toBe(2);
    const effects = await owner.query("select count(*)::int as n from kernel.event_deliveries where event_id = $1 and handler = 'test-flaky-effect'", [eventId]);
    expect(effects.rows[0].n).toBe(1);
    // Redelivery after success changes nothing.
    expect(await t.platform.kernel.events.deliver({ eventId, handler: 'test-flaky' })).toBe('duplicate');
    expect(flakyAttempts.get(eventId)).toBe(2);
    // The unrelated tenant was not affected by the failure.
    expect((await eventsOf(tenant.id)).map((e) => e.type)).toEqual(['tenant.created']);
  });
});

describe('atomicity', () => {
  it('a refused request (invalid transition) leaves no outbox row', async () => {
    const tenant = await createTenant('refused.example.com');
    const before = await outboxCount();
    const response = await t.platform.app.inject({ method: 'POST', url: `/api/v1/tenants/${tenant.id}/reactivate`, headers: auth });
    expect(response.statusCode).toBe(409);
    const stale = await t.platform.app.inject({ method: 'PATCH', url: `/api/v1/tenants/${tenant.id}`, headers: { ...auth, 'if-match': '"v9"' }, payload: { organizationName: 'Nope' } });
    expect(stale.statusCode).toBe(412);
    expect(await outboxCount()).toBe(before);
    expect((await eventsOf(tenant.id)).map((e) => e.type)).toEqual(['tenant.created']);
  });

  it('an event published in a transaction that then fails is never stored', async () => {
    const before = await outboxCount();
    const kernel = t.platform.kernel;
    let publishedId: string | undefined;
    await expect(
      inTransaction(kernel.db, { scope: { kind: 'platform' }, actorId: 'system' }, async (tx) => {
        publishedId = (await publish(tx, kernel.clock, { type: 'tenant.created', payload: { probe: true } })).id;
        throw new Error('the change failed after publishing');
      }),
    ).rejects.toThrow('the change failed after publishing');
    expect(publishedId).toMatch(/^evt_/);
    expect(await outboxCount()).toBe(before);
    expect((await owner.query('select count(*)::int as n from kernel.outbox where id = $1', [publishedId])).rows[0].n).toBe(0);
  });
});

describe('maintenance', () => {
  it('schedules the kernel-maintenance cron', async () => {
    const { rows } = await owner.query("select name, cron, timezone from pgboss.schedule where name = 'kernel-maintenance'");
    expect(rows).toEqual([{ name: 'kernel-maintenance', cron: '*/15 * * * *', timezone: 'UTC' }]);
  });

  it('schedules audit checkpoints every five minutes, and a checkpoint job records one of every chain head', async () => {
    const { rows } = await owner.query("select name, cron, timezone from pgboss.schedule where name = 'kernel-audit-checkpoint'");
    expect(rows).toEqual([{ name: 'kernel-audit-checkpoint', cron: '*/5 * * * *', timezone: 'UTC' }]);
    // What the cron sends at each tick, sent now instead of waiting for the clock.
    await t.platform.kernel.jobs.send('kernel-audit-checkpoint', {});
    const checkpoint = await waitFor('a checkpoint', async () => (await owner.query<{ body: string }>('select body from kernel.audit_checkpoints order by seq desc limit 1')).rows[0]);
    // Other work (event handlers) may append after the checkpoint: every chain is in it, at a head
    // that was really there (an entry with that seq and hash), never ahead of today's.
    const heads = (await owner.query<{ chain: string; seq: string; hash: string }>('select chain, seq, hash from kernel.audit_chain_heads')).rows;
    expect(heads.length).toBeGreaterThan(0);
    const recordedHeads = (JSON.parse(checkpoint.body) as { heads: [string, number, string][] }).heads;
    for (const head of heads) {
      const recorded = recordedHeads.find(([chain]) => chain === head.chain);
      expect(recorded, head.chain).toBeDefined();
      expect(recorded![1]).toBeLessThanOrEqual(Number(head.seq));
      const entry = await owner.query('select 1 from kernel.audit_entries where chain = $1 and seq = $2 and hash = $3', [recorded![0], recorded![1], recorded![2]]);
      expect(entry.rowCount, `${head.chain} at ${recorded![1]}`).toBe(1);
    }
  });
});
