// `npm start` the way systemd, Docker or Kubernetes run it: they send SIGTERM to the pid they
// started, which is npm's. The server must receive it and stop cleanly — its port free, its
// embedded PostgreSQL stopped — and npm must exit with it. (Without `exec` in the start script, a
// shell stood between npm and node: npm died and left the server holding the port.) A second start
// does not rebuild the web apps when their sources did not change.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { embeddedServerPid, freePort } from '../../src/kernel/db/embedded.js';
import { ROOT } from '../support/cli.js';

const home = mkdtempSync(join(tmpdir(), 'platforma-npm-start-'));
const started: ChildProcess[] = [];

afterAll(() => {
  // Each start is its own process group: whatever a failed run left behind goes with it.
  for (const child of started) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // the group is gone already
    }
  }
  const postmaster = embeddedServerPid(home);
  if (postmaster) process.kill(postmaster, 'SIGINT');
  rmSync(home, { recursive: true, force: true });
});

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

async function npmStart(port: number): Promise<{ child: ChildProcess; output: () => string; exited: Promise<number | null> }> {
  const env: NodeJS.ProcessEnv = { ...process.env, PLATFORMA_HOME: home, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info' };
  for (const name of ['DATABASE_URL', 'DATABASE_APP_URL', 'TEST_DATABASE_URL', 'PLATFORMA_CONFIG', 'PUBLIC_URL', 'NODE_OPTIONS', 'VITEST', 'VITEST_POOL_ID', 'VITEST_WORKER_ID']) delete env[name];
  const child = spawn('npm', ['start', '--silent'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  started.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`npm start exited early:\n${output}`);
    if (Date.now() > deadline) throw new Error(`npm start was not ready in 120 s:\n${output}`);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2000) }).then((r) => r.status === 200, () => false);
    if (ready) return { child, output: () => output, exited };
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('npm start', () => {
  it('stops the server and its embedded PostgreSQL when npm itself gets SIGTERM, and npm exits with it', { timeout: 300_000 }, async () => {
    const port = await freePort();
    const first = await npmStart(port);
    const postmaster = embeddedServerPid(home);
    expect(postmaster).toBeDefined();

    first.child.kill('SIGTERM');
    const code = await Promise.race([first.exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 60_000))]);
    expect(code, first.output()).toBe(0);
    expect(await listening(port), 'the port is still held').toBe(false);
    await expect.poll(() => alive(postmaster!), { timeout: 10_000 }).toBe(false);

    // Started again with unchanged sources: the web apps are not built again.
    const second = await npmStart(port);
    expect(second.output()).not.toMatch(/Building the web apps/);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });
});
