// Runs after every other test file (its own vitest project, in a later group): reads every log line
// the suite's platforms wrote (at trace level, see test/support/platform.ts) and fails if any
// secret the suite registered — passwords, session tokens, CSRF tokens, the application role's
// password, SMTP credentials, API keys and tokens — appears in one, verbatim, JSON-escaped or
// URL-encoded. The scanner itself is also shown to find a planted secret.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { scanLogs } from '../support/log-scan.js';

describe('the logs of the whole test suite', () => {
  const result = scanLogs(inject('suiteLogDirectory'));

  it('were captured, with the secrets the suite used registered', () => {
    // Not vacuous: platforms logged, and sign-ins registered what they sent and received.
    expect(result.logFiles).toBeGreaterThan(0);
    expect(result.logLines).toBeGreaterThan(0);
    const kinds = new Set(result.secrets.map((s) => s.kind));
    for (const kind of ['password', 'session token', 'csrf token', 'application role password']) expect(kinds, kind).toContain(kind);
  });

  it('contain no password, secret, key, token or session cookie the suite used', () => {
    const report = result.leaks.map((leak) => `${leak.kind} in ${leak.file}:${leak.line}: ${leak.excerpt}`);
    expect(report, `${result.leaks.length} secret(s) found in ${result.logLines} log lines`).toEqual([]);
  });
});

describe('the scanner', () => {
  it('finds a secret written verbatim, JSON-escaped or URL-encoded, and masks it in the report', () => {
    const directory = mkdtempSync(join(tmpdir(), 'platforma-log-scan-'));
    try {
      const secret = 'pa"ss word/with?odd&chars';
      writeFileSync(join(directory, 'secrets-1.jsonl'), `${JSON.stringify({ kind: 'password', value: secret })}\n${JSON.stringify({ kind: 'api key', value: 'pk_live_0123456789' })}\n`);
      writeFileSync(
        join(directory, 'platform-1.log'),
        [
          JSON.stringify({ level: 30, msg: 'fine' }),
          JSON.stringify({ level: 30, msg: 'sign-in', body: { password: secret } }),
          JSON.stringify({ level: 30, url: `/callback?p=${encodeURIComponent(secret)}` }),
          JSON.stringify({ level: 30, msg: 'Bearer pk_live_0123456789' }),
        ].join('\n'),
      );
      const found = scanLogs(directory);
      expect(found.logLines).toBe(4);
      expect(found.leaks.map((l) => [l.kind, l.line])).toEqual([
        ['password', 2],
        ['password', 3],
        ['api key', 4],
      ]);
      expect(found.leaks[0]?.excerpt).toBe('{"level":30,"msg":"sign-in","body":{"password":"«password»"}}');
      for (const leak of found.leaks) expect(leak.excerpt).not.toContain('pk_live_0123456789');
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
