#!/usr/bin/env node
// Runs a TypeScript script of this repository (benchmarks, generators) with tsx's loader.
import { register } from 'tsx/esm/api';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

register();
const [script, ...rest] = process.argv.slice(2);
if (!script) {
  console.error('usage: run-ts <script.ts> [args...]');
  process.exit(2);
}
process.argv = [process.argv[0] ?? 'node', script, ...rest];
await import(pathToFileURL(resolve(script)).href);
