// Shared by the benchmarks: spawning and stopping processes (cleaned up also when interrupted),
// temporary homes and scratch databases, autocannon load runs, and who used the CPU meanwhile.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { embeddedServerPid as postmasterPid, freePort } from '../src/kernel/db/embedded.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon, { type Result } from 'autocannon';
import { generate } from 'otplib';
import pg from 'pg';
import { appUrlFrom } from '../src/kernel/db/roles.js';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const BIN = join(ROOT, 'bin', 'platforma.js');
export const LOAD = { connections: 50, pipelining: 1, duration: 10, warmup: 2 };

// ---------------------------------------------------------------------------------------------
// Processes and clean-up

export interface Proc {
  name: string;
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  hasExited: () => boolean;
}

const running = new Set<Proc>();
const homes: string[] = [];
export const cleanups: (() => Promise<void>)[] = [];

export function spawnProc(name: string, args: string[], env: NodeJS.ProcessEnv): Proc {
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

export async function stopProc(proc: Proc, expectCleanExit = true): Promise<number> {
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
export async function cleanUp(): Promise<void> {
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


export function newHome(): string {
  const home = mkdtempSync(join(tmpdir(), 'platforma-bench-'));
  homes.push(home);
  return home;
}

/** The caller's environment without database or config overrides, plus the given settings. */
export function envWith(settings: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['DATABASE_URL', 'DATABASE_APP_URL', 'TEST_DATABASE_URL', 'PLATFORMA_CONFIG', 'PUBLIC_URL', 'NODE_OPTIONS']) delete env[name];
  return { ...env, HOST: '127.0.0.1', ...settings };
}

/** Polls until GET url answers 200; returns when. Fails if the process exits or time runs out. */
export async function waitFor200(url: string, proc: Proc, timeoutMs: number): Promise<number> {
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

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export const ms = (value: number) => `${Math.round(value).toLocaleString('en-US')} ms`;

export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((row) => row.map(String))];
  const widths = headers.map((_, column) => Math.max(...cells.map((row) => row[column]!.length)));
  const line = (row: string[]) => `| ${row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join(' | ')} |`;
  return [line(headers), `|${widths.map((w, column) => (column === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`, ...cells.slice(1).map(line)].join('\n');
}

/** Wall-clock time of `node …args`; throws unless it exits with `expectedStatus`. */
export function timeCommand(args: string[], env: NodeJS.ProcessEnv, expectedStatus = 0): number {
  const startedAt = performance.now();
  const result = spawnSync(process.execPath, args, { cwd: ROOT, env, stdio: 'ignore', timeout: 60_000 });
  if (result.status !== expectedStatus) throw new Error(`node ${args.join(' ')} exited ${result.status}, expected ${expectedStatus}`);
  return performance.now() - startedAt;
}

// CPU time from /proc (Linux): who uses the two cores while the load runs.
export const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

export function processStat(pid: number): { ppid: number; cpuMs: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from #3 (state) on
    return { ppid: Number(fields[1]), cpuMs: ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS };
  } catch {
    return undefined;
  }
}

/** CPU milliseconds used so far by each process in the tree under `root` (postgres and its backends). */
export function treeCpu(root: number): Map<number, number> {
  const all = new Map<number, { ppid: number; cpuMs: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = processStat(Number(entry));
    if (stat) all.set(Number(entry), stat);
  }
  const inTree = (pid: number): boolean => pid === root || (pid > 1 && all.has(pid) && inTree(all.get(pid)!.ppid));
  return new Map([...all].filter(([pid]) => inTree(pid)).map(([pid, stat]) => [pid, stat.cpuMs]));
}

export function cpuDelta(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, cpuMs] of after) total += cpuMs - (before.get(pid) ?? 0);
  return total;
}

/** Busy CPU milliseconds of the whole machine so far (all cores), from /proc/stat. */
export function machineBusyMs(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
  return ((user + nice + system + irq + softirq + steal) * 1000) / CLOCK_TICKS;
}

export interface CpuShare {
  /** Percent of one core during the measured run (the machine has `cores` × 100 %). */
  server: number;
  postgres: number | undefined;
  loadGenerator: number;
  /** Everything else on the machine meanwhile (other users' work, the OS). */
  other: number;
}

// ---------------------------------------------------------------------------------------------
// b. Requests per second

export interface Load {
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

/** Load that is not measured: brings a server's JIT, pools and caches to their steady state. */
export async function warmUp(url: string, headers: Record<string, string>, seconds: number): Promise<void> {
  await autocannon({ url, headers, connections: LOAD.connections, pipelining: LOAD.pipelining, duration: seconds });
}

/** What each request of a load run sends, beyond a GET of the URL with fixed headers. */
export interface RequestShape {
  method?: 'GET' | 'POST';
  /** Builds each request's body and extra headers (unique idempotency keys, rotating inputs). */
  next?: () => { body?: string; headers?: Record<string, string>; path?: string };
  /** Stop after this many measured requests instead of after LOAD.duration (a finite pool of inputs). */
  amount?: number;
  /** Requests of the warm-up run (when `amount` is set); default LOAD.warmup seconds. */
  warmupAmount?: number;
}

function autocannonRequest(headers: Record<string, string>, shape: RequestShape) {
  if (!shape.next && !shape.method) return {};
  const next = shape.next;
  return {
    requests: [
      {
        method: shape.method ?? 'GET',
        setupRequest: (request: { headers?: Record<string, string>; body?: string }) => {
          const made = next?.() ?? {};
          return {
            ...request,
            headers: { ...headers, ...(made.body !== undefined ? { 'content-type': 'application/json' } : {}), ...made.headers },
            ...(made.body !== undefined ? { body: made.body } : {}),
            ...(made.path !== undefined ? { path: made.path } : {}),
          };
        },
      },
    ],
  };
}

export async function load(url: string, headers: Record<string, string>, serverPid: number, postgresPid: number | undefined, shape: RequestShape = {}): Promise<Load> {
  const options = { url, headers, connections: LOAD.connections, pipelining: LOAD.pipelining, ...autocannonRequest(headers, shape) };
  await autocannon({ ...options, ...(shape.amount !== undefined ? { amount: shape.warmupAmount ?? 200 } : { duration: LOAD.warmup }) });
  const serverBefore = processStat(serverPid)?.cpuMs ?? 0;
  const postgresBefore = postgresPid === undefined ? undefined : treeCpu(postgresPid);
  const selfBefore = process.cpuUsage();
  const machineBefore = machineBusyMs();
  const startedAt = performance.now();
  const run = autocannon({ ...options, ...(shape.amount !== undefined ? { amount: shape.amount } : { duration: LOAD.duration }) }) as Promise<Result> & { on(event: 'response', listener: () => void): void };
  // Rates are over the time to the last response: autocannon notices that a fixed number of
  // requests (amount) is done only at its next one-second tick, and its own duration is whole
  // seconds, either of which quantises the rate (4,000 requests in 8.4 s would read as 444/s).
  let lastResponseAt = startedAt;
  run.on('response', () => {
    lastResponseAt = performance.now();
  });
  const result: Result = await run;
  const elapsed = Math.max(lastResponseAt - startedAt, 1);
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
    requestsPerSecond: Math.round((result.requests.total / (elapsed / 1000)) * 10) / 10,
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

// ---------------------------------------------------------------------------------------------
// The baseline every throughput figure is compared with: a bare node:http hello-world

const HELLO = `
const http = require('node:http');
const body = JSON.stringify({ hello: 'world' });
http.createServer((request, response) => {
  response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}).listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
`;

/** Requests/s of a bare node:http hello-world in its own process, under the same load as the platform. */
export async function baselineThroughput(): Promise<Load> {
  const port = await freePort();
  const server = spawnProc('node:http baseline', ['-e', HELLO], { ...process.env, PORT: String(port) });
  await waitFor200(`http://127.0.0.1:${port}/`, server, 10_000);
  const result = await load(`http://127.0.0.1:${port}/`, {}, server.child.pid!, undefined);
  await stopProc(server);
  return result;
}

/** A scratch database on DATABASE_URL's server, dropped at the end. */
export async function scratchDatabase(databaseUrl: string): Promise<string> {
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

/**
 * The application role is cluster-wide and test runs on this server give it one fixed password
 * (test/support/database.ts testAppPassword): a bench uses the same, so it never re-keys the role
 * under a test run going on meanwhile, and its server (whose generated password would differ)
 * does not refuse to start (ADR 0012).
 */
export function sharedAppUrl(ownerUrl: string): string {
  const url = new URL(ownerUrl);
  const server = `${url.username}:${decodeURIComponent(url.password)}@${url.hostname}:${url.port || '5432'}`;
  return appUrlFrom(ownerUrl, createHmac('sha256', server).update('platforma application role').digest('base64url'));
}

/** DATABASE_URL (a scratch database on that server) and the matching DATABASE_APP_URL for a bench's server. */
export async function scratchDatabaseSettings(databaseUrl: string): Promise<{ DATABASE_URL: string; DATABASE_APP_URL: string }> {
  const ownerUrl = await scratchDatabase(databaseUrl);
  return { DATABASE_URL: ownerUrl, DATABASE_APP_URL: sharedAppUrl(ownerUrl) };
}

// --- signing in as a staff member: MFA is mandatory, so the harness is its authenticator -------
const totpSecrets = new Map<string, string>();
const lastTotpStep = new Map<string, number>();

/** A TOTP code for a time step the server has not accepted yet (each step works once). */
async function nextTotpCode(secret: string): Promise<string> {
  const step = Math.floor(Date.now() / 30_000);
  const use = Math.max(step, (lastTotpStep.get(secret) ?? -1) + 1);
  if (use > step + 1) await new Promise((resolve) => setTimeout(resolve, (use - 1) * 30_000 - Date.now() + 100));
  lastTotpStep.set(secret, use);
  return generate({ secret, epoch: use * 30 });
}

/** Signs in with email and password, then completes MFA: enrols on first sign-in, enters a code afterwards. */
export async function signInAsStaff(base: string, admin: { email: string; password: string }): Promise<{ cookie: string; csrfToken: string }> {
  const response = await fetch(`${base}/api/v1/auth/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(admin) });
  if (response.status !== 200) throw new Error(`sign-in: ${response.status} ${await response.text()}`);
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith('platforma_session='))?.split(';')[0];
  if (!cookie) throw new Error('sign-in set no session cookie');
  const { csrfToken, restriction } = (await response.json()) as { csrfToken: string; restriction: string | null };
  const post = async (path: string, body: unknown) => {
    const answer = await fetch(`${base}${path}`, { method: 'POST', headers: { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (answer.status >= 300) throw new Error(`${path}: ${answer.status} ${await answer.text()}`);
    return answer;
  };
  const key = `${base} ${admin.email}`;
  if (restriction === 'mfa_enroll') {
    const { secret } = (await (await post('/api/v1/me/mfa/totp', {})).json()) as { secret: string };
    totpSecrets.set(admin.email, secret);
    await post('/api/v1/me/mfa/totp/confirm', { code: await nextTotpCode(secret) });
  } else if (restriction === 'mfa_verify') {
    const secret = totpSecrets.get(admin.email);
    if (!secret) throw new Error(`${key}: MFA is on with an authenticator this run did not enrol`);
    await post('/api/v1/auth/mfa/verify', { code: await nextTotpCode(secret) });
  }
  return { cookie, csrfToken };
}

/**
 * Runs a benchmark's main to the end: failures and listed problems make the exit code 1, every
 * started process is cleaned up, and the process exits even if handles (autocannon agents, pools
 * of in-process phases) are still open.
 */
export async function runBench(main: () => Promise<string[]>): Promise<never> {
  try {
    const problems = await main();
    if (problems.length > 0) {
      console.error(`\nProblems:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
      process.exitCode = 1;
    }
  } catch (error) {
    console.error(`\nbench failed: ${(error as Error).stack ?? String(error)}`);
    process.exitCode = 1;
  } finally {
    await cleanUp();
  }
  process.exit();
}
