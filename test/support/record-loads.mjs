// Loaded with `node --import`: records the URL of every module the ESM loader loads to the file
// named by RECORD_LOADS, one per line (the CLI test checks which code a command loaded).
import { register } from 'node:module';

register(new URL('./record-loads-hooks.mjs', import.meta.url), { data: { file: process.env.RECORD_LOADS } });
