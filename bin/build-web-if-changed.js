#!/usr/bin/env node
// Builds the web apps only when what they are built from changed since the last build: the sources
// under web/ (not web/dist), the Vite config and the locked dependencies. `npm start` runs this, so
// a restart does not spend seconds rebuilding the same files; `npm run build:web` passes --always.
// The digest of the inputs is kept beside the output, in web/dist/.sources-digest.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const web = join(root, 'web');
const dist = join(web, 'dist');
const digestFile = join(dist, '.sources-digest');

/** Every file the build reads, in a stable order. */
function inputs() {
  const files = [join(root, 'package-lock.json')];
  const walk = (directory) => {
    for (const entry of readdirSync(directory, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(directory, entry.name);
      if (path === dist || entry.name === 'node_modules') continue;
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) files.push(path);
    }
  };
  walk(web);
  return files;
}

function digestOfInputs() {
  const hash = createHash('sha256');
  for (const file of inputs()) {
    hash.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

const digest = digestOfInputs();
const built = !process.argv.includes('--always') && existsSync(digestFile) && readFileSync(digestFile, 'utf8').trim() === digest && existsSync(join(dist, 'apps'));
if (!built) {
  const { build } = await import('vite');
  if (!process.argv.includes('--always')) console.log('Building the web apps (their sources changed since the last build)…');
  await build({ configFile: join(web, 'vite.config.ts'), logLevel: 'warn' });
  writeFileSync(digestFile, `${digest}\n`);
}
