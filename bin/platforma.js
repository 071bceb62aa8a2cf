#!/usr/bin/env node
// The CLI entry installed as `platforma` (npx platforma …). The sources are TypeScript run through
// tsx's loader, so `npm ci` alone gives a working command with no build step (ADR 0004).
import { register } from 'tsx/esm/api';

// Help, the version and the configuration load none of the platform (the rule of needsPlatform in
// src/main.ts, repeated here because this file runs before TypeScript can be loaded).
const args = process.argv.slice(2);
const needsPlatform = !(args.length === 0 || args[0] === 'help' || args[0] === 'config' || args.some((arg) => ['-h', '--help', '-V', '--version'].includes(arg)));

// Loading a module through tsx's hooks costs far more than loading it natively, and nearly all
// modules are dependencies: load the heavy ones natively first, so only our own files go through
// the hooks. They are the same module instances the sources import later (same resolved URLs).
if (needsPlatform) await Promise.all(
  [
    'fastify',
    '@fastify/swagger',
    '@fastify/swagger-ui',
    'helmet',
    '@fastify/cookie',
    '@fastify/static',
    '@fastify/type-provider-typebox',
    'typebox',
    'ajv',
    'ajv-formats',
    'pg',
    'pg-boss',
    'kysely',
    'pino',
    'prom-client',
    'commander',
    'find-my-way',
    'ulidx',
    '@node-rs/argon2',
  ].map((name) => import(name)),
);
register();
await import('../src/main.ts');
