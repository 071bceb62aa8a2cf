// Row-level security is the last line of tenant isolation: even hand-written SQL run as the
// application role, inside one tenant's context, cannot read, change, delete or create another
// tenant's rows; outside any context it sees no tenant rows at all. And the role is set up so
// PostgreSQL cannot be talked out of it (not the owner, no BYPASSRLS, not superuser, FORCE RLS).
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform, type SignedInHeaders } from '../support/platform.js';
import { call } from '../support/api.js';
import { APP_ROLE } from '../../src/kernel/db/roles.js';

let t: TestPlatform;
let auth: SignedInHeaders;
let owner: pg.Client;
let app: pg.Client;
let a: string;
let b: string;

const TENANT_TABLES = ['tenancy.tenants', 'kernel.audit_entries', 'kernel.outbox'] as const;

async function createTenant(name: string, domain: string): Promise<string> {
  return (await call(t, 'post', '/api/v1/tenants', 201, { headers: auth, body: { organizationName: name, domain, adminEmail: `ops@${domain}` } })).id;
}

/** Runs `work` on the app connection inside a transaction scoped to `tenantId`, then rolls back. */
async function asTenant<T>(tenantId: string, work: () => Promise<T>): Promise<T> {
  await app.query('begin');
  try {
    await app.query("select set_config('app.tenant_id', $1, true)", [tenantId]);
    return await work();
  } finally {
    await app.query('rollback');
  }
}

/** Runs one statement under a savepoint, so an expected error does not end the transaction. */
async function attempt(text: string, values: unknown[] = []): Promise<{ rowCount: number } | { error: { code?: string; message: string } }> {
  await app.query('savepoint attempt');
  try {
    const result = await app.query(text, values);
    await app.query('release savepoint attempt');
    return { rowCount: result.rowCount ?? 0 };
  } catch (error) {
    await app.query('rollback to savepoint attempt');
    return { error: error as { code?: string; message: string } };
  }
}

const ownerCount = async (table: string, tenantId: string) =>
  ((await owner.query(`select count(*)::int as n from ${table} where tenant_id = $1`, [tenantId])).rows[0] as { n: number }).n;

beforeAll(async () => {
  t = await startTestPlatform();
  auth = await t.signIn();
  a = await createTenant('Tenant A', 'a.example.com');
  b = await createTenant('Tenant B', 'b.example.com');
  // Give B more history: an update and a suspension (audit entries and outbox events).
  expect((await t.platform.app.inject({ method: 'PATCH', url: `/api/v1/tenants/${b}`, headers: auth, payload: { organizationName: 'Tenant B2' } })).statusCode).toBe(200);
  expect((await t.platform.app.inject({ method: 'POST', url: `/api/v1/tenants/${b}/suspend`, headers: auth, payload: { reason: 'test' } })).statusCode).toBe(200);
  owner = new pg.Client({ connectionString: t.database.ownerUrl });
  await owner.connect();
  app = new pg.Client({ connectionString: t.database.appUrl });
  await app.connect();
});
afterAll(async () => {
  await app?.end();
  await owner?.end();
  await t?.close();
});

describe('inside tenant A’s context, as the application role', () => {
  it('connects as the application role and B has rows in every tenant table (seen by the owner)', async () => {
    expect((await app.query('select current_user as u')).rows[0].u).toBe(APP_ROLE);
    for (const table of TENANT_TABLES) expect(await ownerCount(table, b), table).toBeGreaterThan(0);
  });

  it('sees A’s tenant row but not B’s', async () => {
    await asTenant(a, async () => {
      expect((await app.query('select tenant_id from tenancy.tenants where tenant_id = $1', [a])).rows).toHaveLength(1);
      expect((await app.query('select tenant_id from tenancy.tenants where tenant_id = $1', [b])).rows).toEqual([]);
      expect((await app.query("select tenant_id from tenancy.tenants where document ->> 'organizationName' = 'Tenant B2'")).rows).toEqual([]);
      expect((await app.query('select distinct tenant_id from tenancy.tenants')).rows).toEqual([{ tenant_id: a }]);
    });
  });

  it('updates A’s row but B’s UPDATE matches no row', async () => {
    await asTenant(a, async () => {
      expect(await attempt('update tenancy.tenants set updated_at = now() where tenant_id = $1', [a])).toEqual({ rowCount: 1 });
      expect(await attempt('update tenancy.tenants set updated_at = now() where tenant_id = $1', [b])).toEqual({ rowCount: 0 });
      expect(await attempt('update tenancy.tenants set updated_at = now()')).toEqual({ rowCount: 1 });
      expect(await attempt('update kernel.outbox set dispatched_at = now() where tenant_id = $1', [b])).toEqual({ rowCount: 0 });
    });
    const bRow = await owner.query("select document ->> 'organizationName' as name, version from tenancy.tenants where tenant_id = $1", [b]);
    expect(bRow.rows[0]).toEqual({ name: 'Tenant B2', version: 3 });
    expect(await owner.query('select count(*)::int as n from kernel.outbox where tenant_id = $1 and dispatched_at is not null', [b])).toMatchObject({ rows: [{ n: 0 }] });
  });

  it('cannot move one of A’s rows into B (the policy checks the new row too)', async () => {
    await asTenant(a, async () => {
      const moved = await attempt('update kernel.outbox set tenant_id = $1 where tenant_id = $2', [b, a]);
      expect(moved).toMatchObject({ error: { code: '42501' } });
      expect('error' in moved && moved.error.message).toMatch(/row-level security/);
    });
  });

  it('cannot delete B’s tenant row (no DELETE privilege, and no visible row)', async () => {
    await asTenant(a, async () => {
      const deleted = await attempt('delete from tenancy.tenants where tenant_id = $1', [b]);
      if ('error' in deleted) expect(deleted.error.code).toBe('42501');
      else expect(deleted.rowCount).toBe(0);
      // The outbox grants DELETE to the application: there, RLS alone must stop it.
      expect(await attempt('delete from kernel.outbox where tenant_id = $1', [b])).toEqual({ rowCount: 0 });
    });
    expect(await ownerCount('tenancy.tenants', b)).toBe(1);
    expect(await ownerCount('kernel.outbox', b)).toBeGreaterThan(0);
  });

  it('sees none of B’s audit entries or outbox events, only A’s', async () => {
    await asTenant(a, async () => {
      for (const table of ['kernel.audit_entries', 'kernel.outbox', 'kernel.audit_chain_heads']) {
        expect((await app.query(`select count(*)::int as n from ${table} where tenant_id = $1`, [b])).rows[0].n, table).toBe(0);
        const visible = (await app.query(`select distinct tenant_id from ${table}`)).rows as { tenant_id: string | null }[];
        expect(visible, table).toEqual([{ tenant_id: a }]);
      }
      // B's chain is keyed by its id: asking for it by chain finds nothing either.
      expect((await app.query('select count(*)::int as n from kernel.audit_entries where chain = $1', [b])).rows[0].n).toBe(0);
      // Platform-chain entries (sign-ins) are not tenant A's either.
      expect((await app.query("select count(*)::int as n from kernel.audit_entries where chain = 'platform'")).rows[0].n).toBe(0);
    });
  });

  it('refuses to insert rows for B (or for no tenant) in every tenant table', async () => {
    const refused = (result: Awaited<ReturnType<typeof attempt>>) => {
      expect(result).toMatchObject({ error: { code: '42501' } });
      expect('error' in result && result.error.message).toMatch(/row-level security/);
    };
    const outboxCountBefore = await ownerCount('kernel.outbox', b);
    await asTenant(a, async () => {
      refused(await attempt("insert into kernel.outbox (id, tenant_id, type, payload, occurred_at) values ('evt_rls_test', $1, 'tenant.updated', '{}', now())", [b]));
      refused(await attempt("insert into kernel.outbox (id, tenant_id, type, payload, occurred_at) values ('evt_rls_test2', null, 'tenant.updated', '{}', now())"));
      refused(
        await attempt(
          `insert into kernel.audit_entries (chain, seq, id, tenant_id, occurred_at, actor_type, actor_id, action, target_type, target_id, prev_hash, hash)
           values ($1, 999, 'aud_rls_test', $1, now(), 'user', 'usr_x', 'tenant.updated', 'tenant', $1, 'x', 'y')`,
          [b],
        ),
      );
      const document = JSON.stringify({ tenantId: 'ten_01jaaaaaaaaaaaaaaaaaaaaaaa', organizationName: 'Intruder', domain: 'intruder.example.com', status: 'active' });
      refused(await attempt("insert into tenancy.tenants (tenant_id, document, created_at, updated_at) values ('ten_01jaaaaaaaaaaaaaaaaaaaaaaa', $1::jsonb, now(), now())", [document]));
      // The same insert for A's own context is allowed by the policy (proves the refusal is RLS, not the SQL).
      expect(await attempt("insert into kernel.outbox (id, tenant_id, type, payload, occurred_at) values ('evt_rls_ok', $1, 'tenant.updated', '{}', now())", [a])).toEqual({ rowCount: 1 });
    });
    expect(await ownerCount('kernel.outbox', b)).toBe(outboxCountBefore);
    expect((await owner.query("select count(*)::int as n from kernel.outbox where id like 'evt_rls_%'")).rows[0].n).toBe(0);
    expect((await owner.query("select count(*)::int as n from tenancy.tenants where tenant_id = 'ten_01jaaaaaaaaaaaaaaaaaaaaaaa'")).rows[0].n).toBe(0);
  });
});

describe('without any tenant context', () => {
  const visibleCounts = async (client: pg.Client) => {
    const counts: Record<string, number> = {};
    for (const table of [...TENANT_TABLES, 'kernel.audit_chain_heads']) counts[table] = (await client.query(`select count(*)::int as n from ${table}`)).rows[0].n;
    return counts;
  };
  const nothing = { 'tenancy.tenants': 0, 'kernel.audit_entries': 0, 'kernel.outbox': 0, 'kernel.audit_chain_heads': 0 };

  it('a fresh application connection sees no tenant rows at all', async () => {
    const fresh = new pg.Client({ connectionString: t.database.appUrl });
    await fresh.connect();
    try {
      expect(await visibleCounts(fresh)).toEqual(nothing);
    } finally {
      await fresh.end();
    }
    // …while the rows exist.
    const total = (await owner.query('select count(*)::int as n from tenancy.tenants')).rows[0].n;
    expect(total).toBeGreaterThanOrEqual(2);
  });

  it('a connection whose tenant context ended (or is empty) sees nothing', async () => {
    await asTenant(a, async () => expect((await visibleCounts(app))['tenancy.tenants']).toBe(1));
    // set_config(…, true) lasts for the transaction only: afterwards the setting is '' and matches no row.
    expect(await visibleCounts(app)).toEqual(nothing);
    await app.query('begin');
    try {
      await app.query("select set_config('app.tenant_id', '', true), set_config('app.platform_scope', 'off', true)");
      expect(await visibleCounts(app)).toEqual(nothing);
    } finally {
      await app.query('rollback');
    }
  });

  it('platform scope (used by staff and the system’s workers) is what lifts it', async () => {
    await app.query('begin');
    try {
      await app.query("select set_config('app.platform_scope', 'on', true)");
      const ids = (await app.query('select tenant_id from tenancy.tenants')).rows.map((r: { tenant_id: string }) => r.tenant_id);
      expect(ids).toEqual(expect.arrayContaining([a, b]));
    } finally {
      await app.query('rollback');
    }
  });
});

describe('the application role and the catalog', () => {
  const SCHEMAS = ['kernel', 'identity', 'tenancy', 'platforma_meta', 'pgboss'];

  it('owns no table, schema or function of the platform', async () => {
    const tables = await owner.query(
      `select n.nspname || '.' || c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = any($1) and pg_get_userbyid(c.relowner) = $2`,
      [SCHEMAS, APP_ROLE],
    );
    expect(tables.rows).toEqual([]);
    const schemas = await owner.query('select nspname from pg_namespace where nspname = any($1) and pg_get_userbyid(nspowner) = $2', [SCHEMAS, APP_ROLE]);
    expect(schemas.rows).toEqual([]);
    const functions = await owner.query(
      'select p.proname from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = any($1) and pg_get_userbyid(p.proowner) = $2',
      [SCHEMAS, APP_ROLE],
    );
    expect(functions.rows).toEqual([]);
    // The tables do exist and have an owner: the query above is not vacuous.
    const owned = await owner.query("select count(*)::int as n from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'tenancy' and c.relkind = 'r'");
    expect(owned.rows[0].n).toBeGreaterThan(0);
  });

  it('has neither BYPASSRLS nor SUPERUSER, and is not a member of a role that has', async () => {
    const role = await owner.query('select rolsuper, rolbypassrls, rolcreaterole, rolcreatedb from pg_roles where rolname = $1', [APP_ROLE]);
    expect(role.rows).toEqual([{ rolsuper: false, rolbypassrls: false, rolcreaterole: false, rolcreatedb: false }]);
    const inherited = await owner.query(
      `select r.rolname from pg_roles r where (r.rolsuper or r.rolbypassrls) and pg_has_role($1, r.oid, 'member')`,
      [APP_ROLE],
    );
    expect(inherited.rows).toEqual([]);
    // And it cannot switch row-level security off.
    await expect(app.query('alter table tenancy.tenants disable row level security')).rejects.toMatchObject({ code: '42501' });
    await expect(app.query('alter table tenancy.tenants no force row level security')).rejects.toMatchObject({ code: '42501' });
  });

  it('cannot become another role (SET ROLE or set_config in an expression), so the settings of ADR 0003 are its only lever', async () => {
    const ownerRole = (await owner.query('select current_user as name')).rows[0].name as string;
    for (const statement of [`set role "${ownerRole}"`, `select set_config('role', '${ownerRole}', true)`, `set session authorization "${ownerRole}"`]) {
      await expect(app.query(statement), statement).rejects.toMatchObject({ code: '42501' });
    }
  });

  it('can lift row-level security by setting the platform scope, even from inside an expression: RLS guards against bugs, not injected SQL (ADR 0012)', async () => {
    // Pins the limit ADR 0012 accepts: if platform scope ever needs a separate login role, this flips.
    await app.query('begin');
    try {
      await app.query("select set_config('app.tenant_id', $1, true)", [a]);
      const injected = await app.query("select tenant_id from tenancy.tenants where set_config('app.platform_scope', 'on', true) is not null");
      const ids = (await app.query('select tenant_id from tenancy.tenants')).rows.map((r: { tenant_id: string }) => r.tenant_id);
      expect(injected.rowCount).toBeGreaterThanOrEqual(1);
      expect(ids).toEqual(expect.arrayContaining([a, b]));
    } finally {
      await app.query('rollback');
    }
  });

  it('has row-level security enabled and forced on every table with a tenant_id column', async () => {
    const { rows } = await owner.query(
      `select n.nspname || '.' || c.relname as name, c.relrowsecurity, c.relforcerowsecurity,
              exists (select 1 from pg_policy p where p.polrelid = c.oid) as has_policy
         from pg_attribute a
         join pg_class c on c.oid = a.attrelid
         join pg_namespace n on n.oid = c.relnamespace
        where a.attname = 'tenant_id' and not a.attisdropped and c.relkind in ('r', 'p')
          and n.nspname not in ('pg_catalog', 'information_schema')
        order by 1`,
    );
    const names = rows.map((r: { name: string }) => r.name);
    expect(names).toEqual(expect.arrayContaining(['kernel.audit_chain_heads', 'kernel.audit_entries', 'kernel.outbox', 'tenancy.tenants']));
    for (const row of rows as { name: string; relrowsecurity: boolean; relforcerowsecurity: boolean; has_policy: boolean }[]) {
      expect(row, row.name).toEqual({ name: row.name, relrowsecurity: true, relforcerowsecurity: true, has_policy: true });
    }
  });
});
