// Dead letters of the outbox, on a started platform: a handler that keeps failing ends dead after
// its last retry (recorded outside its rolled-back transaction), shows in the operators' list and
// the metrics, and a replay after the handler is fixed delivers it exactly once, however often the
// replay is asked for.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, problemOf, startTestPlatform, type SignedInHeaders, type TestPlatform } from '../support/platform.js';
import { inTransaction, sql } from '../../src/kernel/db/database.js';
import { publish } from '../../src/kernel/outbox.js';
import { systemContext } from '../../src/kernel/context.js';

let t: TestPlatform;
let staff: SignedInHeaders;
let owner: pg.Client;

/** Attempts and successful runs of the handler under test, per event id. */
const attempts = new Map<string, number>();
const handled = new Map<string, number>();
let broken = true;

async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function publishProbe(): Promise<string> {
  const kernel = t.platform.kernel;
  return inTransaction(kernel.db, { scope: { kind: 'platform' }, actorId: 'system' }, async (tx) => (await publish(tx, kernel.clock, { type: 'test.dead-letter-probe', payload: { probe: true } })).id);
}

const deadLetterOf = async (eventId: string) =>
  (await owner.query<{ id: string; attempts: number; last_error: string; replayed_at: Date | null; event_type: string }>("select * from kernel.event_dead_letters where event_id = $1 and handler = 'test-dead-letters'", [eventId])).rows[0];

beforeAll(async () => {
  t = await startTestPlatform();
  t.platform.kernel.events.subscribe({
    name: 'test-dead-letters',
    types: ['test.dead-letter-probe'],
    // Two retries, at once: three attempts in all.
    retry: { limit: 2, delaySeconds: 0, backoff: false },
    handle: async (event, tx) => {
      attempts.set(event.id, (attempts.get(event.id) ?? 0) + 1);
      // An effect in the delivery's transaction: rolled back with every failed attempt.
      await sql`insert into kernel.event_deliveries (event_id, handler) values (${event.id}, 'test-dead-letters-effect')`.execute(tx);
      if (broken) throw new Error('the handler is broken');
      handled.set(event.id, (handled.get(event.id) ?? 0) + 1);
    },
  });
  await t.platform.start();
  staff = await t.signIn();
  owner = new pg.Client({ connectionString: t.database.ownerUrl });
  await owner.connect();
});
afterAll(async () => {
  await owner?.end();
  await t?.close();
});

describe('a delivery that fails its last retry', () => {
  let eventId: string;
  let deadLetterId: string;

  it('is recorded as dead with its attempts and last error, and nothing of its attempts is kept', async () => {
    eventId = await publishProbe();
    const dead = await waitFor('the dead letter', () => deadLetterOf(eventId));
    deadLetterId = dead.id;
    expect(dead).toMatchObject({ attempts: 3, last_error: 'the handler is broken', replayed_at: null, event_type: 'test.dead-letter-probe' });
    expect(dead.id).toMatch(/^dlq_/);
    expect(attempts.get(eventId)).toBe(3);
    const kept = await owner.query("select handler from kernel.event_deliveries where event_id = $1 and handler like 'test-dead-letters%'", [eventId]);
    expect(kept.rows).toEqual([]);
    // The dead letter is written by the last attempt itself; pg-boss marks the job failed a moment
    // after that attempt throws, so wait for the job's final state (it must end failed, not completed).
    const states = async () => (await owner.query("select state from pgboss.job where name = 'event-delivery' and data ->> 'eventId' = $1", [eventId])).rows.map((r: { state: string }) => r.state);
    await waitFor('the job to end', async () => ((await states()).some((state) => state === 'active' || state === 'retry' || state === 'created') ? undefined : true));
    expect(await states()).toEqual(['failed']);
  });

  it('is listed for platform staff and counted by the dead-letter gauge', async () => {
    const listed = await t.platform.app.inject({ method: 'GET', url: `/api/v1/event-dead-letters?eventId=${eventId}`, headers: staff });
    expect(listed.statusCode, listed.body).toBe(200);
    expect(listed.json().data).toEqual([
      expect.objectContaining({ id: deadLetterId, eventId, handler: 'test-dead-letters', eventType: 'test.dead-letter-probe', attempts: 3, lastError: 'the handler is broken', replayedAt: null }),
    ]);
    const metrics = await t.platform.kernel.metrics.registry.getSingleMetricAsString('platforma_event_dead_letters');
    expect(metrics).toMatch(/^platforma_event_dead_letters 1$/m);
  });

  it('is refused to a tenant’s owner', async () => {
    const tenant = await t.platform.app.inject({ method: 'POST', url: '/api/v1/tenants', headers: staff, payload: { organizationName: 'Dead', domain: 'dead.example.com', adminEmail: 'ops@dead.example.com' } });
    expect(tenant.statusCode).toBe(201);
    await t.platform.identity.service.createUser({ email: 'owner@dead.example.com', password: 'dead letter owner passphrase' }, systemContext('test'));
    await addMember(t.platform, tenant.json().id, 'owner@dead.example.com', 'owner');
    const ownerHeaders = await t.signIn('owner@dead.example.com', 'dead letter owner passphrase');
    const listed = await t.platform.app.inject({ method: 'GET', url: '/api/v1/event-dead-letters', headers: ownerHeaders });
    expect(problemOf(listed)).toMatchObject({ status: 403 });
    const replayed = await t.platform.app.inject({ method: 'POST', url: `/api/v1/event-dead-letters/${deadLetterId}/replay`, headers: ownerHeaders, payload: {} });
    expect(problemOf(replayed)).toMatchObject({ status: 403 });
    expect((await deadLetterOf(eventId))?.replayed_at).toBeNull();
  });

  it('is delivered once by a replay after the handler is fixed, and a second replay delivers nothing', async () => {
    broken = false;
    const replayed = await t.platform.app.inject({ method: 'POST', url: `/api/v1/event-dead-letters/${deadLetterId}/replay`, headers: staff, payload: {} });
    expect(replayed.statusCode, replayed.body).toBe(200);
    expect(replayed.json()).toMatchObject({ id: deadLetterId, replayedBy: expect.stringMatching(/^usr_/) });

    await waitFor('the replayed delivery', async () => ((await owner.query("select 1 from kernel.event_deliveries where event_id = $1 and handler = 'test-dead-letters'", [eventId])).rowCount === 1 ? true : undefined));
    expect(handled.get(eventId)).toBe(1);

    // Asked again: refused by id, nothing to do by filter, and a stray duplicate job is recognised.
    const again = await t.platform.app.inject({ method: 'POST', url: `/api/v1/event-dead-letters/${deadLetterId}/replay`, headers: staff, payload: {} });
    expect(problemOf(again)).toMatchObject({ status: 409, code: 'PLAT_CONFLICT' });
    expect(await t.platform.kernel.events.replayDeadLetters({ eventId })).toEqual([]);
    const bulk = await t.platform.app.inject({ method: 'POST', url: '/api/v1/event-dead-letters/replay', headers: staff, payload: { handler: 'test-dead-letters' } });
    expect(bulk.json()).toEqual({ data: [] });
    expect(await t.platform.kernel.events.deliver({ eventId, handler: 'test-dead-letters' })).toBe('duplicate');
    expect(handled.get(eventId)).toBe(1);
    const effects = await owner.query("select count(*)::int as n from kernel.event_deliveries where event_id = $1 and handler = 'test-dead-letters-effect'", [eventId]);
    expect(effects.rows[0].n).toBe(1);

    // The replay is in the audit log, and the gauge is back to zero.
    const audited = await owner.query("select actor_id, target_id from kernel.audit_entries where action = 'operations.dead-letter.replayed'");
    expect(audited.rows).toEqual([expect.objectContaining({ target_id: deadLetterId })]);
    expect(await t.platform.kernel.metrics.registry.getSingleMetricAsString('platforma_event_dead_letters')).toMatch(/^platforma_event_dead_letters 0$/m);
    const listed = await t.platform.app.inject({ method: 'GET', url: `/api/v1/event-dead-letters?state=replayed&eventId=${eventId}`, headers: staff });
    expect(listed.json().data).toHaveLength(1);
  });

  it('fails alone: the other deliveries of its batch are not retried with it', async () => {
    broken = true;
    const failing = await publishProbe();
    const tenant = await t.platform.app.inject({ method: 'POST', url: '/api/v1/tenants', headers: staff, payload: { organizationName: 'Batch', domain: 'batch.example.com', adminEmail: 'ops@batch.example.com' } });
    expect(tenant.statusCode).toBe(201);
    await waitFor('the second dead letter', () => deadLetterOf(failing));
    const others = await owner.query<{ retry_count: number }>("select retry_count from pgboss.job where name = 'event-delivery' and data ->> 'eventId' in (select id from kernel.outbox where tenant_id = $1)", [tenant.json().id]);
    expect(others.rows.length).toBeGreaterThan(0);
    for (const job of others.rows) expect(job.retry_count).toBe(0);
  });
});
