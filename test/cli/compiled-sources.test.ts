// The `platforma` command runs the sources compiled once per change (bin/compiled-sources.js,
// ADR 0013) and loads only what a command needs: no TypeScript through loader hooks on any command,
// no HTTP server for `migrate`, no OAuth provider for a command that acts through the modules.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { ROOT, runCli } from '../support/cli.js';

const scratch = mkdtempSync(join(tmpdir(), 'platforma-loads-'));
let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.drop();
  rmSync(scratch, { recursive: true, force: true });
});

/** Runs the command and returns it with the module URLs it loaded. */
async function loadsOf(name: string, args: string[], expectedCode = 0) {
  const file = join(scratch, `${name}.txt`);
  const result = await runCli(args, {
    DATABASE_URL: database.ownerUrl,
    RECORD_LOADS: file,
    NODE_OPTIONS: `--import ${join(ROOT, 'test', 'support', 'record-loads.mjs')}`,
  });
  expect(result.code, result.stderr).toBe(expectedCode);
  return { ...result, loaded: readFileSync(file, 'utf8').trim().split('\n') };
}

const packagesIn = (urls: string[]) => new Set(urls.flatMap((url) => /\/node_modules\/((?:@[^/]+\/)?[^/.][^/]*)\//.exec(url)?.[1] ?? []));

describe('the platforma command', () => {
  it('runs compiled JavaScript, never TypeScript through tsx, and compiles only when the sources change', async () => {
    const first = await loadsOf('version-1', ['--version']);
    const second = await loadsOf('version-2', ['--version']);
    for (const run of [first, second]) {
      expect(run.loaded.filter((url) => url.endsWith('.ts'))).toEqual([]);
      expect(packagesIn(run.loaded).has('tsx')).toBe(false);
    }
    // The first run may have compiled (sources changed since the last command); the second reuses it.
    expect(packagesIn(second.loaded).has('esbuild')).toBe(false);
    const main = first.loaded.find((url) => url.endsWith('/src/main.js'));
    expect(main).toMatch(/\/node_modules\/\.cache\/platforma\/[0-9a-f]{16}\/src\/main\.js$/);
    expect(second.loaded).toContain(main);
  });

  it('migrates without loading the HTTP server, the web apps or the modules’ dependencies', async () => {
    const run = await loadsOf('migrate', ['migrate']);
    const packages = packagesIn(run.loaded);
    for (const heavy of ['fastify', '@fastify/swagger', '@fastify/static', 'oidc-provider', 'openid-client', '@node-saml/node-saml', 'nodemailer', 'typebox']) {
      expect(packages.has(heavy), `${heavy} loaded by migrate`).toBe(false);
    }
    expect(packages.has('pg-boss')).toBe(true);
  });

  it('acts through the modules without building the HTTP server or the OAuth provider', async () => {
    const run = await loadsOf('member-add', ['member', 'add', '--tenant', 'ten_00000000000000000000000000', '--email', 'nobody@example.com'], 1);
    expect(run.stderr).toContain('does not exist');
    const packages = packagesIn(run.loaded);
    for (const heavy of ['@fastify/swagger', '@fastify/swagger-ui', '@fastify/static', 'oidc-provider']) {
      expect(packages.has(heavy), `${heavy} loaded by member add`).toBe(false);
    }
  });
});
