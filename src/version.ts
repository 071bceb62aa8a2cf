// The product's version, as package.json states it: read by the server (the OpenAPI document) and the CLI.
import { readFileSync } from 'node:fs';

export const VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
