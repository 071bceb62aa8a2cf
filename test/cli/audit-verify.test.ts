// `platforma audit verify`, the real command in a real process: an intact audit log passes; an
// edited, deleted, reordered or truncated entry (by someone with the owner's credentials, since the
// application role cannot change audit rows at all) fails with exit 1 naming the first broken entry.
// `platforma audit checkpoint` records a signed checkpoint of the chain heads after the API wrote the
// chains, so cutting entries with their head, deleting a whole chain, or touching the checkpoint
// itself fails too.
import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { runCli } from '../support/cli.js';
import { AuditSigner } from '../../src/kernel/audit-checkpoints.js';

let t: TestPlatform;
let tenantId: string;
/** The tenant's chain as written: id by seq. */
let chain: { seq: number; id: string }[];
const clones: TestDatabase[] = [];
/** The installation's checkpoint signing key, as an operator would set it. */
const SIGNING_KEY = randomBytes(32);
/** What `audit checkpoint` printed: the checkpoint to keep, as seq:hash. */
let kept: string;

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A copy of the database as the API left it, tampered with by `tamper` over the owner connection. */
async function tamperedCopy(tamper: (owner: pg.Client) => Promise<void>): Promise<TestDatabase> {
  const copy = await createTestDatabase(t.database.name);
  clones.push(copy);
  await withClient(copy.ownerUrl, tamper);
  return copy;
}

const verify = (database: { ownerUrl: string }, args: string[] = []) =>
  runCli(['audit', 'verify', ...args], { DATABASE_URL: database.ownerUrl, PLATFORMA_AUDIT_SIGNING_KEY: SIGNING_KEY.toString('base64') });
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

beforeAll(async () => {
  t = await startTestPlatform();
  const auth = await t.signIn();
  const app = t.platform.app;
  const created = await app.inject({ method: 'POST', url: '/api/v1/tenants', headers: auth, payload: { organizationName: 'Chain Co', domain: 'chain.example.com', adminEmail: 'ops@chain.example.com' } });
  tenantId = created.json().id;
  const steps = [
    { method: 'PATCH' as const, url: `/api/v1/tenants/${tenantId}`, payload: { organizationName: 'Chain Co Ltd' } },
    { method: 'POST' as const, url: `/api/v1/tenants/${tenantId}/suspend`, payload: { reason: 'unpaid' } },
    { method: 'POST' as const, url: `/api/v1/tenants/${tenantId}/reactivate`, payload: {} },
    { method: 'PATCH' as const, url: `/api/v1/tenants/${tenantId}`, payload: { settings: { branding: { primaryColor: '#123456' } } } },
  ];
  for (const step of steps) expect((await app.inject({ ...step, headers: auth })).statusCode).toBe(200);
  // Another tenant's chain, which must stay intact whatever happens to the first.
  expect((await app.inject({ method: 'POST', url: '/api/v1/tenants', headers: auth, payload: { organizationName: 'Other', domain: 'other.example.com', adminEmail: 'ops@other.example.com' } })).statusCode).toBe(201);
  chain = await withClient(t.database.ownerUrl, async (owner) => (await owner.query('select seq::int as seq, id from kernel.audit_entries where chain = $1 order by seq', [tenantId])).rows);
  // Release the platform's connections so the database can serve as a template for tampered copies.
  await t.platform.close();
  const checkpoint = await runCli(['audit', 'checkpoint'], { DATABASE_URL: t.database.ownerUrl, PLATFORMA_AUDIT_SIGNING_KEY: SIGNING_KEY.toString('base64') });
  expect(checkpoint.stderr).toMatch(/^Using DATABASE_URL \S+\.\n$/);
  expect(checkpoint.code).toBe(0);
  expect(checkpoint.stdout).toContain('Recorded checkpoint #1 of 3 chain(s)');
  expect(checkpoint.stdout).toContain(`public key: ${new AuditSigner(SIGNING_KEY).publicKey}`);
  kept = /checkpoint: (\d+:[0-9a-f]{64})/.exec(checkpoint.stdout)![1]!;
});
afterAll(async () => {
  for (const clone of clones) await clone.drop();
  await t?.database.drop();
});

describe('the application role', () => {
  it('may not update or delete audit entries, even in platform scope', async () => {
    await withClient(t.database.appUrl, async (app) => {
      for (const statement of [`update kernel.audit_entries set after = '{"tampered": true}'::jsonb where chain = $1`, 'delete from kernel.audit_entries where chain = $1']) {
        await app.query('begin');
        try {
          await app.query("select set_config('app.platform_scope', 'on', true)");
          await expect(app.query(statement, [tenantId])).rejects.toMatchObject({ code: '42501', message: expect.stringMatching(/permission denied/) });
        } finally {
          await app.query('rollback');
        }
      }
    });
  });
});

describe('platforma audit verify', () => {
  it('has a chain of five entries to work with', () => {
    expect(chain.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
  });

  it.concurrent('exits 0 and reports an intact log', async ({ expect }) => {
    const result = await verify(t.database);
    expect(result.stderr).toMatch(/^Using DATABASE_URL \S+\.\n$/);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Audit log intact: 3 chain\(s\), \d+ entries verified/);
  });

  it.concurrent('exits 1 naming the id and seq of an edited entry', async ({ expect }) => {
    const edited = chain[1]!;
    const copy = await tamperedCopy(async (owner) => {
      const result = await owner.query(`update kernel.audit_entries set after = jsonb_set(after, '{organizationName}', '"Someone Else"') where id = $1`, [edited.id]);
      expect(result.rowCount).toBe(1);
    });
    const result = await verify(copy);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`BROKEN chain ${tenantId} at #${edited.seq} (${edited.id}): edited`);
    expect(result.stderr).toContain('1 of 3 chain(s) broken');
  });

  it.concurrent('exits 1 naming the seq of a deleted middle entry', async ({ expect }) => {
    const copy = await tamperedCopy(async (owner) => {
      expect((await owner.query('delete from kernel.audit_entries where chain = $1 and seq = 3', [tenantId])).rowCount).toBe(1);
    });
    const result = await verify(copy);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`BROKEN chain ${tenantId} at #3: deleted: entry #3 is missing`);
  });

  it.concurrent('exits 1 naming the first broken seq when two entries swap places', async ({ expect }) => {
    const copy = await tamperedCopy(async (owner) => {
      await owner.query('begin');
      await owner.query('update kernel.audit_entries set seq = 1000 where chain = $1 and seq = 2', [tenantId]);
      await owner.query('update kernel.audit_entries set seq = 2 where chain = $1 and seq = 4', [tenantId]);
      await owner.query('update kernel.audit_entries set seq = 4 where chain = $1 and seq = 1000', [tenantId]);
      await owner.query('commit');
    });
    const result = await verify(copy);
    expect(result.code).toBe(1);
    // Position 2 now holds what was written as #4.
    expect(result.stderr).toContain(`BROKEN chain ${tenantId} at #2 (${chain[3]!.id}): reordered`);
    expect(result.stderr).toContain('it was written as #4');
  });

  it.concurrent('exits 1 when the newest entry was deleted (a truncated chain)', async ({ expect }) => {
    const copy = await tamperedCopy(async (owner) => {
      expect((await owner.query('delete from kernel.audit_entries where chain = $1 and seq = 5', [tenantId])).rowCount).toBe(1);
    });
    const result = await verify(copy);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`BROKEN chain ${tenantId} at #5: truncated: the chain ends at #4 but its head records #5`);
  });
});

describe('platforma audit verify with signed checkpoints', () => {
  it.concurrent('says the heads match the checkpoint, signed by the trusted key', async ({ expect }) => {
    const result = await verify(t.database, ['--checkpoint', kept]);
    expect(result.stderr).toMatch(/^Using DATABASE_URL \S+\.\n$/);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/chain heads match checkpoint #1 of \S+ \(1 checkpoint\(s\), signatures checked against trusted keys\)/);
  });

  it.concurrent('exits 1 when the newest entry was deleted and the head moved back to the one before', async ({ expect }) => {
    const copy = await tamperedCopy(async (owner) => {
      expect((await owner.query('delete from kernel.audit_entries where chain = $1 and seq = 5', [tenantId])).rowCount).toBe(1);
      await owner.query('update kernel.audit_chain_heads set seq = 4, hash = (select hash from kernel.audit_entries where chain = $1 and seq = 4) where chain = $1', [tenantId]);
    });
    const result = await verify(copy);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`BROKEN chain ${tenantId} at #5: truncated: the chain ends at #4 but checkpoint #1`);
    expect(result.stderr).toContain('recorded its head at #5');
  });

  it.concurrent('exits 1 when a whole tenant chain was deleted with its head', async ({ expect }) => {
    const copy = await tamperedCopy(async (owner) => {
      expect((await owner.query('delete from kernel.audit_entries where chain = $1', [tenantId])).rowCount).toBe(5);
      expect((await owner.query('delete from kernel.audit_chain_heads where chain = $1', [tenantId])).rowCount).toBe(1);
    });
    const result = await verify(copy);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`BROKEN chain ${tenantId} at #1: truncated: the whole chain is gone: checkpoint #1`);
    expect(result.stderr).toContain('1 of 3 chain(s) broken');
  });

  it.concurrent('exits 1 when an entry’s time moved by half a millisecond', async ({ expect }) => {
    const moved = chain[1]!;
    const copy = await tamperedCopy(async (owner) => {
      expect((await owner.query(`update kernel.audit_entries set occurred_at = occurred_at + interval '500 microseconds' where id = $1`, [moved.id])).rowCount).toBe(1);
    });
    const result = await verify(copy);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`BROKEN chain ${tenantId} at #${moved.seq} (${moved.id}): edited`);
  });

  it.concurrent('refuses an impersonator label without an impersonator, and exits 1 when one is forced in', async ({ expect }) => {
    const labelled = chain[1]!;
    const copy = await tamperedCopy(async (owner) => {
      await expect(owner.query(`update kernel.audit_entries set actor_impersonator_label = 'staff@example.com' where id = $1`, [labelled.id])).rejects.toMatchObject({ code: '23514' });
      await owner.query('alter table kernel.audit_entries drop constraint audit_entries_impersonator_label_needs_id');
      expect((await owner.query(`update kernel.audit_entries set actor_impersonator_label = 'staff@example.com' where id = $1`, [labelled.id])).rowCount).toBe(1);
    });
    const result = await verify(copy);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`BROKEN chain ${tenantId} at #${labelled.seq} (${labelled.id}): edited`);
  });

  it.concurrent('exits 1 when a checkpoint was altered to hide a truncation (its signature no longer verifies)', async ({ expect }) => {
    const copy = await tamperedCopy(async (owner) => {
      const { body } = (await owner.query<{ body: string }>('select body from kernel.audit_checkpoints where seq = 1')).rows[0]!;
      const parsed = JSON.parse(body) as { heads: [string, number, string][] };
      const fourth = (await owner.query<{ hash: string }>('select hash from kernel.audit_entries where chain = $1 and seq = 4', [tenantId])).rows[0]!.hash;
      parsed.heads = parsed.heads.map((head) => (head[0] === tenantId ? [tenantId, 4, fourth] : head));
      const forged = JSON.stringify(parsed);
      await owner.query('update kernel.audit_checkpoints set body = $1, hash = $2', [forged, sha256(forged)]);
      await owner.query('delete from kernel.audit_entries where chain = $1 and seq = 5', [tenantId]);
      await owner.query('update kernel.audit_chain_heads set seq = 4, hash = $2 where chain = $1', [tenantId, fourth]);
    });
    const result = await verify(copy);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('BROKEN checkpoint #1: checkpoint #1 is not trustworthy: its signature does not verify');
  });

  it.concurrent('exits 1 when a checkpoint was re-signed with a key the verifier does not trust', async ({ expect }) => {
    const intruder = new AuditSigner(randomBytes(32));
    const copy = await tamperedCopy(async (owner) => {
      const { body } = (await owner.query<{ body: string }>('select body from kernel.audit_checkpoints where seq = 1')).rows[0]!;
      await owner.query('update kernel.audit_checkpoints set public_key = $1, signature = $2', [intruder.publicKey, intruder.sign(body)]);
    });
    const result = await verify(copy);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`BROKEN checkpoint #1: checkpoint #1 is not trustworthy: it is signed by a key that is not trusted (${intruder.publicKey})`);
  });

  it.concurrent('exits 1 when the checkpoint the auditor kept was deleted', async ({ expect }) => {
    const copy = await tamperedCopy(async (owner) => {
      await owner.query('delete from kernel.audit_checkpoints');
    });
    const result = await verify(copy, ['--checkpoint', kept]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('BROKEN checkpoint #1: checkpoint #1, which you kept, is gone');
  });
});
