// The audit chain across its three hash schemes: entries written by the application (scheme 1,
// before appends moved into the database) and by the first SQL append (scheme 2, a content digest
// with millisecond timestamps) keep verifying; new entries (scheme 3, every stored column hashed as
// stored) continue the same chain, and tampering with any kind is found, including what schemes 1
// and 2 did not hash (sub-millisecond times, an impersonator label without an impersonator).
import { createHash } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { AuditLog, canonicalJson, SCHEME_3_FIELDS, verifyAuditChains } from './audit.js';
import { systemClock } from './clock.js';
import { createDb, createPool, inTransaction, type Db } from './db/database.js';

let database: TestDatabase;
let db: Db;
let owner: pg.Client;
const CHAIN = 'ten_01jaaaaaaaaaaaaaaaaaaaaaaa';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDb(createPool(database.ownerUrl, 2));
  owner = new pg.Client({ connectionString: database.ownerUrl });
  await owner.connect();
});
afterAll(async () => {
  await owner?.end();
  await db?.destroy();
  await database?.drop();
});

/**
 * An entry as an earlier writer stored it. Scheme 1: the application hashed the whole content with
 * its position. Scheme 2: the application digested the content and the database linked
 * sha256(prev_hash \n seq \n digest). Both saw the time in milliseconds.
 */
async function writeOld(scheme: 1 | 2, chain: string, seq: number, prevHash: string, action: string): Promise<string> {
  const occurredAt = new Date(Date.UTC(2026, 10, 1, 12, seq));
  const content = {
    chain,
    id: `aud_${chain.slice(4)}_${seq}`,
    tenantId: chain,
    occurredAt: occurredAt.toISOString(),
    actor: ['user', 'usr_01jaaaaaaaaaaaaaaaaaaaaaaa', 'someone@example.com'],
    action,
    target: ['tenant', chain],
    before: null,
    after: { status: 'active' },
    requestId: 'req_1',
    sourceIp: '127.0.0.1',
  };
  const hash = scheme === 1 ? sha256(canonicalJson({ ...content, seq, prevHash })) : sha256(`${prevHash}\n${seq}\n${sha256(canonicalJson(content))}`);
  await owner.query(
    `insert into kernel.audit_entries (chain, seq, id, tenant_id, occurred_at, actor_type, actor_id, actor_label, action, target_type, target_id, before, after, request_id, source_ip, prev_hash, hash, hash_scheme)
     values ($1, $2, $3, $1, $4, 'user', 'usr_01jaaaaaaaaaaaaaaaaaaaaaaa', 'someone@example.com', $5, 'tenant', $1, null, '{"status":"active"}', 'req_1', '127.0.0.1', $6, $7, $8)`,
    [chain, seq, content.id, occurredAt, action, prevHash, hash, scheme],
  );
  await owner.query(
    `insert into kernel.audit_chain_heads (chain, tenant_id, seq, hash) values ($1, $1, $2, $3) on conflict (chain) do update set seq = excluded.seq, hash = excluded.hash`,
    [chain, seq, hash],
  );
  return hash;
}

/** Appends `count` entries through the application's AuditLog (scheme 3 since the fix). */
async function append(chain: string, count: number, actor: { impersonatorId?: string; impersonatorLabel?: string } = {}) {
  const audit = new AuditLog(systemClock);
  return inTransaction(db, { scope: { kind: 'platform' }, actorId: 'system' }, (tx) =>
    audit.recordAll(
      tx,
      Array.from({ length: count }, (_, n) => ({ tenantId: chain, actor: { type: 'user' as const, id: 'usr_01jbbbbbbbbbbbbbbbbbbbbbbb', ...actor }, action: `order.step_${n}`, target: { type: 'order', id: `ord_${n}` }, after: { n } })),
    ),
  );
}

const breaksOf = async (chain: string) => (await verifyAuditChains(db)).breaks.filter((found) => found.chain === chain);

describe('the audit chain', () => {
  it('verifies scheme 1 and scheme 2 entries followed by scheme 3 entries, and finds tampering in any', async () => {
    const first = await writeOld(1, CHAIN, 1, 'genesis', 'tenant.created');
    const second = await writeOld(1, CHAIN, 2, first, 'tenant.updated');
    const third = await writeOld(2, CHAIN, 3, second, 'tenant.suspended');
    const fourth = await writeOld(2, CHAIN, 4, third, 'tenant.reactivated');

    const appended = await append(CHAIN, 2);
    expect(appended.map((entry) => [entry.seq, entry.prevHash])).toEqual([
      [5, fourth],
      [6, appended[0]!.hash],
    ]);
    expect((await owner.query(`select seq::int, hash_scheme from kernel.audit_entries where chain = $1 order by seq`, [CHAIN])).rows).toEqual([
      { seq: 1, hash_scheme: 1 },
      { seq: 2, hash_scheme: 1 },
      { seq: 3, hash_scheme: 2 },
      { seq: 4, hash_scheme: 2 },
      { seq: 5, hash_scheme: 3 },
      { seq: 6, hash_scheme: 3 },
    ]);
    expect(await breaksOf(CHAIN)).toEqual([]);

    for (const [seq, column, tampered, original] of [
      [6, 'after', `'{"n": 9}'`, `'{"n": 1}'`],
      [4, 'action', `'tenant.deleted'`, `'tenant.reactivated'`],
      [2, 'action', `'tenant.deleted'`, `'tenant.updated'`],
    ] as const) {
      await owner.query(`update kernel.audit_entries set ${column} = ${tampered} where chain = $1 and seq = $2`, [CHAIN, seq]);
      expect(await breaksOf(CHAIN)).toMatchObject([{ chain: CHAIN, seq, reason: 'edited' }]);
      await owner.query(`update kernel.audit_entries set ${column} = ${original} where chain = $1 and seq = $2`, [CHAIN, seq]);
      expect(await breaksOf(CHAIN)).toEqual([]);
    }
  });

  it('hashes every stored column of an entry under scheme 3', async () => {
    const columns = (await owner.query<{ column_name: string }>(`select column_name from information_schema.columns where table_schema = 'kernel' and table_name = 'audit_entries' and column_name <> 'hash' order by ordinal_position`)).rows.map((row) => row.column_name);
    expect([...SCHEME_3_FIELDS]).toEqual(columns);
  });

  it('finds a scheme 3 entry whose time moved by less than a millisecond', async () => {
    const chain = 'ten_01jcccccccccccccccccccccc1';
    await append(chain, 2);
    expect(await breaksOf(chain)).toEqual([]);
    await owner.query(`update kernel.audit_entries set occurred_at = occurred_at + interval '500 microseconds' where chain = $1 and seq = 1`, [chain]);
    expect(await breaksOf(chain)).toMatchObject([{ chain, seq: 1, reason: 'edited' }]);
  });

  it('finds a scheme 1 or 2 entry whose time moved by less than a millisecond (their writers kept milliseconds)', async () => {
    for (const scheme of [1, 2] as const) {
      const chain = `ten_01jcccccccccccccccccccccc${scheme + 1}`;
      await writeOld(scheme, chain, 1, 'genesis', 'tenant.created');
      expect(await breaksOf(chain)).toEqual([]);
      await owner.query(`update kernel.audit_entries set occurred_at = occurred_at + interval '500 microseconds' where chain = $1 and seq = 1`, [chain]);
      expect(await breaksOf(chain)).toMatchObject([{ chain, seq: 1, reason: 'edited', message: expect.stringContaining('finer than the milliseconds') }]);
    }
  });

  it('refuses an impersonator label without an impersonator, and finds one written past the constraint', async () => {
    const chain = 'ten_01jddddddddddddddddddddddd';
    await append(chain, 1);
    const impersonated = await append(chain, 1, { impersonatorId: 'usr_01jeeeeeeeeeeeeeeeeeeeeeee', impersonatorLabel: 'staff@example.com' });
    const oldChain = 'ten_01jdddddddddddddddddddddd2';
    await writeOld(2, oldChain, 1, 'genesis', 'tenant.created');
    expect(await breaksOf(chain)).toEqual([]);
    expect(impersonated[0]!.actor).toMatchObject({ impersonatorId: 'usr_01jeeeeeeeeeeeeeeeeeeeeeee', impersonatorLabel: 'staff@example.com' });

    await expect(owner.query(`update kernel.audit_entries set actor_impersonator_label = 'staff@example.com' where chain = $1 and seq = 1`, [chain])).rejects.toMatchObject({ code: '23514' });
    // The owner can drop the constraint; the hash (scheme 3) or verification (schemes 1, 2) still tells.
    await owner.query('alter table kernel.audit_entries drop constraint audit_entries_impersonator_label_needs_id');
    try {
      await owner.query(`update kernel.audit_entries set actor_impersonator_label = 'staff@example.com' where chain = $1 and seq = 1`, [chain]);
      await owner.query(`update kernel.audit_entries set actor_impersonator_label = 'staff@example.com' where chain = $1 and seq = 1`, [oldChain]);
      expect(await breaksOf(chain)).toMatchObject([{ chain, seq: 1, reason: 'edited' }]);
      expect(await breaksOf(oldChain)).toMatchObject([{ chain: oldChain, seq: 1, reason: 'edited', message: expect.stringContaining('impersonator label without an impersonator') }]);
    } finally {
      await owner.query(`update kernel.audit_entries set actor_impersonator_label = null where chain in ($1, $2) and seq = 1`, [chain, oldChain]);
      await owner.query(`alter table kernel.audit_entries add constraint audit_entries_impersonator_label_needs_id check (actor_impersonator_label is null or actor_impersonator_id is not null) not valid`);
    }
  });

  it('finds an entry rewritten under an older scheme after a newer one', async () => {
    const chain = 'ten_01jfffffffffffffffffffffff';
    const [entry] = await append(chain, 1);
    // What scheme 2 would have made of the same row: valid under scheme 2, so only the order of schemes tells.
    await writeOld(2, chain, 2, entry!.hash, 'tenant.updated');
    expect(await breaksOf(chain)).toMatchObject([{ chain, seq: 2, reason: 'edited', message: expect.stringContaining('hash scheme 2 after scheme 3') }]);
  });
});
