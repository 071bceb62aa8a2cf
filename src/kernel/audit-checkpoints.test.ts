// Signed checkpoints of the audit chain heads, as the workers record them (the application role):
// linked one to the next, recorded only when a head moved, never changeable or removable by the
// role that writes them, invisible outside platform scope; and what verification makes of them.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { AuditLog, verifyAuditChains } from './audit.js';
import { AuditSigner, createAuditCheckpoint } from './audit-checkpoints.js';
import { systemClock } from './clock.js';
import { createDb, createPool, inTransaction, type Db } from './db/database.js';

let database: TestDatabase;
/** The application role, as the workers use it. */
let db: Db;
let owner: pg.Client;
const signer = new AuditSigner(randomBytes(32));
const CHAIN = 'ten_01jaaaaaaaaaaaaaaaaaaaaaaa';

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDb(createPool(database.appUrl, 2));
  owner = new pg.Client({ connectionString: database.ownerUrl });
  await owner.connect();
});
afterAll(async () => {
  await owner?.end();
  await db?.destroy();
  await database?.drop();
});

const append = (chain: string) =>
  inTransaction(db, { scope: { kind: 'platform' }, actorId: 'system' }, (tx) =>
    new AuditLog(systemClock).record(tx, { tenantId: chain, actor: { type: 'system', id: 'system' }, action: 'tenant.updated', target: { type: 'tenant', id: chain } }),
  );

describe('audit checkpoints', () => {
  it('are linked, recorded only when a head moved, and out of the application role’s reach', async () => {
    await append(CHAIN);
    const first = await createAuditCheckpoint(db, signer, systemClock);
    expect(first).toMatchObject({ created: true, checkpoint: { seq: 1, chains: 1, publicKey: signer.publicKey } });
    expect(await createAuditCheckpoint(db, signer, systemClock)).toMatchObject({ created: false, checkpoint: { seq: 1 } });
    await append(CHAIN);
    const second = await createAuditCheckpoint(db, signer, systemClock);
    expect(second).toMatchObject({ created: true, checkpoint: { seq: 2 } });
    const { rows } = await owner.query<{ body: string }>('select body from kernel.audit_checkpoints where seq = 2');
    expect(JSON.parse(rows[0]!.body)).toMatchObject({ seq: 2, prevHash: first.checkpoint.hash, heads: [[CHAIN, 2, expect.any(String)]] });

    const report = await verifyAuditChains(db, { trustedKeys: [signer.publicKey] });
    expect(report.breaks).toEqual([]);
    expect(report.checkpoints).toMatchObject({ checkpoints: 2, breaks: [], keys: 'trusted', latest: { seq: 2 } });

    const app = new pg.Client({ connectionString: database.appUrl });
    await app.connect();
    try {
      for (const statement of [`update kernel.audit_checkpoints set body = '{}'`, 'delete from kernel.audit_checkpoints']) {
        await app.query('begin');
        try {
          await app.query("select set_config('app.platform_scope', 'on', true)");
          await expect(app.query(statement)).rejects.toMatchObject({ code: '42501' });
        } finally {
          await app.query('rollback');
        }
      }
      // A tenant's session does not see the list of every tenant's chain.
      await app.query('begin');
      await app.query("select set_config('app.tenant_id', $1, true)", [CHAIN]);
      expect((await app.query('select * from kernel.audit_checkpoints')).rows).toEqual([]);
      await app.query('rollback');
    } finally {
      await app.end();
    }
  });

  it('are found missing when one in the middle was deleted', async () => {
    await append(CHAIN);
    await createAuditCheckpoint(db, signer, systemClock);
    await owner.query('delete from kernel.audit_checkpoints where seq = 2');
    const report = await verifyAuditChains(db, { trustedKeys: [signer.publicKey] });
    expect(report.checkpoints.breaks).toEqual([{ seq: null, message: 'checkpoint #2 is missing (next present is #3)' }]);
  });
});
