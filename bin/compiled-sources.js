// The server's TypeScript sources compiled to JavaScript once per change of the sources, so every
// `platforma` command loads plain modules natively instead of through tsx's loader hooks (which
// cost about a second per command; ADR 0013). `npm ci` alone still gives a working command: the
// first run after a change compiles (esbuild, well under a second) and later runs reuse it.
//
// The compiled tree mirrors the repository: `<cache>/<digest>/src/**.js` beside symlinks to
// `package.json` and `web`, and the migrations' SQL files copied, so paths the sources derive from
// `import.meta.url` (migrations, web/dist, package.json) resolve as they do from `src/`. The cache
// lives in `node_modules/.cache/platforma`, so bare imports resolve to the same packages.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, symlinkSync, utimesSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCES = join(ROOT, 'src');
const CACHE = join(ROOT, 'node_modules', '.cache', 'platforma');
/** Part of the digest: a change to how we compile must not reuse trees compiled the old way. */
const COMPILER_REVISION = '1';

function sourceFiles(directory = SOURCES) {
  const files = [];
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) files.push(...sourceFiles(path));
    else if (!entry.name.endsWith('.test.ts')) files.push(path);
  }
  return files.sort();
}

function digestOf(files) {
  // The root too: the tree links back to this checkout's web apps and package.json.
  // tsconfig.json too: esbuild reads it (class fields, module syntax).
  const hash = createHash('sha256').update(COMPILER_REVISION).update(ROOT).update(readFileSync(join(ROOT, 'package-lock.json'))).update(readFileSync(join(ROOT, 'tsconfig.json')));
  for (const file of files) hash.update(relative(ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
  return hash.digest('hex').slice(0, 16);
}

async function compile(files, target) {
  const { build } = await import('esbuild');
  const staging = `${target}.${process.pid}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  const typescript = files.filter((file) => file.endsWith('.ts'));
  await build({
    entryPoints: typescript,
    outbase: SOURCES,
    outdir: join(staging, 'src'),
    bundle: false,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: 'linked',
    logLevel: 'error',
  });
  for (const file of files.filter((path) => !path.endsWith('.ts'))) {
    const copy = join(staging, 'src', relative(SOURCES, file));
    mkdirSync(dirname(copy), { recursive: true });
    copyFileSync(file, copy);
  }
  symlinkSync(join(ROOT, 'package.json'), join(staging, 'package.json'));
  symlinkSync(join(ROOT, 'web'), join(staging, 'web'));
  try {
    renameSync(staging, target);
  } catch (error) {
    // Another process compiled the same sources at the same time: theirs is as good as ours.
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(target)) throw error;
  }
  removeStaleTrees(target);
}

/**
 * Trees of earlier sources go once no command has used them for a day (each use touches its tree)
 * and three newer ones exist: a server started from one keeps loading from it (lazily imported
 * modules, the web apps through its link, source maps), so a compile never removes the tree of a
 * recent start. Another process may be removing or renaming the same entries: whatever vanished
 * meanwhile is simply skipped.
 */
function removeStaleTrees(current) {
  const staleBefore = Date.now() - 24 * 3600_000;
  const trees = [];
  for (const entry of readdirSync(CACHE)) {
    try {
      trees.push({ path: join(CACHE, entry), usedAt: statSync(join(CACHE, entry)).mtimeMs });
    } catch {
      // gone already
    }
  }
  const byRecentUse = trees.filter((tree) => tree.path !== current).sort((a, b) => b.usedAt - a.usedAt);
  for (const tree of byRecentUse.slice(3)) if (tree.usedAt < staleBefore) rmSync(tree.path, { recursive: true, force: true });
}

/**
 * The URL of the compiled `src/main.js` for the sources as they are now, compiling them first
 * when they changed; undefined when that is impossible (for example a read-only installation),
 * and the caller then runs the sources through tsx.
 */
export async function compiledMain() {
  try {
    const files = sourceFiles();
    const target = join(CACHE, digestOf(files));
    if (existsSync(join(target, 'src', 'main.js'))) {
      const now = new Date();
      utimesSync(target, now, now); // in use: see removeStaleTrees
    } else {
      mkdirSync(CACHE, { recursive: true });
      await compile(files, target);
    }
    return pathToFileURL(join(target, 'src', 'main.js')).href;
  } catch (error) {
    if (process.env.PLATFORMA_DEBUG_COMPILE) console.error('compiling the sources failed; running them through tsx:', error);
    return undefined;
  }
}
