// The tenant-isolation rules that PostgreSQL's catalog can prove, as one lint over a migrated
// database (ADR 0003): every table with a tenant_id has row-level security enabled AND forced and
// at least one policy; the application role owns nothing (an owner can switch RLS off) and has
// neither SUPERUSER nor BYPASSRLS, not even through a role it is a member of; every view runs with
// the caller's rights (security_invoker), so it cannot read past RLS with its owner's.
import type pg from 'pg';

export interface Finding {
  rule: 'rls-missing' | 'rls-not-forced' | 'policy-missing' | 'app-role-owns' | 'app-role-privileged' | 'view-not-security-invoker' | 'materialized-tenant-data';
  object: string;
  message: string;
}

const SYSTEM_SCHEMAS = ['pg_catalog', 'information_schema', 'pg_toast'];

/** security_invoker is stored as text in reloptions; PostgreSQL accepts these spellings of true. */
const TRUE_SPELLINGS = ['true', 'on', 'yes', '1', 't', 'y'];

export async function lintCatalog(client: pg.ClientBase, appRole: string): Promise<Finding[]> {
  const findings: Finding[] = [];

  const tenantTables = await client.query<{ name: string; rls: boolean; forced: boolean; policies: number }>(
    `select format('%I.%I', n.nspname, c.relname) as name, c.relrowsecurity as rls, c.relforcerowsecurity as forced,
            (select count(*)::int from pg_policy p where p.polrelid = c.oid) as policies
       from pg_class c
       join pg_namespace n on n.oid = c.relnamespace
      where c.relkind in ('r', 'p')
        and n.nspname <> all($1) and n.nspname not like 'pg_temp%'
        and exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped)
      order by 1`,
    [SYSTEM_SCHEMAS],
  );
  for (const table of tenantTables.rows) {
    if (!table.rls) findings.push({ rule: 'rls-missing', object: table.name, message: `${table.name} has tenant_id but row-level security is not enabled` });
    if (!table.forced) findings.push({ rule: 'rls-not-forced', object: table.name, message: `${table.name} has tenant_id but row-level security is not forced (its owner bypasses it)` });
    if (table.policies === 0) findings.push({ rule: 'policy-missing', object: table.name, message: `${table.name} has tenant_id but no row-level security policy` });
  }

  // Materialized views cannot be security_invoker: their rows are computed with the owner's rights.
  const materialized = await client.query<{ name: string }>(
    `select format('%I.%I', n.nspname, c.relname) as name
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind = 'm' and n.nspname <> all($1)
        and exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped)
      order by 1`,
    [SYSTEM_SCHEMAS],
  );
  for (const view of materialized.rows) {
    findings.push({ rule: 'materialized-tenant-data', object: view.name, message: `${view.name} is a materialized view of tenant data (it cannot apply row-level security)` });
  }

  const owned = await client.query<{ kind: string; name: string }>(
    `select case c.relkind when 'r' then 'table' when 'p' then 'table' when 'v' then 'view' when 'm' then 'materialized view'
                           when 'S' then 'sequence' when 'f' then 'foreign table' else 'relation' end as kind,
            format('%I.%I', n.nspname, c.relname) as name
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind in ('r', 'p', 'v', 'm', 'S', 'f') and pg_has_role($1, c.relowner, 'usage')
     union all
     select 'function', format('%I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid))
       from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where pg_has_role($1, p.proowner, 'usage')
     union all
     select 'schema', format('%I', n.nspname) from pg_namespace n where pg_has_role($1, n.nspowner, 'usage')
     order by 1, 2`,
    [appRole],
  );
  for (const object of owned.rows) {
    findings.push({ rule: 'app-role-owns', object: object.name, message: `the application role ${appRole} owns (or inherits ownership of) ${object.kind} ${object.name}` });
  }

  // pg_has_role(…, 'member') covers the role itself and every role it is a member of, directly or not.
  const privileged = await client.query<{ role: string; superuser: boolean; bypassrls: boolean }>(
    `select r.rolname as role, r.rolsuper as superuser, r.rolbypassrls as bypassrls
       from pg_roles r where (r.rolsuper or r.rolbypassrls) and pg_has_role($1, r.oid, 'member') order by 1`,
    [appRole],
  );
  for (const role of privileged.rows) {
    const what = [role.superuser ? 'SUPERUSER' : '', role.bypassrls ? 'BYPASSRLS' : ''].filter(Boolean).join(' and ');
    const via = role.role === appRole ? '' : ` through its membership of ${role.role}`;
    findings.push({ rule: 'app-role-privileged', object: role.role, message: `the application role ${appRole} has ${what}${via}` });
  }

  const views = await client.query<{ name: string; options: string[] | null }>(
    `select format('%I.%I', n.nspname, c.relname) as name, c.reloptions as options
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind = 'v' and n.nspname <> all($1)
      order by 1`,
    [SYSTEM_SCHEMAS],
  );
  for (const view of views.rows) {
    const setting = (view.options ?? []).find((option) => option.startsWith('security_invoker='))?.split('=')[1]?.toLowerCase();
    if (!setting || !TRUE_SPELLINGS.includes(setting)) {
      findings.push({ rule: 'view-not-security-invoker', object: view.name, message: `view ${view.name} is not security_invoker (it reads with its owner's rights, past row-level security)` });
    }
  }
  return findings;
}
