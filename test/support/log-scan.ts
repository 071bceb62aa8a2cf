// Finds registered secrets in the suite's log files: verbatim, as they appear inside a JSON string
// (escaped), and URL-encoded. Reports where, with the secret itself masked.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LOG_FILE_PREFIX, SECRETS_FILE_PREFIX } from './suite-log.js';

export interface Secret {
  kind: string;
  value: string;
}

export interface Leak {
  kind: string;
  file: string;
  line: number;
  /** The log line with the secret replaced by «kind». */
  excerpt: string;
}

export interface ScanResult {
  logFiles: number;
  logLines: number;
  secrets: Secret[];
  leaks: Leak[];
}

function forms(secret: string): string[] {
  return [...new Set([secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)])];
}

export function readSecrets(directory: string): Secret[] {
  const seen = new Map<string, Secret>();
  for (const name of readdirSync(directory).filter((n) => n.startsWith(SECRETS_FILE_PREFIX))) {
    for (const line of readFileSync(join(directory, name), 'utf8').split('\n')) {
      if (!line) continue;
      const secret = JSON.parse(line) as Secret;
      seen.set(secret.value, secret);
    }
  }
  return [...seen.values()];
}

export function scanLogs(directory: string, secrets = readSecrets(directory)): ScanResult {
  const result: ScanResult = { logFiles: 0, logLines: 0, secrets, leaks: [] };
  const patterns = secrets.map((secret) => ({ secret, forms: forms(secret.value) }));
  for (const name of readdirSync(directory).filter((n) => n.startsWith(LOG_FILE_PREFIX)).sort()) {
    result.logFiles++;
    const lines = readFileSync(join(directory, name), 'utf8').split('\n');
    lines.forEach((text, index) => {
      if (!text) return;
      result.logLines++;
      for (const { secret, forms: variants } of patterns) {
        const found = variants.find((variant) => text.includes(variant));
        if (found === undefined) continue;
        const excerpt = text.split(found).join(`«${secret.kind}»`).slice(0, 400);
        result.leaks.push({ kind: secret.kind, file: name, line: index + 1, excerpt });
      }
    });
  }
  return result;
}
