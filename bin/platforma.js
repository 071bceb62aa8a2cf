#!/usr/bin/env node
// The CLI entry installed as `platforma` (npx platforma …). The sources are TypeScript run through
// tsx's loader, so `npm ci` alone gives a working command with no build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
