// Everything stored about one tenant, as a digest per table: every row of every table with a
// tenant_id (found in the catalog, so a new table is covered the day it is added), read as the
// database owner. Two equal snapshots mean nothing of the tenant changed in between. Columns named
// in `ignoring` are left out wherever they appear (bookkeeping such as an API key's last use).
import type pg from 'pg';

export async function snapshotOfTenant(owner: pg.Client, tenantId: string, ignoring: string[] = []): Promise<Record<string, string>> {
  const tables = await owner.query<{ name: string }>(
    `select format('%I.%I', n.nspname, c.relname) as name from pg_attribute att
       join pg_class c on c.oid = att.attrelid join pg_namespace n on n.oid = c.relnamespace
      where att.attname = 'tenant_id' and not att.attisdropped and c.relkind in ('r', 'p') and n.nspname not in ('pg_catalog', 'information_schema')
      order by 1`,
  );
  const snapshot: Record<string, string> = {};
  for (const { name } of tables.rows) {
    const { rows } = await owner.query(
      `select md5(coalesce(string_agg((to_jsonb(t) - $2::text[])::text, '|' order by (to_jsonb(t) - $2::text[])::text), '')) as digest, count(*)::int as n from ${name} t where tenant_id = $1`,
      [tenantId, ignoring],
    );
    snapshot[name] = `${rows[0].n}:${rows[0].digest}`;
  }
  return snapshot;
}
