// `npm ci` on the Node versions the README promises installs without engine warnings: every
// package in the lockfile that names the Node versions it supports accepts the oldest we support
// (package.json's engines) and the one running the tests. (cookie 2 and content-disposition 3 asked
// for Node 22 while the README said 20.19.)
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const semver = createRequire(import.meta.url)('semver') as { satisfies(version: string, range: string): boolean; minVersion(range: string): { version: string } | null };
const root = new URL('../../', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(readFileSync(new URL('package-lock.json', root), 'utf8')) as { packages: Record<string, { version?: string; engines?: { node?: string } | string[] }> };

describe('the locked dependencies', () => {
  it('all run on the oldest Node the project supports, and on this one', () => {
    const oldest = semver.minVersion(manifest.engines.node)?.version;
    expect(oldest).toBe('20.19.0');
    const refusing: string[] = [];
    for (const [path, entry] of Object.entries(lock.packages)) {
      const range = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
      if (!path || !range) continue;
      for (const version of [oldest!, process.versions.node]) {
        if (!semver.satisfies(version, range)) refusing.push(`${path.replace(/^.*node_modules\//, '')}@${entry.version} wants node ${range} (not ${version})`);
      }
    }
    expect(refusing).toEqual([]);
  });
});
