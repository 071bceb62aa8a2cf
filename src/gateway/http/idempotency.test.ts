// The Idempotency-Key record is written by the transaction that commits the change, and only if
// that COMMIT succeeds: a COMMIT that fails takes the record with it, so the request's next writing
// transaction records instead (docs/adr/0010).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.js';
import { systemClock } from '../../kernel/clock.js';
import { createDb, createPool, inTransaction, sql } from '../../kernel/db/database.js';
import { SecretBox } from '../../kernel/encryption.js';
import { createLogger } from '../../kernel/logging.js';
import { createMetrics } from '../../kernel/metrics.js';
import { IdempotencyStore, registerIdempotency } from './idempotency.js';
import { createHttpServer, type HttpApp } from './server.js';

let database: TestDatabase;
let pool: pg.Pool;
let app: HttpApp;

async function owner(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: database.ownerUrl });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  database = await createTestDatabase();
  // A table whose uniqueness is checked at COMMIT: inserting one id twice makes the COMMIT fail.
  await owner(`create table public.commit_probe (id int, constraint commit_probe_once unique (id) deferrable initially deferred);
    grant insert, select on public.commit_probe to platforma_app`);
  pool = createPool(database.appUrl, 4);
  const db = createDb(pool);
  app = await createHttpServer({ logger: createLogger('silent'), metrics: createMetrics(), bodyLimit: 1_000_000, version: 'test', trustedProxies: [] });
  registerIdempotency(app, new IdempotencyStore(db, systemClock, new SecretBox(randomBytes(32))), () => 'usr_test');
  const context = { scope: { kind: 'none' } as const, actorId: 'system' };
  // A use case that retries its transaction when the COMMIT fails (a serialization failure, say).
  app.post('/probe', { schema: { response: { 201: { type: 'object', properties: { id: { type: 'integer' } }, required: ['id'] } } } }, async (request, reply) => {
    const id = (request.body as { id: number }).id;
    let result: { id: number };
    try {
      result = await inTransaction(db, context, async (tx) => {
        await sql`insert into public.commit_probe (id) values (${id}), (${id})`.execute(tx);
        return { id };
      });
    } catch {
      result = await inTransaction(db, context, async (tx) => {
        await sql`insert into public.commit_probe (id) values (${id})`.execute(tx);
        return { id };
      });
    }
    return reply.status(201).send(result);
  });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  await pool?.end();
  await database?.drop();
});

describe('the idempotency record and a failed COMMIT', () => {
  it('a COMMIT that fails leaves nothing recorded, and the next transaction of the request records the response', async () => {
    const key = `commit-fails-${randomBytes(4).toString('hex')}`;
    const first = await app.inject({ method: 'POST', url: '/probe', headers: { 'idempotency-key': key }, payload: { id: 7 } });
    expect(first.statusCode).toBe(201);
    expect(first.json()).toEqual({ id: 7 });
    const client = new pg.Client({ connectionString: database.ownerUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ status_code: number }>('select status_code from kernel.idempotency_keys where key = $1', [key]);
      expect(rows.map((row) => row.status_code)).toEqual([201]);
      expect((await client.query('select id from public.commit_probe')).rows).toEqual([{ id: 7 }]);
    } finally {
      await client.end();
    }
    // The retry is answered from the record; the work does not run again.
    const retry = await app.inject({ method: 'POST', url: '/probe', headers: { 'idempotency-key': key }, payload: { id: 7 } });
    expect(retry.statusCode).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.json()).toEqual({ id: 7 });
  });
});
