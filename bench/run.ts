// `npm run bench`: what a user waits for and what a server does, measured in one run on this machine.
//
//   a. Boot to ready with the embedded database: `node bin/platforma.js start` spawned until the
//      first GET /readyz 200, on a fresh PLATFORMA_HOME (cold: initdb included) and then warm
//      restarts of the same home after a clean SIGTERM stop (median of 3). Target: warm ≤ 3 s.
//      Then where a warm boot goes: node itself, loading the code (tsx + modules), and the steps
//      inside start (embedded PostgreSQL, migration check, building the app, workers + listen).
//   b. Requests/s of an authenticated GET /api/v1/tenants/{id} (session cookie) on the platform
//      server (its own process, LOG_LEVEL=warn) against a bare node:http hello-world (its own
//      process), both driven by autocannon with identical settings after a warm-up run.
//
// Prints tables and ratios and writes bench/results/latest.json. Cleans up its processes and
// temporary directories, also when interrupted.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { embeddedServerPid as postmasterPid, freePort } from '../src/kernel/db/embedded.js';
import { cpus, tmpdir, totalmem, release, platform as osPlatform } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon, { type Result } from 'autocannon';
import pg from 'pg';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'platforma.js');
const RESULTS = join(ROOT, 'bench', 'results', 'latest.json');
const WARM_TARGET_MS = 3000;
const WARM_RUNS = 3;
const LOAD = { connections: 50, pipelining: 1, duration: 10, warmup: 2 };
const ADMIN = { email: 'bench@example.com', password: 'bench passphrase, long enough' };

// ---------------------------------------------------------------------------------------------
// Processes and clean-up

interface Proc {
  name: string;
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  hasExited: () => boolean;
}

const running = new Set<Proc>();
const homes: string[] = [];
const cleanups: (() => Promise<void>)[] = [];

function spawnProc(name: string, args: string[], env: NodeJS.ProcessEnv): Proc {
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let done = false;
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const proc: Proc = {
    name,
    child,
    output: () => output,
    hasExited: () => done,
    exited: new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        done = true;
        running.delete(proc);
        resolve({ code, signal });
      }),
    ),
  };
  running.add(proc);
  return proc;
}

async function stopProc(proc: Proc, expectCleanExit = true): Promise<number> {
  const startedAt = performance.now();
  proc.child.kill('SIGTERM');
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), 30_000);
  const exit = await proc.exited;
  clearTimeout(timer);
  if (expectCleanExit && (exit.code !== 0 || exit.signal !== null)) {
    throw new Error(`${proc.name} did not exit cleanly on SIGTERM (code ${exit.code}, signal ${exit.signal}):\n${proc.output()}`);
  }
  return performance.now() - startedAt;
}


let cleanedUp = false;
async function cleanUp(): Promise<void> {
  if (cleanedUp) return;
  cleanedUp = true;
  for (const proc of running) proc.child.kill('SIGKILL');
  await new Promise((resolve) => setTimeout(resolve, 200));
  for (const home of homes) {
    const pid = postmasterPid(home);
    if (pid !== undefined) {
      process.kill(pid, 'SIGINT');
      const deadline = Date.now() + 15_000;
      while (postmasterPid(home) !== undefined && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      if (postmasterPid(home) !== undefined) process.kill(pid, 'SIGKILL');
    }
    rmSync(home, { recursive: true, force: true });
  }
  for (const cleanup of cleanups) await cleanup().catch((error: unknown) => console.error(`clean-up: ${(error as Error).message}`));
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: cleaning up`);
    void cleanUp().finally(() => process.exit(130));
  });
}

// ---------------------------------------------------------------------------------------------
// Helpers


function newHome(): string {
  const home = mkdtempSync(join(tmpdir(), 'platforma-bench-'));
  homes.push(home);
  return home;
}

/** The caller's environment without database or config overrides, plus the given settings. */
function envWith(settings: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['DATABASE_URL', 'DATABASE_APP_URL', 'TEST_DATABASE_URL', 'PLATFORMA_CONFIG', 'PUBLIC_URL', 'NODE_OPTIONS']) delete env[name];
  return { ...env, HOST: '127.0.0.1', ...settings };
}

/** Polls until GET url answers 200; returns when. Fails if the process exits or time runs out. */
async function waitFor200(url: string, proc: Proc, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.hasExited()) throw new Error(`${proc.name} exited before ${url} answered 200:\n${proc.output()}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      if (response.status === 200) return performance.now();
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms:\n${proc.output()}`);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const ms = (value: number) => `${Math.round(value).toLocaleString('en-US')} ms`;

function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((row) => row.map(String))];
  const widths = headers.map((_, column) => Math.max(...cells.map((row) => row[column]!.length)));
  const line = (row: string[]) => `| ${row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join(' | ')} |`;
  return [line(headers), `|${widths.map((w, column) => (column === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`, ...cells.slice(1).map(line)].join('\n');
}

function timeCommand(args: string[], env: NodeJS.ProcessEnv): number {
  const startedAt = performance.now();
  const result = spawnSync(process.execPath, args, { cwd: ROOT, env, stdio: 'ignore', timeout: 60_000 });
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} failed (${result.status})`);
  return performance.now() - startedAt;
}

// CPU time from /proc (Linux): who uses the two cores while the load runs.
const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

function processStat(pid: number): { ppid: number; cpuMs: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from #3 (state) on
    return { ppid: Number(fields[1]), cpuMs: ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS };
  } catch {
    return undefined;
  }
}

/** CPU milliseconds used so far by each process in the tree under `root` (postgres and its backends). */
function treeCpu(root: number): Map<number, number> {
  const all = new Map<number, { ppid: number; cpuMs: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = processStat(Number(entry));
    if (stat) all.set(Number(entry), stat);
  }
  const inTree = (pid: number): boolean => pid === root || (pid > 1 && all.has(pid) && inTree(all.get(pid)!.ppid));
  return new Map([...all].filter(([pid]) => inTree(pid)).map(([pid, stat]) => [pid, stat.cpuMs]));
}

function cpuDelta(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, cpuMs] of after) total += cpuMs - (before.get(pid) ?? 0);
  return total;
}

/** Busy CPU milliseconds of the whole machine so far (all cores), from /proc/stat. */
function machineBusyMs(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
  return ((user + nice + system + irq + softirq + steal) * 1000) / CLOCK_TICKS;
}

interface CpuShare {
  /** Percent of one core during the measured run (the machine has `cores` × 100 %). */
  server: number;
  postgres: number | undefined;
  loadGenerator: number;
  /** Everything else on the machine meanwhile (other users' work, the OS). */
  other: number;
}

// ---------------------------------------------------------------------------------------------
// a. Boot to ready

interface Boot {
  /** Spawn → first /readyz 200. */
  readyMs: number;
  /** What start itself reports ("ready in N ms"): from its command action to listening. */
  selfReportedMs: number | undefined;
  /** SIGTERM → exit (server stopped, embedded PostgreSQL stopped). */
  stopMs: number;
}

async function bootOnce(home: string, label: string): Promise<Boot> {
  const port = await freePort();
  const startedAt = performance.now();
  const proc = spawnProc(`start (${label})`, [BIN, 'start'], envWith({ PLATFORMA_HOME: home, PORT: String(port), LOG_LEVEL: 'warn' }));
  const readyAt = await waitFor200(`http://127.0.0.1:${port}/readyz`, proc, 120_000);
  // The banner is printed right after listen; give it a moment to arrive on the pipe.
  for (let i = 0; i < 40 && !/is ready in \d+ ms/.test(proc.output()); i++) await new Promise((resolve) => setTimeout(resolve, 25));
  const reported = /is ready in (\d+) ms/.exec(proc.output());
  const stopMs = await stopProc(proc);
  if (postmasterPid(home) !== undefined) throw new Error(`the embedded PostgreSQL of ${home} still runs after the server stopped`);
  return { readyMs: readyAt - startedAt, selfReportedMs: reported ? Number(reported[1]) : undefined, stopMs };
}

interface Phases {
  nodeStartMs: number;
  loadCodeMs: number;
  embeddedStartMs: number;
  migrateCheckMs: number;
  buildAppMs: number;
  startWorkersAndListenMs: number;
  closeMs: number;
}

/** The steps of `start`, run in this process against the (stopped) embedded database of `home`. */
async function bootPhases(home: string): Promise<Phases> {
  const bare = envWith({ PLATFORMA_HOME: home });
  const nodeStartMs = median([0, 1, 2].map(() => timeCommand(['-e', ''], bare)));
  const loadCodeMs = median([0, 1, 2].map(() => timeCommand([BIN, '--version'], bare)));
  const { loadConfig } = await import('../src/kernel/config.js');
  const { createLogger } = await import('../src/kernel/logging.js');
  const { locateDatabase } = await import('../src/kernel/db/location.js');
  const { createPlatform, migrateDatabase } = await import('../src/platform.js');
  const samples: Omit<Phases, 'nodeStartMs' | 'loadCodeMs'>[] = [];
  for (let i = 0; i < WARM_RUNS; i++) {
    const config = loadConfig({ PLATFORMA_HOME: home, PORT: String(await freePort()), HOST: '127.0.0.1', LOG_LEVEL: 'silent' });
    let t = performance.now();
    const database = await locateDatabase(config);
    const embeddedStartMs = performance.now() - t;
    t = performance.now();
    await migrateDatabase(database.ownerUrl);
    const migrateCheckMs = performance.now() - t;
    t = performance.now();
    const platform = await createPlatform({ config, database, role: 'all', logger: createLogger('silent') });
    const buildAppMs = performance.now() - t;
    t = performance.now();
    await platform.start();
    const startWorkersAndListenMs = performance.now() - t;
    t = performance.now();
    await platform.close();
    samples.push({ embeddedStartMs, migrateCheckMs, buildAppMs, startWorkersAndListenMs, closeMs: performance.now() - t });
  }
  const pick = (key: keyof (typeof samples)[number]) => median(samples.map((s) => s[key]));
  return {
    nodeStartMs,
    loadCodeMs,
    embeddedStartMs: pick('embeddedStartMs'),
    migrateCheckMs: pick('migrateCheckMs'),
    buildAppMs: pick('buildAppMs'),
    startWorkersAndListenMs: pick('startWorkersAndListenMs'),
    closeMs: pick('closeMs'),
  };
}

// ---------------------------------------------------------------------------------------------
// b. Requests per second

interface Load {
  /** Completed requests / elapsed seconds of the measured run. */
  requestsPerSecond: number;
  /** autocannon's own figure: the mean of its once-a-second samples (a last partial second included). */
  autocannonRequestsAverage: number;
  requestsTotal: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  latencyAvgMs: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  cpu: CpuShare;
}

async function load(url: string, headers: Record<string, string>, serverPid: number, postgresPid: number | undefined): Promise<Load> {
  const options = { url, headers, connections: LOAD.connections, pipelining: LOAD.pipelining };
  await autocannon({ ...options, duration: LOAD.warmup });
  const serverBefore = processStat(serverPid)?.cpuMs ?? 0;
  const postgresBefore = postgresPid === undefined ? undefined : treeCpu(postgresPid);
  const selfBefore = process.cpuUsage();
  const machineBefore = machineBusyMs();
  const startedAt = performance.now();
  const result: Result = await autocannon({ ...options, duration: LOAD.duration });
  const elapsed = performance.now() - startedAt;
  const machine = machineBusyMs() - machineBefore;
  const self = process.cpuUsage(selfBefore);
  const percent = (cpuMs: number) => Math.round((cpuMs / elapsed) * 1000) / 10;
  const serverMs = (processStat(serverPid)?.cpuMs ?? 0) - serverBefore;
  const postgresMs = postgresPid === undefined || !postgresBefore ? undefined : cpuDelta(postgresBefore, treeCpu(postgresPid));
  const selfMs = (self.user + self.system) / 1000;
  const cpu: CpuShare = {
    server: percent(serverMs),
    postgres: postgresMs === undefined ? undefined : percent(postgresMs),
    loadGenerator: percent(selfMs),
    other: percent(Math.max(0, machine - serverMs - (postgresMs ?? 0) - selfMs)),
  };
  return {
    cpu,
    requestsPerSecond: Math.round((result.requests.total / result.duration) * 10) / 10,
    autocannonRequestsAverage: result.requests.average,
    requestsTotal: result.requests.total,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    latencyAvgMs: result.latency.average,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
  };
}

/** A scratch database on DATABASE_URL's server, dropped at the end. */
async function scratchDatabase(databaseUrl: string): Promise<string> {
  const name = `platforma_bench_${randomBytes(4).toString('hex')}`;
  const adminUrl = new URL(databaseUrl);
  adminUrl.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: adminUrl.toString() });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  await admin.end();
  cleanups.push(async () => {
    const client = new pg.Client({ connectionString: adminUrl.toString() });
    await client.connect();
    await client.query(`drop database if exists "${name}" with (force)`);
    await client.end();
  });
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function platformThroughput(home: string): Promise<{ database: string; result: Load }> {
  const port = await freePort();
  const settings: Record<string, string> = { PLATFORMA_HOME: home, PORT: String(port), LOG_LEVEL: 'warn' };
  if (process.env.DATABASE_URL) settings.DATABASE_URL = await scratchDatabase(process.env.DATABASE_URL);
  const env = envWith(settings);
  const server = spawnProc('platform', [BIN, 'start'], env);
  const base = `http://127.0.0.1:${port}`;
  await waitFor200(`${base}/readyz`, server, 120_000);
  const created = spawnSync(process.execPath, [BIN, 'admin', 'create', '--email', ADMIN.email], {
    cwd: ROOT,
    env: { ...env, PLATFORMA_ADMIN_PASSWORD: ADMIN.password },
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (created.status !== 0) throw new Error(`admin create failed:\n${created.stdout}${created.stderr}`);
  const signIn = await fetch(`${base}/api/v1/auth/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
  if (signIn.status !== 200) throw new Error(`sign-in: ${signIn.status} ${await signIn.text()}`);
  const cookie = signIn.headers.getSetCookie().find((c) => c.startsWith('platforma_session='))?.split(';')[0];
  const { csrfToken } = (await signIn.json()) as { csrfToken: string };
  if (!cookie) throw new Error('sign-in set no session cookie');
  const tenant = await fetch(`${base}/api/v1/tenants`, {
    method: 'POST',
    headers: { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json' },
    body: JSON.stringify({ organizationName: 'Bench Corp', domain: 'bench.example.com', adminEmail: 'ops@bench.example.com' }),
  });
  if (tenant.status !== 201) throw new Error(`create tenant: ${tenant.status} ${await tenant.text()}`);
  const { id } = (await tenant.json()) as { id: string };
  const check = await fetch(`${base}/api/v1/tenants/${id}`, { headers: { cookie } });
  if (check.status !== 200) throw new Error(`GET tenant: ${check.status} ${await check.text()}`);
  await check.arrayBuffer();
  const result = await load(`${base}/api/v1/tenants/${id}`, { cookie }, server.child.pid!, settings.DATABASE_URL ? undefined : postmasterPid(home));
  await stopProc(server);
  return { database: settings.DATABASE_URL ? 'DATABASE_URL (scratch database)' : 'embedded PostgreSQL (temp PLATFORMA_HOME)', result };
}

const HELLO = `
const http = require('node:http');
const body = JSON.stringify({ hello: 'world' });
http.createServer((request, response) => {
  response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}).listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
`;

async function baselineThroughput(): Promise<Load> {
  const port = await freePort();
  const server = spawnProc('node:http baseline', ['-e', HELLO], { ...process.env, PORT: String(port) });
  await waitFor200(`http://127.0.0.1:${port}/`, server, 10_000);
  const result = await load(`http://127.0.0.1:${port}/`, {}, server.child.pid!, undefined);
  await stopProc(server);
  return result;
}

// ---------------------------------------------------------------------------------------------

function gitCommit(): string | undefined {
  const result = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

async function main(): Promise<void> {
  const benchStartedAt = performance.now();
  const cpu = cpus();
  const machine = {
    cpu: cpu[0]?.model ?? 'unknown',
    cores: cpu.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${osPlatform()} ${release()}`,
    node: process.version,
    loadAverageAtStart: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
  };
  console.log(`Platforma benchmark — ${machine.cores} × ${machine.cpu}, ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}, load ${machine.loadAverageAtStart}\n`);

  // a. Boot to ready.
  const home = newHome();
  console.log('a. boot to ready (embedded PostgreSQL) …');
  const cold = await bootOnce(home, 'cold');
  console.log(`   cold ${ms(cold.readyMs)}`);
  const warm: Boot[] = [];
  for (let i = 0; i < WARM_RUNS; i++) {
    warm.push(await bootOnce(home, `warm ${i + 1}`));
    console.log(`   warm ${i + 1} ${ms(warm[i]!.readyMs)}`);
  }
  const warmMedian = median(warm.map((b) => b.readyMs));
  const warmPass = warmMedian <= WARM_TARGET_MS;
  console.log('   phases of a warm boot …');
  const phases = await bootPhases(home);

  // b. Throughput.
  console.log(`b. GET /api/v1/tenants/{id} vs node:http hello-world: ${LOAD.connections} connections, pipelining ${LOAD.pipelining}, ${LOAD.warmup} s warm-up + ${LOAD.duration} s each …`);
  const platform = await platformThroughput(home);
  console.log(`   platform ${Math.round(platform.result.requestsPerSecond)} req/s`);
  const baseline = await baselineThroughput();
  console.log(`   baseline ${Math.round(baseline.requestsPerSecond)} req/s`);
  const ratio = platform.result.requestsPerSecond / baseline.requestsPerSecond;

  // Report.
  const selfReported = median(warm.map((b) => b.selfReportedMs ?? Number.NaN));
  console.log('\nBoot to ready (spawn `node bin/platforma.js start` → first /readyz 200)\n');
  console.log(
    table(
      ['run', 'ready', '"ready in" (start\'s own count)', 'SIGTERM → exit'],
      [
        ['cold (fresh home, initdb)', ms(cold.readyMs), cold.selfReportedMs === undefined ? '–' : ms(cold.selfReportedMs), ms(cold.stopMs)],
        ...warm.map((b, i) => [`warm ${i + 1}`, ms(b.readyMs), b.selfReportedMs === undefined ? '–' : ms(b.selfReportedMs), ms(b.stopMs)]),
        [`warm median`, ms(warmMedian), Number.isNaN(selfReported) ? '–' : ms(selfReported), ms(median(warm.map((b) => b.stopMs)))],
      ],
    ),
  );
  console.log(`\nWarm restart target ≤ ${ms(WARM_TARGET_MS)}: ${warmPass ? 'PASS' : 'FAIL'} (median ${ms(warmMedian)}); cold/warm ${(cold.readyMs / warmMedian).toFixed(2)}×\n`);
  console.log('Where a warm boot goes (medians of 3)\n');
  const inside = phases.embeddedStartMs + phases.migrateCheckMs + phases.buildAppMs + phases.startWorkersAndListenMs;
  console.log(
    table(
      ['phase', 'time', 'share of warm median'],
      [
        ['node start (`node -e ""`)', ms(phases.nodeStartMs), `${((phases.nodeStartMs / warmMedian) * 100).toFixed(0)} %`],
        ['load the code (`platforma --version`, incl. node start)', ms(phases.loadCodeMs), `${((phases.loadCodeMs / warmMedian) * 100).toFixed(0)} %`],
        ['embedded PostgreSQL start (locateDatabase)', ms(phases.embeddedStartMs), `${((phases.embeddedStartMs / warmMedian) * 100).toFixed(0)} %`],
        ['migration check + job-queue install (migrateDatabase)', ms(phases.migrateCheckMs), `${((phases.migrateCheckMs / warmMedian) * 100).toFixed(0)} %`],
        ['build the app (createPlatform: Fastify, schemas, routes)', ms(phases.buildAppMs), `${((phases.buildAppMs / warmMedian) * 100).toFixed(0)} %`],
        ['pg-boss start, workers, listen (platform.start)', ms(phases.startWorkersAndListenMs), `${((phases.startWorkersAndListenMs / warmMedian) * 100).toFixed(0)} %`],
        ['sum of the steps inside start', ms(inside), `${((inside / warmMedian) * 100).toFixed(0)} %`],
      ],
    ),
  );
  console.log(`\nGET /api/v1/tenants/{id} (${platform.database}) vs bare node:http, ${LOAD.connections} connections, pipelining ${LOAD.pipelining}, ${LOAD.duration} s after a ${LOAD.warmup} s warm-up\n`);
  const row = (name: string, r: Load) => [name, Math.round(r.requestsPerSecond).toLocaleString('en-US'), r.requestsTotal.toLocaleString('en-US'), `${r.latencyP50Ms} ms`, `${r.latencyP99Ms} ms`, `${r.errors + r.timeouts} / ${r.non2xx}`];
  console.log(table(['server', 'req/s', 'requests', 'p50', 'p99', 'errors / non-2xx'], [row('platform', platform.result), row('node:http hello-world', baseline)]));
  const cpuRow = (name: string, r: Load) => [name, `${r.cpu.server} %`, r.cpu.postgres === undefined ? '–' : `${r.cpu.postgres} %`, `${r.cpu.loadGenerator} %`, `${r.cpu.other} %`];
  console.log(`\nCPU during the measured run, % of one core (${machine.cores} cores = ${machine.cores * 100} %)\n`);
  console.log(table(['server', 'server process', 'PostgreSQL (all processes)', 'autocannon', 'rest of the machine'], [cpuRow('platform', platform.result), cpuRow('node:http hello-world', baseline)]));
  console.log(`\nRatio platform / baseline: ${(ratio * 100).toFixed(1)} % of the bare node:http req/s (1 : ${(1 / ratio).toFixed(1)})`);

  const loadAverageAtEnd = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const busy = Math.max(platform.result.cpu.other, baseline.cpu.other) > 20;
  console.log(`\nLoad average at start ${machine.loadAverageAtStart}, at end ${loadAverageAtEnd}.${busy ? ' Other work used the machine during the run: the figures are pessimistic; run again on a quiet machine.' : ''}`);

  const problems: string[] = [];
  if (platform.result.non2xx > 0 || platform.result.errors > 0) problems.push(`the platform answered ${platform.result.non2xx} non-2xx and ${platform.result.errors} errors under load`);
  if (baseline.non2xx > 0 || baseline.errors > 0) problems.push(`the baseline answered ${baseline.non2xx} non-2xx and ${baseline.errors} errors under load`);

  const results = {
    date: new Date().toISOString(),
    commit: gitCommit(),
    machine: { ...machine, loadAverageAtEnd, busyWithOtherWork: busy },
    boot: {
      target: { warmReadyMs: WARM_TARGET_MS, pass: warmPass },
      coldReadyMs: Math.round(cold.readyMs),
      warmReadyMs: warm.map((b) => Math.round(b.readyMs)),
      warmMedianReadyMs: Math.round(warmMedian),
      coldSelfReportedMs: cold.selfReportedMs,
      warmSelfReportedMs: warm.map((b) => b.selfReportedMs),
      stopMs: { cold: Math.round(cold.stopMs), warm: warm.map((b) => Math.round(b.stopMs)) },
      warmPhasesMs: Object.fromEntries(Object.entries(phases).map(([key, value]) => [key, Math.round(value)])),
    },
    throughput: {
      settings: LOAD,
      endpoint: 'GET /api/v1/tenants/{id} with a session cookie',
      database: platform.database,
      platform: platform.result,
      baseline: { ...baseline, server: 'node:http hello-world (JSON body), own process' },
      ratio: Math.round(ratio * 10000) / 10000,
    },
    problems,
    benchSeconds: Math.round((performance.now() - benchStartedAt) / 100) / 10,
  };
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nWrote ${RESULTS.slice(ROOT.length)} (${results.benchSeconds} s in all).`);
  if (problems.length > 0) {
    console.error(`\nProblems:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    process.exitCode = 1;
  }
}

try {
  await main();
} catch (error) {
  console.error(`\nbench failed: ${(error as Error).stack ?? String(error)}`);
  process.exitCode = 1;
} finally {
  await cleanUp();
}
// Whatever handles are left (autocannon agents, pg pools of the in-process phases), the run is over.
process.exit();
