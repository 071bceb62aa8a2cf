// The audit chain across its two hash schemes: entries written by the application (scheme 1, before
// appends moved into the database) keep verifying, new entries (scheme 2, linked by
// kernel.append_audit_entries) continue the same chain, and tampering with either kind is found.
import { createHash } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { AuditLog, canonicalJson, verifyAuditChains } from './audit.js';
import { systemClock } from './clock.js';
import { createDb, createPool, inTransaction, type Db } from './db/database.js';

let database: TestDatabase;
let db: Db;
let owner: pg.Client;
const CHAIN = 'ten_01jaaaaaaaaaaaaaaaaaaaaaaa';

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

/** A scheme 1 entry as the application wrote it before: the whole content with its position, hashed. */
async function writeSchemeOne(seq: number, prevHash: string, action: string): Promise<string> {
  const occurredAt = new Date(Date.UTC(2026, 10, 1, 12, seq));
  const content = {
    chain: CHAIN,
    seq,
    id: `aud_01jaaaaaaaaaaaaaaaaaaaaaa${seq}`,
    tenantId: CHAIN,
    occurredAt: occurredAt.toISOString(),
    actor: ['user', 'usr_01jaaaaaaaaaaaaaaaaaaaaaaa', 'someone@example.com'],
    action,
    target: ['tenant', CHAIN],
    before: null,
    after: { status: 'active' },
    requestId: 'req_1',
    sourceIp: '127.0.0.1',
    prevHash,
  };
  const hash = createHash('sha256').update(canonicalJson(content)).digest('hex');
  await owner.query(
    `insert into kernel.audit_entries (chain, seq, id, tenant_id, occurred_at, actor_type, actor_id, actor_label, action, target_type, target_id, before, after, request_id, source_ip, prev_hash, hash)
     values ($1, $2, $3, $1, $4, 'user', 'usr_01jaaaaaaaaaaaaaaaaaaaaaaa', 'someone@example.com', $5, 'tenant', $1, null, '{"status":"active"}', 'req_1', '127.0.0.1', $6, $7)`,
    [CHAIN, seq, content.id, occurredAt, action, prevHash, hash],
  );
  return hash;
}

describe('the audit chain', () => {
  it('verifies scheme 1 entries followed by entries the database linked, and finds tampering in either', async () => {
    const first = await writeSchemeOne(1, 'genesis', 'tenant.created');
    const second = await writeSchemeOne(2, first, 'tenant.updated');
    await owner.query(`insert into kernel.audit_chain_heads (chain, tenant_id, seq, hash) values ($1, $1, 2, $2)`, [CHAIN, second]);

    const audit = new AuditLog(systemClock);
    const appended = await inTransaction(db, { scope: { kind: 'platform' }, actorId: 'system' }, (tx) =>
      audit.recordAll(tx, [1, 2].map((n) => ({ tenantId: CHAIN, actor: { type: 'system' as const, id: 'system' }, action: `order.step_${n}`, target: { type: 'order', id: `ord_${n}` }, after: { n } }))),
    );
    expect(appended.map((entry) => [entry.seq, entry.prevHash])).toEqual([
      [3, second],
      [4, appended[0]!.hash],
    ]);
    expect((await owner.query(`select seq::int, hash_scheme from kernel.audit_entries where chain = $1 order by seq`, [CHAIN])).rows).toEqual([
      { seq: 1, hash_scheme: 1 },
      { seq: 2, hash_scheme: 1 },
      { seq: 3, hash_scheme: 2 },
      { seq: 4, hash_scheme: 2 },
    ]);
    expect((await verifyAuditChains(db)).breaks).toEqual([]);

    await owner.query(`update kernel.audit_entries set after = '{"n": 9}' where chain = $1 and seq = 4`, [CHAIN]);
    expect((await verifyAuditChains(db)).breaks).toMatchObject([{ chain: CHAIN, seq: 4, reason: 'edited' }]);
    await owner.query(`update kernel.audit_entries set after = '{"n": 2}' where chain = $1 and seq = 4`, [CHAIN]);
    await owner.query(`update kernel.audit_entries set action = 'tenant.deleted' where chain = $1 and seq = 2`, [CHAIN]);
    expect((await verifyAuditChains(db)).breaks).toMatchObject([{ chain: CHAIN, seq: 2, reason: 'edited' }]);
  });
});
