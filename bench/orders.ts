// `npm run bench:orders`: what selling costs. In one run, against a bare node:http hello-world
// measured the same way:
//   a. price previews per second — POST /api/v1/prices/preview of a graduated price with 10 tiers,
//      rotating over 3 currencies and quantities that reach into every tier;
//   b. order submissions per second — POST /api/v1/orders/{id}/submit, each doing configuration
//      validation, availability, quota reservation under a row lock, stock, pricing, the status
//      machine, timeline, audit and outbox in one transaction. Target: ≥ 500 submissions/s.
// Carts are filled beforehand (they are not what is measured); each submission takes the next cart
// and a fresh Idempotency-Key. Requests authenticate with a tenant service API key (role owner).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { embeddedServerPid as postmasterPid, freePort } from '../src/kernel/db/embedded.js';
import { pricePlan } from '../test/support/catalog-fixtures.js';
import type { VersionContentPatch } from '../web/shared/api/types.js';
import { ROOT, BIN, LOAD, spawnProc, stopProc, runBench, newHome, envWith, waitFor200, table, load, baselineThroughput, scratchDatabaseSettings, signInAsStaff, type Load } from './harness.js';

const RESULTS = join(ROOT, 'bench', 'results', 'orders.json');
const TARGET_SUBMISSIONS = 500;
const ADMIN = { email: 'bench@example.com', password: 'bench passphrase, long enough' };
const CURRENCIES = ['EUR', 'USD', 'GBP'] as const;
/**
 * Submissions are measured across TENANTS tenants, as a platform sees them; within one tenant they
 * queue on the tenant's audit chain head and quota rows (both held to commit), measured separately.
 */
const TENANTS = Number(process.env.BENCH_TENANTS ?? 8);
const WARMUP_CARTS = 400;
const MEASURED_CARTS = 4_000;
const ONE_TENANT_WARMUP = 100;
const ONE_TENANT_CARTS = 600;

function cli(args: string[], env: NodeJS.ProcessEnv, extra: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...env, ...extra }, encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) throw new Error(`platforma ${args.join(' ')} failed:\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

function tiers(base: number) {
  return Array.from({ length: 10 }, (_, index) => ({ upTo: index === 9 ? null : (index + 1) * 10, unitAmount: (base - index * 0.35).toFixed(4), ...(index % 3 === 0 ? { flatAmount: '1.25' } : {}) }));
}

async function json(base: string, method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${base}${path}`, { method, headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) }).catch((error: Error) => {
    throw new Error(`${method} ${path}: ${error.message} (${String((error.cause as Error | undefined)?.message ?? error.cause)})`);
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Runs `count` tasks with at most `width` in flight. */
async function inParallel<T>(count: number, width: number, task: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < count) {
      const index = next++;
      results[index] = await task(index);
    }
  }));
  return results;
}

async function main(): Promise<string[]> {
  const loadAverageAtStart = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(`Selling cost — price previews and order submissions vs node:http, ${LOAD.connections} connections; load ${loadAverageAtStart}\n`);
  const home = newHome();
  const settings: Record<string, string> = { PLATFORMA_HOME: home, LOG_LEVEL: 'warn' };
  if (process.env.DATABASE_URL) Object.assign(settings, await scratchDatabaseSettings(process.env.DATABASE_URL));
  const env = envWith(settings);
  const postgresPid = () => (settings.DATABASE_URL ? undefined : postmasterPid(home));

  const port = await freePort();
  // BENCH_CPU_PROFILE=<dir> writes the server's V8 CPU profile there when it stops (for finding where the time goes).
  const profile = process.env.BENCH_CPU_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROFILE}`] : [];
  const server = spawnProc('platform', [...profile, BIN, 'start', '--role', 'api'], { ...env, PORT: String(port) });
  const base = `http://127.0.0.1:${port}`;
  await waitFor200(`${base}/readyz`, server, 120_000);
  cli(['admin', 'create', '--email', ADMIN.email], env, { PLATFORMA_ADMIN_PASSWORD: ADMIN.password });
  const admin = await signInAsStaff(base, ADMIN);
  const staff = { cookie: admin.cookie, 'x-csrf-token': admin.csrfToken };

  // A tenant with room for every order, and a product: 10 graduated tiers in 3 currencies, a
  // configuration schema with defaults, a provisioning binding and a quota it counts against.
  const buyers: Record<string, string>[] = [];
  for (let index = 0; index < TENANTS; index++) {
    const tenant = await json(base, 'POST', '/api/v1/tenants', staff, {
      organizationName: `Bench Shop ${index}`,
      domain: `bench-shop-${index}.example.com`,
      adminEmail: `ops@bench-shop-${index}.example.com`,
      quotas: { maxUsers: 100, maxStorage: 100_000_000, maxAPICallsPerMonth: 1_000_000_000, maxComputeHours: 1_000_000, features: [], customLimits: {} },
    });
    if (tenant.status !== 201) throw new Error(`create tenant: ${tenant.status} ${JSON.stringify(tenant.body)}`);
    const key = (JSON.parse(cli(['api-key', 'create', '--tenant', tenant.body.id as string, '--name', 'bench-buyer', '--role', 'owner'], env)) as { secret: string }).secret;
    buyers.push({ authorization: `Bearer ${key}` });
  }
  const buyer = buyers[0]!;
  const product = await json(base, 'POST', '/api/v1/products', staff, { code: 'bench-volume', kind: 'storage', name: 'Bench volume', category: 'storage' });
  const productId = product.body.id as string;
  const content: VersionContentPatch = {
    configurationSchema: {
      type: 'object',
      properties: { region: { type: 'string', enum: ['eu-west', 'us-east'], default: 'eu-west' }, tier: { type: 'string', enum: ['standard', 'fast'], default: 'standard' }, label: { type: 'string', maxLength: 60 } },
      additionalProperties: false,
    },
    provisioning: { capability: 'storage.volume', parameters: { region: { configuration: '/region' }, tier: { configuration: '/tier' }, sizeGb: { quantity: true } } },
    quotaConsumption: { maxStorage: 1 },
    availability: { regions: ['eu-west', 'us-east'], providers: [], tenantTiers: [], minQuantity: 1, maxQuantity: 1000, prerequisites: [] },
    pricePlans: [pricePlan({ taxCategory: 'storage', prices: { EUR: { model: 'graduated', tiers: tiers(4.5) }, USD: { model: 'graduated', tiers: tiers(5) }, GBP: { model: 'graduated', tiers: tiers(4) } } })],
  };
  for (const [method, path, body] of [['PATCH', `/api/v1/products/${productId}/versions/1`, content], ['POST', `/api/v1/products/${productId}/versions/1/publish`, undefined]] as const) {
    const answer = await json(base, method, path, staff, body);
    if (answer.status !== 200) throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
  }

  // a. price previews
  let previewCount = 0;
  const nextPreview = () => {
    const index = previewCount++;
    return { body: JSON.stringify({ productId, pricePlan: 'monthly', currency: CURRENCIES[index % 3], quantity: 1 + ((index * 7) % 120), configuration: { region: 'us-east' } }) };
  };
  const check = await json(base, 'POST', '/api/v1/prices/preview', buyer, JSON.parse(nextPreview().body));
  if (check.status !== 200) throw new Error(`preview: ${check.status} ${JSON.stringify(check.body)}`);
  console.log('a. price previews …');
  const previews = await load(`${base}/api/v1/prices/preview`, buyer, server.child.pid!, postgresPid(), { method: 'POST', next: nextPreview });
  console.log(`   ${Math.round(previews.requestsPerSecond)} previews/s`);

  // b. order submissions: fill the carts first (not measured).
  const fill = async (count: number, tenantOf: (index: number) => number) => {
    const started = performance.now();
    const carts = await inParallel(count, 32, async (index) => {
      const headers = buyers[tenantOf(index)]!;
      const order = await json(base, 'POST', '/api/v1/orders', headers, { currency: CURRENCIES[index % 3] });
      if (order.status !== 201) throw new Error(`create cart: ${order.status} ${JSON.stringify(order.body)}`);
      const item = await json(base, 'POST', `/api/v1/orders/${order.body.id as string}/items`, headers, { productId, pricePlan: 'monthly', quantity: 1 + (index % 50), configuration: { region: 'eu-west', label: `volume ${index}` } });
      if (item.status !== 201) throw new Error(`add item: ${item.status} ${JSON.stringify(item.body)}`);
      return { id: order.body.id as string, headers };
    });
    console.log(`   ${count} carts filled at ${Math.round((count / (performance.now() - started)) * 1000)}/s`);
    return carts;
  };
  const submitAll = async (carts: { id: string; headers: Record<string, string> }[], warmup: number) => {
    let next = 0;
    // autocannon has one URL; each request's path names the next cart, and its headers that cart's tenant's key.
    return load(`${base}/api/v1/orders/${carts[0]!.id}/submit`, buyer, server.child.pid!, postgresPid(), {
      method: 'POST',
      next: () => {
        const cart = carts[next++];
        return { path: `/api/v1/orders/${cart?.id ?? 'ord_exhausted'}/submit`, headers: { ...(cart?.headers ?? buyer), 'idempotency-key': `bench-${cart?.id}` } };
      },
      amount: carts.length - warmup,
      warmupAmount: warmup,
    });
  };
  console.log(`b. order submissions across ${TENANTS} tenants …`);
  const submissions = await submitAll(await fill(WARMUP_CARTS + MEASURED_CARTS, (index) => index % TENANTS), WARMUP_CARTS);
  console.log(`   ${Math.round(submissions.requestsPerSecond)} submissions/s`);
  console.log('c. order submissions within one tenant …');
  const oneTenant = await submitAll(await fill(ONE_TENANT_WARMUP + ONE_TENANT_CARTS, () => 0), ONE_TENANT_WARMUP);
  console.log(`   ${Math.round(oneTenant.requestsPerSecond)} submissions/s`);
  const submitted = await json(base, 'GET', `/api/v1/orders?status=provisioning&limit=1`, buyer);
  await stopProc(server);

  console.log('d. node:http hello-world baseline …');
  const baseline = await baselineThroughput();
  console.log(`   ${Math.round(baseline.requestsPerSecond)} req/s`);

  const row = (name: string, l: Load) => [
    name,
    Math.round(l.requestsPerSecond).toLocaleString('en-US'),
    `${l.latencyP50Ms} ms`,
    `${l.latencyP99Ms} ms`,
    l.errors + l.timeouts + l.non2xx,
    `${((l.requestsPerSecond / baseline.requestsPerSecond) * 100).toFixed(1)} %`,
    `${l.cpu.server} / ${l.cpu.postgres ?? '–'} / ${l.cpu.loadGenerator} / ${l.cpu.other}`,
  ];
  console.log('\n' + table(['what', 'per second', 'p50', 'p99', 'errors + non-2xx', 'of node:http', 'CPU % server / PostgreSQL / autocannon / other'], [
    row('price preview (10 tiers, 3 currencies)', previews),
    row(`order submission (${TENANTS} tenants)`, submissions),
    row('order submission (one tenant)', oneTenant),
    row('node:http hello-world', baseline),
  ]));
  const verdict = submissions.requestsPerSecond >= TARGET_SUBMISSIONS ? 'PASS' : 'FAIL';
  console.log(`\nOrder submissions across ${TENANTS} tenants: ${Math.round(submissions.requestsPerSecond)}/s against the target of ${TARGET_SUBMISSIONS}/s — ${verdict}. Within one tenant: ${Math.round(oneTenant.requestsPerSecond)}/s.`);
  const loadAverageAtEnd = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(`Load average at start ${loadAverageAtStart}, at end ${loadAverageAtEnd}.`);

  const problems: string[] = [];
  for (const [name, l] of [['previews', previews], ['submissions', submissions], ['one-tenant submissions', oneTenant]] as const) {
    if (l.errors + l.timeouts + l.non2xx > 0) problems.push(`${name}: ${l.errors} errors, ${l.timeouts} timeouts, ${l.non2xx} non-2xx under load`);
  }
  if (submitted.status !== 200 || (submitted.body.data as unknown[]).length === 0) problems.push('no submitted order is in provisioning after the run');
  if (verdict === 'FAIL') problems.push(`order submissions ${Math.round(submissions.requestsPerSecond)}/s are below the ${TARGET_SUBMISSIONS}/s target`);
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim() || undefined;
  writeFileSync(RESULTS, `${JSON.stringify({ date: new Date().toISOString(), commit, settings: { ...LOAD, tenants: TENANTS, measuredCarts: MEASURED_CARTS, oneTenantCarts: ONE_TENANT_CARTS }, loadAverageAtStart, loadAverageAtEnd, previews, submissions, oneTenant, baseline, target: TARGET_SUBMISSIONS, problems }, null, 2)}\n`);
  console.log(`\nWrote ${RESULTS.slice(ROOT.length)}.`);
  return problems;
}

await runBench(main);
