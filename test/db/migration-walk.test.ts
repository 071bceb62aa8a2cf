// Every migration, applied one at a time on a database that already holds data: after each one the
// rows a live installation would have by then are written (in the shape of the schema at that
// point), so a later migration that breaks on existing rows (a NOT NULL column without a default,
// a check existing data violates, a type change that cannot convert, a backfill that misses) fails
// here instead of on an operator's upgrade. At the end the data is still there, the backfills
// filled what they should, and the schema equals that of a database migrated in one go.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { MIGRATION_SOURCES, migrateDatabase } from '../../src/database-schema.js';
import { loadMigrations, migrate } from '../../src/kernel/db/migrations.js';
import { ensureAppRole } from '../../src/kernel/db/roles.js';
import { createEmptyDatabase, databaseUrl, type TestDatabase } from '../support/database.js';

const id = (prefix: string, n: number) => `${prefix}_01jd${String(n).padStart(22, '0')}`;
const TENANT_A = id('ten', 1);
const TENANT_B = id('ten', 2);
const OWNER = id('usr', 1);
const STAFF = id('usr', 2);
const PRODUCT = id('prd', 1);
const SUBMITTED_FIRST = id('ord', 1);
const SUBMITTED_SECOND = id('ord', 2);
const DRAFT = id('ord', 3);
const OTHER_TENANTS_ORDER = id('ord', 4);
const AT = '2026-11-20T10:00:00Z';

const tenantDocument = (tenantId: string, name: string, domain: string, status: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ tenantId, organizationName: name, domain, status, ...extra });

const PLAN = { code: 'monthly', name: 'Monthly', interval: 'month', trialDays: 0, taxCategory: 'saas', setupFee: {}, prices: { EUR: { model: 'per_unit', unitAmount: '10.00' } }, usage: [] };
const VERSION_CONTENT = { description: 'A small server', pricePlans: [PLAN], specs: { cpu: 2, ram: '4 GiB' } };
const orderDocument = (tenantId: string) => JSON.stringify({ items: [{ itemId: 'itm_1', productId: PRODUCT, version: 1, pricePlan: 'monthly', quantity: 2 }], tenantId });

/**
 * What an installation holds right after a migration: SQL in that migration's schema, keyed by it.
 * Run as the owner (RLS does not apply); ids and times are fixed so the assertions can name them.
 */
const SEEDS: Record<string, string> = {
  'kernel/202611210900_kernel.sql': `
    insert into kernel.audit_entries (chain, seq, id, tenant_id, occurred_at, actor_type, actor_id, action, target_type, target_id, after, prev_hash, hash)
      values ('platform', 1, 'aud_1', null, '${AT}', 'system', 'migration-walk', 'tenant.created', 'tenant', '${TENANT_A}', '{"status":"active"}', 'genesis', 'h1');
    insert into kernel.audit_chain_heads (chain, tenant_id, seq, hash) values ('platform', null, 1, 'h1');
    insert into kernel.outbox (id, tenant_id, type, payload, occurred_at) values ('evt_1', '${TENANT_A}', 'tenant.created', '{"tenantId":"${TENANT_A}"}', '${AT}');
    insert into kernel.event_deliveries (event_id, handler) values ('evt_1', 'mail');
    insert into kernel.idempotency_keys (principal, key, request_hash, method, path, status_code, response_body, locked_until)
      values ('${OWNER}', 'k1', 'rh', 'POST', '/api/v1/orders', 201, '{}', '${AT}');`,
  'identity/202611210910_identity.sql': `
    insert into identity.users (id, email, password_hash, platform_role, created_at, updated_at) values
      ('${OWNER}', 'owner@example.com', 'argon2-hash', null, '${AT}', '${AT}'),
      ('${STAFF}', 'admin@example.com', 'argon2-hash', 'platform-admin', '${AT}', '${AT}');
    insert into identity.sessions (id, token_hash, csrf_token, user_id, created_at, expires_at, last_seen_at) values
      ('ses_1', 'th1', 'csrf1', '${OWNER}', '${AT}', '2026-12-20T10:00:00Z', '${AT}');`,
  'tenants/202611210920_tenants.sql': `
    insert into tenancy.tenants (tenant_id, document, created_at, updated_at) values
      ('${TENANT_A}', '${tenantDocument(TENANT_A, 'Acme', 'acme.example', 'active', { settings: { authentication: { providers: [{ protocol: 'oidc', config: { id: 'idp_acme', domains: ['acme.example', 'acme.test'] } }] } } })}', '${AT}', '${AT}'),
      ('${TENANT_B}', '${tenantDocument(TENANT_B, 'Globex', 'globex.example', 'pending')}', '${AT}', '${AT}');`,
  'identity/202611211000_memberships_and_roles.sql': `
    insert into identity.memberships (tenant_id, user_id, role, created_at) values ('${TENANT_A}', '${OWNER}', 'owner', '${AT}'), ('${TENANT_B}', '${OWNER}', 'member', '${AT}');
    insert into identity.roles (tenant_id, id, name, statements, created_at, updated_at)
      values ('${TENANT_A}', '${id('role', 1)}', 'auditors', '[{"effect":"allow","actions":["audit:read"],"resources":["*"]}]', '${AT}', '${AT}');
    update identity.sessions set active_tenant_id = '${TENANT_A}' where id = 'ses_1';`,
  'identity/202611211200_authentication_hardening.sql': `
    insert into identity.totp_factors (user_id, secret_ciphertext, confirmed_at, last_time_step, created_at) values ('${STAFF}', 'sealed', '${AT}', 12345, '${AT}');
    insert into identity.recovery_codes (user_id, code_hash, created_at) values ('${STAFF}', 'rc1', '${AT}');
    insert into identity.email_tokens (id, user_id, purpose, email, token_hash, created_at, expires_at) values ('etk_1', '${OWNER}', 'email_verification', 'owner@example.com', 'et1', '${AT}', '2026-11-21T10:00:00Z');
    insert into identity.sign_in_attempts (key, points, expire) values ('owner@example.com', 2, 1790000000000);`,
  'identity/202611211300_api_keys.sql': `
    insert into identity.api_keys (tenant_id, id, user_id, role, name, prefix, secret_hash, created_by, created_at) values
      ('${TENANT_A}', '${id('key', 1)}', null, 'owner', 'ci', 'abcd1234', '${'a'.repeat(64)}', '${OWNER}', '${AT}'),
      ('${TENANT_A}', '${id('key', 2)}', '${OWNER}', null, 'mine', 'efgh5678', '${'b'.repeat(64)}', '${OWNER}', '${AT}');`,
  'identity/202611211400_oauth.sql': `
    insert into identity.oauth_clients (tenant_id, id, name, grant_type, scopes, role, secret_hash, created_at, created_by)
      values ('${TENANT_A}', '${id('oac', 1)}', 'billing sync', 'client_credentials', '["orders:read"]', 'viewer', 'sh', '${AT}', '${OWNER}');
    insert into identity.oauth_keys (kid, purpose, material, created_at) values ('kid1', 'signing', '{"kty":"RSA","n":"x","e":"AQAB","d":"private"}', '${AT}');`,
  'identity/202611211510_impersonations.sql': `
    insert into identity.sessions (id, token_hash, csrf_token, user_id, created_at, expires_at, last_seen_at) values ('ses_2', 'th2', 'csrf2', '${OWNER}', '${AT}', '2026-11-20T11:00:00Z', '${AT}');
    insert into identity.impersonations (tenant_id, id, staff_user_id, user_id, session_id, reason, started_at, expires_at)
      values ('${TENANT_A}', '${id('imp', 1)}', '${STAFF}', '${OWNER}', 'ses_2', 'ticket 42', '${AT}', '2026-11-20T11:00:00Z');
    update identity.sessions set impersonation_id = '${id('imp', 1)}' where id = 'ses_2';`,
  'identity/202611211600_invitations.sql': `
    insert into identity.invitations (tenant_id, id, email, role, token_hash, invited_by, created_at, expires_at) values
      ('${TENANT_A}', '${id('ivt', 1)}', 'newcomer@example.com', 'member', 'iv1', 'owner@example.com', '2026-11-19T09:00:00Z', '2026-11-26T09:00:00Z'),
      ('${TENANT_A}', '${id('ivt', 2)}', 'other@example.com', 'member', 'iv2', 'someone-gone@example.com', '2026-11-18T09:00:00Z', '2026-11-25T09:00:00Z');`,
  'notifications/202611211100_notifications.sql': `
    insert into notifications.outgoing_mail (id, tenant_id, "to", subject, text, purpose, status, attempts, created_at, sent_at) values
      ('${id('mail', 1)}', '${TENANT_A}', 'newcomer@example.com', 'You are invited', 'Join Acme', 'identity.invitation', 'sent', 1, '${AT}', '${AT}'),
      ('${id('mail', 2)}', null, 'admin@example.com', 'Welcome', 'Hello', 'identity.welcome', 'queued', 0, '${AT}', null);`,
  'identity/202611220100_single_sign_on.sql': `
    insert into identity.sso_client_secrets (tenant_id, provider_id, secret_ciphertext, updated_at) values ('${TENANT_A}', 'idp_acme', 'sealed', '${AT}');
    insert into identity.sso_pending (key, tenant_id, provider_id, protocol, nonce, created_at, expires_at) values ('p1', '${TENANT_A}', 'idp_acme', 'oidc', 'n', '${AT}', '2026-11-20T10:10:00Z');
    insert into identity.sso_handoffs (token_hash, tenant_id, provider_id, user_id, mfa_by_idp, return_to, created_at, expires_at)
      values ('hh1', '${TENANT_A}', 'idp_acme', '${OWNER}', false, '/portal', '${AT}', '2026-11-20T10:01:00Z');`,
  'catalog/202611230000_catalog.sql': `
    insert into catalog.products (product_id, code, kind, name, category, visibility, capacity, capacity_used, created_at, updated_at)
      values ('${PRODUCT}', 'small-server', 'compute', 'Small server', 'servers', '{"mode":"public"}', 10, 3, '${AT}', '${AT}');
    insert into catalog.product_versions (product_id, version, status, content, created_at, published_at, retired_at) values
      ('${PRODUCT}', 1, 'published', '${JSON.stringify(VERSION_CONTENT)}', '${AT}', '${AT}', null),
      ('${PRODUCT}', 2, 'draft', '{"description":"Next","pricePlans":[]}', '${AT}', null, null);
    insert into catalog.coupons (coupon_id, code, name, discount, duration, product_ids, created_at)
      values ('${id('cpn', 1)}', 'WELCOME10', 'Welcome', '{"type":"percent","percent":"10"}', '{"type":"once"}', '{${PRODUCT}}', '${AT}');`,
  'orders/202611230100_orders.sql': `
    insert into orders.orders (order_id, tenant_id, status, currency, document, created_by, created_at, updated_at, submitted_at) values
      ('${SUBMITTED_FIRST}', '${TENANT_A}', 'submitted', 'EUR', '${orderDocument(TENANT_A)}', '${OWNER}', '${AT}', '${AT}', '2026-11-20T10:05:00Z'),
      ('${SUBMITTED_SECOND}', '${TENANT_A}', 'awaiting_payment', 'EUR', '${orderDocument(TENANT_A)}', '${OWNER}', '${AT}', '${AT}', '2026-11-20T10:07:00Z'),
      ('${DRAFT}', '${TENANT_A}', 'draft', 'EUR', '${orderDocument(TENANT_A)}', '${OWNER}', '${AT}', '${AT}', null),
      ('${OTHER_TENANTS_ORDER}', '${TENANT_B}', 'submitted', 'USD', '${orderDocument(TENANT_B)}', '${OWNER}', '${AT}', '${AT}', '2026-11-20T10:06:00Z');
    insert into orders.order_timeline (order_id, tenant_id, seq, status, actor_id, at) values
      ('${SUBMITTED_FIRST}', '${TENANT_A}', 1, 'draft', '${OWNER}', '${AT}'), ('${SUBMITTED_FIRST}', '${TENANT_A}', 2, 'submitted', '${OWNER}', '2026-11-20T10:05:00Z'),
      ('${SUBMITTED_SECOND}', '${TENANT_A}', 1, 'draft', '${OWNER}', '${AT}'), ('${SUBMITTED_SECOND}', '${TENANT_A}', 2, 'submitted', '${OWNER}', '2026-11-20T10:07:00Z'),
      ('${SUBMITTED_SECOND}', '${TENANT_A}', 3, 'awaiting_payment', null, '2026-11-20T10:07:01Z'),
      ('${DRAFT}', '${TENANT_A}', 1, 'draft', '${OWNER}', '${AT}'),
      ('${OTHER_TENANTS_ORDER}', '${TENANT_B}', 1, 'draft', '${OWNER}', '${AT}'), ('${OTHER_TENANTS_ORDER}', '${TENANT_B}', 2, 'submitted', '${OWNER}', '2026-11-20T10:06:00Z');
    insert into orders.quota_reservations (tenant_id, quota, reserved) values ('${TENANT_A}', 'compute.instances', 4);
    insert into orders.approval_rules (rule_id, name, condition, created_at) values ('${id('apr', 1)}', 'Big orders', '{"type":"total_above","amountMinor":"100000","currency":"EUR"}', '${AT}');`,
  // Rows written in the shape of later migrations too, so the ones after them meet those.
  'orders/202611250200_change_orders.sql': `
    insert into orders.orders (order_id, tenant_id, status, currency, document, created_by, created_at, updated_at)
      values ('${id('ord', 5)}', '${TENANT_A}', 'draft', 'EUR', '{"items":[],"changeOf":{"orderId":"${SUBMITTED_FIRST}","itemId":"itm_1"}}', '${OWNER}', '${AT}', '${AT}');
    insert into orders.order_timeline (order_id, tenant_id, seq, status, actor_id, at) values ('${id('ord', 5)}', '${TENANT_A}', 1, 'draft', '${OWNER}', '${AT}');`,
  'kernel/202611250400_audit_append_in_one_statement.sql': `
    select kernel.append_audit_entries('${TENANT_A}', '${TENANT_A}', '[{"id":"aud_2","occurred_at":"${AT}","actor_type":"user","actor_id":"${OWNER}","action":"order.submitted","target_type":"order","target_id":"${SUBMITTED_FIRST}","digest":"d2"}]'::jsonb);`,
  // A compensated run whose steps were recorded before failed steps had rows of their own.
  'kernel/202612031610_workflows.sql': `
    insert into kernel.workflow_runs (id, workflow, idempotency_key, input, status, step, error, created_at, updated_at)
      values ('${id('wfr', 1)}', 'fulfilment', 'order-1', '{"order":"${SUBMITTED_FIRST}"}', 'compensated', -1, 'charge failed: card declined', '${AT}', '${AT}');
    insert into kernel.workflow_steps (run_id, seq, name, status, output, attempts, completed_at, compensated_at)
      values ('${id('wfr', 1)}', 0, 'provision', 'compensated', '{"instance":"ins_1"}', 1, '${AT}', '${AT}');`,
};

const MODULE_SCHEMAS = ['kernel', 'identity', 'tenancy', 'notifications', 'catalog', 'orders', 'platforma_meta'];

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/** Rows per table of every module schema. */
async function rowCounts(client: pg.Client): Promise<Record<string, number>> {
  const { rows: tables } = await client.query<{ name: string }>(
    "select format('%I.%I', table_schema, table_name) as name from information_schema.tables where table_schema = any($1) and table_type = 'BASE TABLE' order by 1",
    [MODULE_SCHEMAS],
  );
  const counts: Record<string, number> = {};
  for (const { name } of tables) counts[name] = (await client.query<{ n: number }>(`select count(*)::int as n from ${name}`)).rows[0]!.n;
  return counts;
}

/** Everything that makes up the schema, as sorted text lines: columns, constraints, indexes, triggers, functions, policies, grants, RLS flags. */
async function schemaOf(url: string): Promise<Record<string, string[]>> {
  return withClient(url, async (client) => {
    const lines = async (sql: string) => (await client.query<{ line: string }>(sql)).rows.map((row) => row.line).sort();
    const userSchemas = "not in ('pg_catalog', 'information_schema', 'pg_toast', 'public')";
    return {
      columns: await lines(`select concat_ws(' ', table_schema, table_name, ordinal_position, column_name, data_type, udt_name, is_nullable, column_default, is_generated, generation_expression) as line
                              from information_schema.columns where table_schema ${userSchemas}`),
      constraints: await lines(`select concat_ws(' ', n.nspname, c.conrelid::regclass, c.conname, c.convalidated, pg_get_constraintdef(c.oid)) as line
                                  from pg_constraint c join pg_namespace n on n.oid = c.connamespace where n.nspname ${userSchemas}`),
      indexes: await lines(`select indexdef as line from pg_indexes where schemaname ${userSchemas}`),
      triggers: await lines(`select concat_ws(' ', t.tgname, t.tgenabled, pg_get_triggerdef(t.oid)) as line from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
                               where not t.tgisinternal and n.nspname ${userSchemas}`),
      functions: await lines(`select pg_get_functiondef(p.oid) as line from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname ${userSchemas} and p.prokind = 'f'`),
      policies: await lines(`select concat_ws(' ', schemaname, tablename, policyname, permissive, roles::text, cmd, qual, with_check) as line from pg_policies where schemaname ${userSchemas}`),
      tables: await lines(`select concat_ws(' ', n.nspname, c.relname, c.relkind, c.relrowsecurity, c.relforcerowsecurity) as line from pg_class c join pg_namespace n on n.oid = c.relnamespace
                             where n.nspname ${userSchemas} and c.relkind in ('r', 'v', 'm', 'S', 'p')`),
      tableGrants: await lines(`select concat_ws(' ', grantee, table_schema, table_name, privilege_type) as line from information_schema.role_table_grants
                                  where table_schema ${userSchemas} and grantee = 'platforma_app'`),
      columnGrants: await lines(`select concat_ws(' ', grantee, table_schema, table_name, column_name, privilege_type) as line from information_schema.column_privileges
                                   where table_schema ${userSchemas} and grantee = 'platforma_app'`),
      schemas: await lines(`select concat_ws(' ', nspname, has_schema_privilege('platforma_app', oid, 'usage')) as line from pg_namespace where nspname ${userSchemas} and nspname not like 'pg_%'`),
    };
  });
}

let database: TestDatabase;
const migrations = loadMigrations(MIGRATION_SOURCES);
const key = (m: { module: string; name: string }) => `${m.module}/${m.name}`;

beforeAll(async () => {
  database = await createEmptyDatabase();
  // The application role the migrations grant to, as migrateDatabase makes it.
  await withClient(database.ownerUrl, (client) => ensureAppRole(client, database.appUrl, 'authoritative'));
});
afterAll(() => database?.drop());

describe('migrating one step at a time over existing data', () => {
  it('every seed names a migration that exists', () => {
    const known = new Set(migrations.map(key));
    expect(Object.keys(SEEDS).filter((name) => !known.has(name))).toEqual([]);
  });

  it('applies each migration on the rows the earlier ones hold, loses none, fills what the backfills fill, and ends at the one-go schema', { timeout: 120_000 }, async () => {
    let before: Record<string, number> = {};
    for (let i = 0; i < migrations.length; i++) {
      const migration = migrations[i]!;
      // Only this migration is pending: the earlier ones are applied, the later ones unknown yet.
      expect(await migrate(database.ownerUrl, migrations.slice(0, i + 1))).toEqual([key(migration)]);
      await withClient(database.ownerUrl, async (client) => {
        const after = await rowCounts(client);
        for (const [table, count] of Object.entries(before)) {
          expect.soft(after[table] ?? 0, `${table} after ${key(migration)}`).toBeGreaterThanOrEqual(count);
        }
        const seed = SEEDS[key(migration)];
        if (seed) {
          try {
            await client.query(seed);
          } catch (error) {
            throw new Error(`seeding after ${key(migration)} failed: ${(error as Error).message}`, { cause: error });
          }
        }
        before = await rowCounts(client);
      });
    }
    // The job queue's schema, as a real migration run finishes with.
    expect(await migrateDatabase(database.ownerUrl, database.appUrl)).toEqual([]);

    await withClient(database.ownerUrl, async (client) => {
      const one = async <T>(sql: string, values: unknown[] = []) => (await client.query(sql, values)).rows as T[];
      // Every seeded row is still there.
      const counts = await rowCounts(client);
      expect(counts).toMatchObject({
        'tenancy.tenants': 2, 'identity.users': 2, 'identity.memberships': 2, 'identity.roles': 1, 'identity.sessions': 2, 'identity.api_keys': 2,
        'identity.invitations': 2, 'identity.impersonations': 1, 'identity.oauth_clients': 1, 'identity.oauth_keys': 1, 'identity.totp_factors': 1,
        'catalog.products': 1, 'catalog.product_versions': 2, 'catalog.coupons': 1, 'orders.orders': 5, 'orders.order_timeline': 9,
        'notifications.outgoing_mail': 2, 'kernel.outbox': 1, 'kernel.audit_entries': 2, 'kernel.workflow_runs': 1, 'kernel.workflow_steps': 1,
      });
      // Generated columns of the tenant document.
      expect(await one('select tenant_id, status, organization_name, domain from tenancy.tenants order by tenant_id')).toEqual([
        { tenant_id: TENANT_A, status: 'active', organization_name: 'Acme', domain: 'acme.example' },
        { tenant_id: TENANT_B, status: 'pending', organization_name: 'Globex', domain: 'globex.example' },
      ]);
      // jsonb → json kept the content (and its key order, which is why it moved to json).
      const [published] = await one<{ content: unknown; status: string }>('select content, status from catalog.product_versions where product_id = $1 and version = 1', [PRODUCT]);
      expect(published).toEqual({ content: VERSION_CONTENT, status: 'published' });
      // Order numbers: submitted orders numbered per tenant in submission order, drafts without.
      expect(await one('select order_id, number from orders.orders order by order_id')).toEqual([
        { order_id: SUBMITTED_FIRST, number: '1' },
        { order_id: SUBMITTED_SECOND, number: '2' },
        { order_id: DRAFT, number: null },
        { order_id: OTHER_TENANTS_ORDER, number: '1' },
        { order_id: id('ord', 5), number: null },
      ]);
      expect(await one('select tenant_id, last_number from orders.order_numbers order by tenant_id')).toEqual([
        { tenant_id: TENANT_A, last_number: '2' },
        { tenant_id: TENANT_B, last_number: '1' },
      ]);
      // Invitations: last sent when created, inviter linked when the inviter is still a user.
      expect(await one('select id, last_sent_at, send_count, invited_by_user_id from identity.invitations order by id')).toEqual([
        { id: id('ivt', 1), last_sent_at: new Date('2026-11-19T09:00:00Z'), send_count: 1, invited_by_user_id: OWNER },
        { id: id('ivt', 2), last_sent_at: new Date('2026-11-18T09:00:00Z'), send_count: 1, invited_by_user_id: null },
      ]);
      // SSO domain claims backfilled from the tenants' providers.
      expect(await one('select domain, tenant_id, provider_id from identity.sso_domain_claims order by domain')).toEqual([
        { domain: 'acme.example', tenant_id: TENANT_A, provider_id: 'idp_acme' },
        { domain: 'acme.test', tenant_id: TENANT_A, provider_id: 'idp_acme' },
      ]);
      // Audit entries written before the hash scheme existed are scheme 1; later appends the newest.
      expect(await one('select id, hash_scheme from kernel.audit_entries order by id')).toEqual([
        { id: 'aud_1', hash_scheme: 1 },
        { id: 'aud_2', hash_scheme: 2 },
      ]);
    });

    // The same schema as a database migrated in one go (the suite's template).
    const [walked, oneGo] = await Promise.all([schemaOf(database.ownerUrl), schemaOf(databaseUrl(inject('templateDatabase')))]);
    expect(oneGo.columns!.length).toBeGreaterThan(100);
    for (const part of Object.keys(oneGo)) expect(walked[part], part).toEqual(oneGo[part]);
  });
});
