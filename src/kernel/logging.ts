// JSON logs through pino. Anything that can carry a secret is redacted at the source so no log
// sink ever sees it: credentials, cookies, tokens, CSRF tokens, passwords.
import { pino, type Logger, type DestinationStream } from 'pino';
import type { LogLevel } from './config.js';

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  // Each credential field, at the top level and one level down (pino has no deeper wildcard).
  ...[
    'password',
    'passwordHash',
    'currentPassword',
    'newPassword',
    'token',
    'sessionToken',
    'csrfToken',
    'secret',
    'apiKey',
    'databaseUrl',
    'connectionString',
    // MFA: the TOTP seed travels in the otpauth URL and the QR code too; recovery codes sign in.
    'otpauthUrl',
    'qrCode',
    'recoveryCode',
    'recoveryCodes',
    'encryptionKey',
    // OAuth.
    'clientSecret',
    'client_secret',
    'access_token',
    'refresh_token',
    'id_token',
    'code_verifier',
  ].flatMap((field) => [field, `*.${field}`]),
];

export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, base: { service: 'platforma' } }, destination);
}

export type { Logger };
