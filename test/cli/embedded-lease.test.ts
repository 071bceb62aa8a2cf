// The embedded PostgreSQL is stopped by its last user, never under another one: each user holds a
// lease connection, so an idle pool elsewhere (whose connections have all closed) still counts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireEmbedded, embeddedServerPid, type EmbeddedHandle } from '../../src/kernel/db/embedded.js';

const home = mkdtempSync(join(tmpdir(), 'platforma-lease-'));
const handles: EmbeddedHandle[] = [];


async function selectOne(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return ((await client.query('select 1 as one')).rows[0] as { one: number }).one;
  } finally {
    await client.end();
  }
}

afterAll(async () => {
  for (const handle of handles) await handle.release().catch(() => {});
  const pid = embeddedServerPid(home);
  if (pid) process.kill(pid, 'SIGINT');
  rmSync(home, { recursive: true, force: true });
});

describe('embedded PostgreSQL shared by several users', () => {
  it('keeps running while another user holds it, even with no other connection open, and stops after the last', async () => {
    const server = await acquireEmbedded(home);
    handles.push(server);
    const pid = embeddedServerPid(home);
    expect(pid).toBeDefined();

    const cli = await acquireEmbedded(home);
    handles.push(cli);
    expect(embeddedServerPid(home)).toBe(pid); // found and reused, not started twice

    // The "server" has no open pool connection at all here, like a pool whose idle clients closed.
    await cli.release();
    expect(embeddedServerPid(home)).toBe(pid);
    expect(await selectOne(server.url)).toBe(1);

    await server.release();
    expect(embeddedServerPid(home)).toBeUndefined();
  }, 60_000);
});
