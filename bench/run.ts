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
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { embeddedServerPid as postmasterPid, freePort } from '../src/kernel/db/embedded.js';
import { cpus, totalmem, release, platform as osPlatform } from 'node:os';
import { join } from 'node:path';
import { ROOT, BIN, LOAD, spawnProc, stopProc, runBench, newHome, envWith, waitFor200, median, ms, table, timeCommand, load, baselineThroughput, scratchDatabaseSettings, signInAsStaff, type Load } from './harness.js';

const RESULTS = join(ROOT, 'bench', 'results', 'latest.json');
const WARM_TARGET_MS = 3000;
const WARM_RUNS = 3;
const ADMIN = { email: 'bench@example.com', password: 'bench passphrase, long enough' };

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
  const { loadPlatformConfig: loadConfig } = await import('../src/registry.js');
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
    await migrateDatabase(database.ownerUrl, database.appUrl);
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


async function platformThroughput(home: string): Promise<{ database: string; result: Load }> {
  const port = await freePort();
  const settings: Record<string, string> = { PLATFORMA_HOME: home, PORT: String(port), LOG_LEVEL: 'warn' };
  if (process.env.DATABASE_URL) Object.assign(settings, await scratchDatabaseSettings(process.env.DATABASE_URL));
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
  const { cookie, csrfToken } = await signInAsStaff(base, ADMIN);
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

// ---------------------------------------------------------------------------------------------

function gitCommit(): string | undefined {
  const result = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

async function main(): Promise<string[]> {
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
  return problems;
}

await runBench(main);
