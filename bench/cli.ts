// `npm run bench:cli`: how long the `platforma` command makes a person wait before it does its own
// work, against a baseline taken in the same run: `node -e 0` (Node itself starting and stopping).
// Each command is run RUNS times; the table prints the median, the ratio to the baseline, and the
// target. Targets (issue 10): --help under 500 ms; the others under 1,500 ms plus their own work.
//
//   --help, --version, config print   load none of the platform (src/main.ts needsPlatform)
//   migrate on an up-to-date database  loads the database machinery and does little work of its own
//   doctor                             loads the database machinery; a few queries of its own
//   member add (unknown tenant)         loads the whole platform (HTTP server, every module), the
//                                      cost every command that acts through the modules pays
//
// The migrate row needs a PostgreSQL server: DATABASE_URL (default the local one as postgres); a
// scratch database is created on it and dropped afterwards. Writes bench/results/cli.json; exits 1
// when a command misses its target.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, ROOT, envWith, median, ms, newHome, runBench, scratchDatabase, sharedAppUrl, table, timeCommand } from './harness.js';

const RUNS = 5;

function measure(args: string[], env: NodeJS.ProcessEnv, expectedStatus = 0): number {
  timeCommand(args, env, expectedStatus); // warm the file system cache (and compile the sources after a change)
  return median(Array.from({ length: RUNS }, () => timeCommand(args, env, expectedStatus)));
}

async function main(): Promise<string[]> {
  const quiet = envWith({ PLATFORMA_HOME: newHome(), LOG_LEVEL: 'warn' });
  const baseline = measure(['-e', '0'], quiet);
  const ownerUrl = await scratchDatabase(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  const withDatabase = { ...quiet, DATABASE_URL: ownerUrl, DATABASE_APP_URL: sharedAppUrl(ownerUrl) };
  timeCommand([BIN, 'migrate'], withDatabase); // the first run applies the migrations
  const rows: { command: string; medianMs: number; targetMs: number }[] = [
    { command: 'platforma --help', medianMs: measure([BIN, '--help'], quiet), targetMs: 500 },
    { command: 'platforma --version', medianMs: measure([BIN, '--version'], quiet), targetMs: 500 },
    { command: 'platforma config print', medianMs: measure([BIN, 'config', 'print'], quiet), targetMs: 1500 },
    { command: 'platforma migrate (up to date)', medianMs: measure([BIN, 'migrate'], withDatabase), targetMs: 1500 },
    { command: 'platforma doctor', medianMs: measure([BIN, 'doctor'], withDatabase), targetMs: 1500 },
    {
      command: 'platforma member add (unknown tenant)',
      medianMs: measure([BIN, 'member', 'add', '--tenant', 'ten_00000000000000000000000000', '--email', 'nobody@example.com'], withDatabase, 1),
      targetMs: 1500,
    },
  ];
  console.log(`\nCLI start-up, median of ${RUNS} runs; baseline \`node -e 0\`: ${ms(baseline)}\n`);
  console.log(
    table(
      ['command', 'median', '× baseline', 'target', 'verdict'],
      rows.map((row) => [row.command, ms(row.medianMs), (row.medianMs / baseline).toFixed(1), ms(row.targetMs), row.medianMs <= row.targetMs ? 'PASS' : 'FAIL']),
    ),
  );
  writeFileSync(join(ROOT, 'bench', 'results', 'cli.json'), `${JSON.stringify({ measuredAt: new Date().toISOString(), runs: RUNS, baselineMs: baseline, rows }, null, 2)}\n`);
  return rows.filter((row) => row.medianMs > row.targetMs).map((row) => `${row.command}: ${ms(row.medianMs)} is over its ${ms(row.targetMs)} target`);
}

await runBench(main);
