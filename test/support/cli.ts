// Runs the real `platforma` command (bin/platforma.js) in a child process, with a clean
// environment: no settings inherited from the developer's shell or from vitest.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serverUrl, testAppUrl } from './database.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(ROOT, 'bin', 'platforma.js');

const INHERITED_SETTINGS = [
  'DATABASE_URL',
  'DATABASE_APP_URL',
  'TEST_DATABASE_URL',
  'PLATFORMA_HOME',
  'PLATFORMA_CONFIG',
  'PLATFORMA_WEB_DIST',
  'PLATFORMA_ADMIN_PASSWORD',
  'PORT',
  'HOST',
  'LOG_LEVEL',
  'PUBLIC_URL',
  'BODY_LIMIT',
  'SESSION_TTL_SECONDS',
  'SESSION_IDLE_SECONDS',
  'SIGN_IN_MAX_FAILURES',
  'SIGN_IN_LOCK_SECONDS',
  'SIGN_IN_MAX_FAILURES_PER_IP',
  'PLATFORMA_ENCRYPTION_KEY',
  'NODE_OPTIONS',
  'VITEST',
  'VITEST_POOL_ID',
  'VITEST_WORKER_ID',
];

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `platforma …args` with only `env` set (plus PATH and the like); PLATFORMA_HOME is a fresh temp dir (removed afterwards) unless given. */
export function runCli(args: string[], env: Record<string, string> = {}, timeoutMs = 60_000): Promise<CliResult> {
  const clean: NodeJS.ProcessEnv = { ...process.env };
  for (const name of INHERITED_SETTINGS) delete clean[name];
  const scratch = env.PLATFORMA_HOME === undefined ? mkdtempSync(join(tmpdir(), 'platforma-cli-')) : undefined;
  const home = env.PLATFORMA_HOME ?? (scratch as string);
  const removeScratch = () => scratch && rmSync(scratch, { recursive: true, force: true });
  // A command on the shared test server uses the test runs' application-role password: with a
  // password of its own (generated in the fresh home) its `migrate` would find the cluster-wide
  // role holding another password and refuse to start, naming DATABASE_APP_URL (ADR 0012).
  if (env.DATABASE_URL && env.DATABASE_APP_URL === undefined && new URL(env.DATABASE_URL).host === new URL(serverUrl()).host) {
    env = { ...env, DATABASE_APP_URL: testAppUrl(env.DATABASE_URL) };
  }
  return new Promise<CliResult>((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...clean, PLATFORMA_HOME: home, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      removeScratch();
      reject(new Error(`platforma ${args.join(' ')} did not finish in ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      removeScratch();
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      removeScratch();
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * Stops the embedded PostgreSQL a test's servers left running in `home` (a fast shutdown, then
 * SIGKILL after 30 s) and removes the directory: nothing a CLI test started may outlive it.
 */
export async function removeEmbeddedHome(home: string): Promise<void> {
  const { embeddedServerPid } = await import('../../src/kernel/db/embedded.js');
  await new Promise((r) => setTimeout(r, 200));
  const pid = embeddedServerPid(home);
  if (pid !== undefined) {
    process.kill(pid, 'SIGINT');
    const deadline = Date.now() + 30_000;
    while (embeddedServerPid(home) !== undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (embeddedServerPid(home) !== undefined) process.kill(pid, 'SIGKILL');
  }
  rmSync(home, { recursive: true, force: true });
}
