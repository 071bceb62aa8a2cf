// JSON logs through pino. Anything that can carry a secret is redacted at the source so no log
// sink ever sees it: credentials, cookies, tokens, CSRF tokens, passwords.
import { pino, type Logger, type DestinationStream } from 'pino';
import type { LogLevel } from './config.js';

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.passwordHash',
  '*.token',
  '*.csrfToken',
  '*.secret',
  '*.databaseUrl',
  '*.connectionString',
];

export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, base: { service: 'platforma' } }, destination);
}

export type { Logger };
