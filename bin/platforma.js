#!/usr/bin/env node
// The CLI entry installed as `platforma` (npx platforma …). It runs the sources compiled once per
// change (bin/compiled-sources.js, ADR 0013), so `npm ci` alone gives a working command with no
// build step to forget; where they cannot be compiled it runs them through tsx's loader.
import { compiledMain } from './compiled-sources.js';

const compiled = await compiledMain();
if (compiled) {
  // Stack traces name the TypeScript sources (the compiled files carry linked source maps).
  process.setSourceMapsEnabled(true);
  await import(compiled);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/main.ts');
}
