// `npm run bench:auth`: what authentication costs. Requests/s of one endpoint,
// GET /api/v1/tenants/{id}, authenticated by an API key, by a session cookie and (when the server
// offers OAuth clients) by an OAuth JWT access token, each against the same endpoint of the same
// server with authentication switched off — all in one run. Target: each ratio ≥ 0.85.
//
// "Switched off" is a real configuration of the same server, not a code fork here:
// NODE_ENV=benchmark + PLATFORMA_INSECURE_NO_AUTH=benchmark-only on a loopback HOST makes every
// request without credentials act as a fixed platform administrator (src/kernel/config.ts refuses
// it in any other setting; the server logs a loud warning).
//
// Requests that do carry credentials are authenticated as usual, so one server process serves
// every mode; the modes are interleaved over ROUNDS rounds (rotating which goes first) so that
// drift in the machine's load touches every mode alike. Each mode's figure is its mean.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { embeddedServerPid as postmasterPid, freePort } from '../src/kernel/db/embedded.js';
import { ROOT, BIN, LOAD, spawnProc, stopProc, runBench, newHome, envWith, waitFor200, table, load, warmUp, scratchDatabaseSettings, signInAsStaff, type Load, type Proc } from './harness.js';

const RESULTS = join(ROOT, 'bench', 'results', 'auth.json');
const TARGET = 0.85;
const ROUNDS = 3;
/** Seconds of load per mode before anything is measured (JIT, pools, caches). */
const WARM_UP = 5;
const ADMIN = { email: 'bench@example.com', password: 'bench passphrase, long enough' };
const NO_AUTH = { NODE_ENV: 'benchmark', PLATFORMA_INSECURE_NO_AUTH: 'benchmark-only' };

interface Server {
  proc: Proc;
  base: string;
}

interface Setup {
  env: NodeJS.ProcessEnv;
  home: string;
  postgresPid: () => number | undefined;
  tenantId: string;
}

/** A way to authenticate the measured request; `prepare` returns its headers or why it is skipped. */
interface Credential {
  name: string;
  prepare(server: Server, setup: Setup): Promise<{ headers: Record<string, string> } | { skipped: string }>;
}

function cli(args: string[], env: NodeJS.ProcessEnv, extra: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...env, ...extra }, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

async function startServer(env: NodeJS.ProcessEnv, label: string): Promise<Server> {
  const port = await freePort();
  const proc = spawnProc(label, [BIN, 'start', '--role', 'api'], { ...env, PORT: String(port) });
  const base = `http://127.0.0.1:${port}`;
  await waitFor200(`${base}/readyz`, proc, 120_000);
  return { proc, base };
}

const signIn = (base: string) => signInAsStaff(base, ADMIN);

async function expect200(url: string, headers: Record<string, string>): Promise<number> {
  const response = await fetch(url, { headers });
  await response.arrayBuffer();
  return response.status;
}

const CREDENTIALS: Credential[] = [
  {
    name: 'API key',
    async prepare(_server, setup) {
      const created = cli(['api-key', 'create', '--tenant', setup.tenantId, '--name', 'bench', '--role', 'read-only'], setup.env);
      if (created.status !== 0) throw new Error(`api-key create failed:\n${created.stdout}${created.stderr}`);
      return { headers: { authorization: `Bearer ${(JSON.parse(created.stdout) as { secret: string }).secret}` } };
    },
  },
  {
    name: 'session',
    async prepare(server) {
      return { headers: { cookie: (await signIn(server.base)).cookie } };
    },
  },
  {
    // Pluggable: used when the server has `platforma oauth-client create` (the OAuth track).
    name: 'OAuth JWT',
    async prepare(server, setup) {
      const created = cli(['oauth-client', 'create', '--tenant', setup.tenantId, '--name', 'bench', '--grant', 'client_credentials'], setup.env);
      if (created.status !== 0) return { skipped: '`platforma oauth-client create` is not available in this build' };
      const client = JSON.parse(created.stdout) as Record<string, string>;
      const clientId = client.clientId ?? client.client_id;
      const clientSecret = client.clientSecret ?? client.client_secret ?? client.secret;
      const issuer = (client.issuer ?? client.issuerUrl ?? '').replace(/^https?:\/\/[^/]+/, server.base);
      if (!clientId || !clientSecret || !issuer) return { skipped: `oauth-client create printed no clientId/clientSecret/issuer (${Object.keys(client).join(', ')})` };
      const discovery = (await (await fetch(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`)).json()) as { token_endpoint?: string };
      const tokenEndpoint = discovery.token_endpoint?.replace(/^https?:\/\/[^/]+/, server.base);
      if (!tokenEndpoint) return { skipped: 'the discovery document names no token_endpoint' };
      const token = await fetch(tokenEndpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}` },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'tenants:read' }),
      });
      const body = (await token.json()) as { access_token?: string };
      if (!body.access_token) return { skipped: `the token endpoint answered ${token.status} without an access_token` };
      return { headers: { authorization: `Bearer ${body.access_token}` } };
    },
  },
];

async function main(): Promise<string[]> {
  const loadAverageAtStart = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(`Authentication cost — GET /api/v1/tenants/{id}, ${LOAD.connections} connections, ${LOAD.warmup} s warm-up + ${LOAD.duration} s per run, ${ROUNDS} rounds; load ${loadAverageAtStart}\n`);
  const home = newHome();
  const settings: Record<string, string> = { PLATFORMA_HOME: home, LOG_LEVEL: 'warn' };
  if (process.env.DATABASE_URL) Object.assign(settings, await scratchDatabaseSettings(process.env.DATABASE_URL));
  const env = envWith(settings);
  const postgresPid = () => (settings.DATABASE_URL ? undefined : postmasterPid(home));

  // One-time setup on a normal server: an administrator and a tenant.
  const first = await startServer(env, 'platform (setup)');
  const created = cli(['admin', 'create', '--email', ADMIN.email], env, { PLATFORMA_ADMIN_PASSWORD: ADMIN.password });
  if (created.status !== 0) throw new Error(`admin create failed:\n${created.stdout}${created.stderr}`);
  const admin = await signIn(first.base);
  const tenant = await fetch(`${first.base}/api/v1/tenants`, {
    method: 'POST',
    headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrfToken, 'content-type': 'application/json' },
    body: JSON.stringify({ organizationName: 'Bench Corp', domain: 'bench.example.com', adminEmail: 'ops@bench.example.com' }),
  });
  if (tenant.status !== 201) throw new Error(`create tenant: ${tenant.status} ${await tenant.text()}`);
  const setup: Setup = { env, home, postgresPid, tenantId: ((await tenant.json()) as { id: string }).id };
  const path = `/api/v1/tenants/${setup.tenantId}`;
  // The setup server is a normal one: without credentials it refuses.
  if ((await expect200(`${first.base}${path}`, {})) !== 401) throw new Error('with authentication on, GET tenant without credentials did not answer 401');
  await stopProc(first.proc);

  // One server process measures every mode, interleaved: requests without credentials act as the
  // fixed administrator (authentication off); requests with a key or cookie take exactly the path
  // they take on a normal server (test/api/insecure-no-auth.test.ts). Separate processes differed
  // by ±50 % on this shared machine (JIT state, scheduling), more than what is being measured.
  const server = await startServer(envWith({ ...settings, ...NO_AUTH }), 'platform (authentication off for requests without credentials)');
  const url = `${server.base}${path}`;
  if ((await expect200(url, {})) !== 200) throw new Error('with authentication off, GET tenant without credentials did not answer 200');
  if ((await expect200(url, { authorization: 'Bearer pk_aaaaaaaa_not-a-key-not-a-key-not-a-key-not-a-key-123' })) !== 401) {
    throw new Error('with authentication off, a wrong API key was not refused: credentials that are sent must still be checked');
  }
  // Credentials are made on this server: OAuth tokens name their issuer, whose URL has the port.
  const prepared: { name: string; headers: Record<string, string> }[] = [];
  const skipped: { name: string; reason: string }[] = [];
  for (const credential of CREDENTIALS) {
    const outcome = await credential.prepare(server, setup);
    if ('skipped' in outcome) {
      skipped.push({ name: credential.name, reason: outcome.skipped });
      console.log(`   ${credential.name}: skipped — ${outcome.skipped}`);
      continue;
    }
    const status = await expect200(url, outcome.headers);
    if (status !== 200) throw new Error(`${credential.name}: GET tenant answered ${status} before the load`);
    prepared.push({ name: credential.name, headers: outcome.headers });
  }

  const modes = [{ name: 'authentication off', headers: {} as Record<string, string> }, ...prepared];
  for (const mode of modes) await warmUp(url, mode.headers, WARM_UP);
  const samples = new Map<string, Load[]>(modes.map((mode) => [mode.name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    // Each round starts with a different mode, so no mode always runs first or last.
    for (const mode of [...modes.slice(round % modes.length), ...modes.slice(0, round % modes.length)]) {
      const result = await load(url, mode.headers, server.proc.child.pid!, postgresPid());
      samples.get(mode.name)!.push(result);
      console.log(`   round ${round + 1}: ${mode.name} ${Math.round(result.requestsPerSecond)} req/s`);
    }
  }
  await stopProc(server.proc);

  const mean = (loads: Load[], pick: (l: Load) => number) => loads.reduce((sum, l) => sum + pick(l), 0) / loads.length;
  const baseline = mean(samples.get('authentication off')!, (l) => l.requestsPerSecond);
  const rows = [...samples].map(([name, loads]) => {
    const rps = mean(loads, (l) => l.requestsPerSecond);
    return {
      name,
      rps,
      perRound: loads.map((l) => Math.round(l.requestsPerSecond)),
      p50: mean(loads, (l) => l.latencyP50Ms),
      p99: mean(loads, (l) => l.latencyP99Ms),
      failures: loads.reduce((sum, l) => sum + l.errors + l.timeouts + l.non2xx, 0),
      other: Math.max(...loads.map((l) => l.cpu.other)),
      // CPU per request is far less disturbed by other work on the machine than req/s is.
      serverCpuUsPerRequest: mean(loads, (l) => (l.cpu.server * 10_000) / l.requestsPerSecond),
      postgresCpuUsPerRequest: loads.every((l) => l.cpu.postgres !== undefined) ? mean(loads, (l) => (l.cpu.postgres! * 10_000) / l.requestsPerSecond) : undefined,
      ratio: rps / baseline,
    };
  });
  console.log('\n' + table(
    ['authentication', 'req/s (mean)', 'per round', 'p50', 'p99', 'server CPU / req', 'PostgreSQL CPU / req', 'errors + non-2xx', 'ratio to off', `≥ ${TARGET}`],
    rows.map((r) => [
      r.name,
      Math.round(r.rps).toLocaleString('en-US'),
      r.perRound.join(' / '),
      `${r.p50.toFixed(1)} ms`,
      `${r.p99.toFixed(1)} ms`,
      `${Math.round(r.serverCpuUsPerRequest)} µs`,
      r.postgresCpuUsPerRequest === undefined ? '–' : `${Math.round(r.postgresCpuUsPerRequest)} µs`,
      r.failures,
      r.ratio.toFixed(3),
      r.name === 'authentication off' ? '' : r.ratio >= TARGET ? 'PASS' : 'FAIL',
    ]),
  ));
  for (const s of skipped) console.log(`\n${s.name}: not measured — ${s.reason}.`);
  const loadAverageAtEnd = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const busiest = Math.max(...rows.map((r) => r.other));
  console.log(`\nLoad average at start ${loadAverageAtStart}, at end ${loadAverageAtEnd}; other work used up to ${busiest} % of one core during a measured run.${busiest > 20 ? ' The machine was busy: figures are disturbed; run again when it is quiet.' : ''}`);

  const problems = rows.filter((r) => r.failures > 0).map((r) => `${r.name}: ${r.failures} errors or non-2xx answers under load`);
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim() || undefined;
  writeFileSync(
    RESULTS,
    `${JSON.stringify({ date: new Date().toISOString(), commit, settings: { ...LOAD, rounds: ROUNDS }, database: settings.DATABASE_URL ? 'DATABASE_URL (scratch database)' : 'embedded PostgreSQL', loadAverageAtStart, loadAverageAtEnd, target: TARGET, results: rows, skipped, problems }, null, 2)}\n`,
  );
  console.log(`\nWrote ${RESULTS.slice(ROOT.length)}.`);
  return problems;
}

await runBench(main);
