// The declared state machines (kernel/state-machine.ts) against the database triggers that guard
// the same statuses, pair by pair, so the two cannot drift; and the docs against the declarations.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { TENANT_STATUS_MACHINE } from '../../src/modules/tenants/status.js';
import { ORDER_STATUS_MACHINE } from '../../src/modules/orders/status.js';
import { documentedBlock, renderedBlock } from '../../scripts/render-state-machines.js';
import { newId } from '../../src/kernel/ids.js';

let database: TestDatabase;
let owner: pg.Client;

beforeAll(async () => {
  database = await createTestDatabase();
  owner = new pg.Client({ connectionString: database.ownerUrl });
  await owner.connect();
});
afterAll(async () => {
  await owner?.end();
  await database?.drop();
});

const pairs = <S extends string>(states: readonly S[]) => states.flatMap((from) => states.filter((to) => to !== from).map((to): [S, S] => [from, to]));

describe('the tenant trigger', () => {
  it('allows exactly the declared edges, and nothing out of a final status', async () => {
    const tenantId = newId('tenant');
    const document = { tenantId, status: 'pending', organizationName: 'Machine', domain: 'machine.example.com' };
    // Inserted with triggers off: only the update trigger is under test.
    await owner.query('begin');
    await owner.query("set local session_replication_role = 'replica'");
    await owner.query('insert into tenancy.tenants (tenant_id, document, created_at, updated_at) values ($1, $2, now(), now())', [tenantId, document]);
    await owner.query('commit');

    const allowed: [string, string][] = [];
    for (const [from, to] of pairs(TENANT_STATUS_MACHINE.states)) {
      await owner.query('begin');
      try {
        // Put the row at `from` without the trigger, then try the edge with it.
        await owner.query("set local session_replication_role = 'replica'");
        await owner.query(`update tenancy.tenants set document = jsonb_set(document, '{status}', to_jsonb($2::text)) where tenant_id = $1`, [tenantId, from]);
        await owner.query("set local session_replication_role = 'origin'");
        await owner.query('savepoint edge');
        const moved = await owner
          .query(`update tenancy.tenants set document = jsonb_set(document, '{status}', to_jsonb($2::text)) where tenant_id = $1`, [tenantId, to])
          .then(() => true)
          .catch(() => false);
        if (moved) allowed.push([from, to]);
      } finally {
        await owner.query('rollback');
      }
    }
    expect(allowed).toEqual(TENANT_STATUS_MACHINE.edges());
    expect(allowed.length).toBeGreaterThan(0);
  });
});

describe('the order timeline trigger', () => {
  it('checks each step with orders.is_status_edge, which allows exactly the declared edges', async () => {
    const trigger = await owner.query<{ source: string }>("select pg_get_functiondef('orders.enforce_timeline_edge'::regproc) as source");
    expect(trigger.rows[0]!.source).toContain('orders.is_status_edge(previous.status, new.status)');
    expect(trigger.rows[0]!.source).toContain(`new.status <> '${ORDER_STATUS_MACHINE.initial[0]}'`);
    expect(ORDER_STATUS_MACHINE.initial).toEqual(['draft']);

    const allowed: [string, string][] = [];
    for (const [from, to] of pairs(ORDER_STATUS_MACHINE.states)) {
      const { rows } = await owner.query<{ edge: boolean }>('select orders.is_status_edge($1, $2) as edge', [from, to]);
      if (rows[0]!.edge) allowed.push([from, to]);
    }
    expect(allowed).toEqual(ORDER_STATUS_MACHINE.edges());
  });

  it('refuses every change to an order in a final status (what the declaration calls final)', async () => {
    const source = (await owner.query<{ source: string }>("select pg_get_functiondef('orders.enforce_status_transition'::regproc) as source")).rows[0]!.source;
    const finals = /old\.status in \(([^)]*)\)/.exec(source)?.[1]?.split(',').map((s) => s.trim().replace(/'/g, ''));
    expect(finals).toEqual([...ORDER_STATUS_MACHINE.final]);
  });
});

describe('docs/architecture.md', () => {
  it('shows the machines as declared (run npm run docs:state-machines after changing one)', () => {
    expect(documentedBlock()).toBe(renderedBlock());
  });
});
