// The catalog lint holds for the migrated database, and it is not vacuous: in a scratch database it
// reports a tenant table without RLS, without FORCE, without a policy, a view that is not
// security_invoker, and an application role that owns things or is (through a membership)
// BYPASSRLS or SUPERUSER. The scratch roles are made for this test: roles are cluster-wide, and the
// real application role must never be altered while other test files use it.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, serverUrl, type TestDatabase } from '../support/database.js';
import { lintCatalog } from '../support/catalog-lint.js';
import { APP_ROLE } from '../../src/kernel/db/roles.js';

let migrated: TestDatabase;
let scratch: TestDatabase;
let owner: pg.Client;
let scratchOwner: pg.Client;
const suffix = randomBytes(4).toString('hex');
const scratchApp = `platforma_lint_app_${suffix}`;
const scratchPowerful = `platforma_lint_bypass_${suffix}`;

beforeAll(async () => {
  migrated = await createTestDatabase();
  scratch = await createTestDatabase();
  owner = new pg.Client({ connectionString: migrated.ownerUrl });
  await owner.connect();
  scratchOwner = new pg.Client({ connectionString: scratch.ownerUrl });
  await scratchOwner.connect();
});
afterAll(async () => {
  await owner?.end();
  await scratchOwner?.end();
  await migrated?.drop();
  await scratch?.drop();
  const admin = new pg.Client({ connectionString: serverUrl() });
  await admin.connect();
  try {
    await admin.query(`drop role if exists ${scratchApp}`);
    await admin.query(`drop role if exists ${scratchPowerful}`);
  } finally {
    await admin.end();
  }
});

describe('the migrated database', () => {
  it('passes the catalog lint: forced RLS with a policy on every tenant table, an unprivileged owner-less application role, invoker views', async () => {
    expect(await lintCatalog(owner, APP_ROLE)).toEqual([]);
  });

  it('has tenant tables for the lint to look at (so passing is not vacuous)', async () => {
    const { rows } = await owner.query(
      `select count(*)::int as n from pg_attribute a join pg_class c on c.oid = a.attrelid
        where a.attname = 'tenant_id' and c.relkind in ('r', 'p') and not a.attisdropped`,
    );
    expect(rows[0].n).toBeGreaterThanOrEqual(5);
  });
});

describe('the lint reports', () => {
  it('a tenant table without RLS, one without FORCE, one without a policy, and a view that is not security_invoker', async () => {
    await scratchOwner.query(`
      create schema scratch;
      create table scratch.no_rls (tenant_id text primary key);
      create table scratch.not_forced (tenant_id text primary key);
      alter table scratch.not_forced enable row level security;
      create policy p on scratch.not_forced using (tenant_id = current_setting('app.tenant_id', true));
      create table scratch.no_policy (tenant_id text primary key);
      alter table scratch.no_policy enable row level security;
      alter table scratch.no_policy force row level security;
      create table scratch.fine (tenant_id text primary key);
      alter table scratch.fine enable row level security;
      alter table scratch.fine force row level security;
      create policy p on scratch.fine using (tenant_id = current_setting('app.tenant_id', true));
      create view scratch.definer_view as select tenant_id from scratch.fine;
      create view scratch.invoker_view with (security_invoker = on) as select tenant_id from scratch.fine;
      create materialized view scratch.snapshot as select tenant_id from scratch.fine;
    `);
    const findings = await lintCatalog(scratchOwner, APP_ROLE);
    expect(findings.map((f) => [f.rule, f.object]).sort()).toEqual([
      ['rls-missing', 'scratch.no_rls'],
      ['rls-not-forced', 'scratch.no_rls'],
      ['policy-missing', 'scratch.no_rls'],
      ['policy-missing', 'scratch.no_policy'],
      ['rls-not-forced', 'scratch.not_forced'],
      ['materialized-tenant-data', 'scratch.snapshot'],
      ['view-not-security-invoker', 'scratch.definer_view'],
    ].sort());
    await scratchOwner.query('drop schema scratch cascade');
  });

  it('an application role that owns a table, a view, a sequence and a function, or is BYPASSRLS through a membership', async () => {
    await scratchOwner.query(`create role ${scratchApp} nologin nobypassrls nosuperuser`);
    await scratchOwner.query(`create role ${scratchPowerful} nologin bypassrls`);
    expect(await lintCatalog(scratchOwner, scratchApp)).toEqual([]);
    await scratchOwner.query(`
      create schema owned;
      create table owned.t (id int);
      create view owned.v with (security_invoker = true) as select id from owned.t;
      create sequence owned.s;
      create function owned.f(x int) returns int language sql as 'select x';
      alter table owned.t owner to ${scratchApp};
      alter view owned.v owner to ${scratchApp};
      alter sequence owned.s owner to ${scratchApp};
      alter function owned.f(int) owner to ${scratchApp};
      grant ${scratchPowerful} to ${scratchApp};
    `);
    const findings = await lintCatalog(scratchOwner, scratchApp);
    expect(findings.map((f) => [f.rule, f.object])).toEqual([
      ['app-role-owns', 'owned.f(x integer)'],
      ['app-role-owns', 'owned.s'],
      ['app-role-owns', 'owned.t'],
      ['app-role-owns', 'owned.v'],
      ['app-role-privileged', scratchPowerful],
    ]);
    expect(findings.at(-1)?.message).toMatch(/BYPASSRLS through its membership/);
    // Owned objects must go before the roles can be dropped.
    await scratchOwner.query('drop schema owned cascade');
  });
});
