// Every log line the test suite's platforms write, and every secret the suite uses, go to one
// directory per run (made by the global setup). The log-scan project runs after all other test
// files and fails if any registered secret appears in any log line (test/isolation/log-scan.test.ts).
// Files are per worker process, written synchronously, so nothing is lost when a worker exits.
import { appendFileSync, openSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DestinationStream } from 'pino';
import { inject } from 'vitest';

/** The run's directory; computed in the vitest main process (its pid names the run). */
export function suiteLogDirectoryOf(mainPid: number): string {
  return join(tmpdir(), `platforma-test-logs-${mainPid}`);
}

export const SECRETS_FILE_PREFIX = 'secrets-';
export const LOG_FILE_PREFIX = 'platform-';

/** Shorter values would match by accident (and are no secret worth the name). */
export const MIN_SECRET_LENGTH = 8;

function directory(): string {
  return inject('suiteLogDirectory');
}

let descriptor: number | undefined;

/** A pino destination that appends to this worker's log file in the run's directory. */
export function suiteLogDestination(): DestinationStream {
  return {
    write(line: string) {
      descriptor ??= openSync(join(directory(), `${LOG_FILE_PREFIX}${process.pid}.log`), 'a');
      writeSync(descriptor, line.endsWith('\n') ? line : `${line}\n`);
    },
  };
}

/** Records a secret the suite used (a password, token, key, cookie) so the log scan looks for it. */
export function registerSecret(kind: string, value: string | undefined | null): void {
  if (!value || value.length < MIN_SECRET_LENGTH) return;
  appendFileSync(join(directory(), `${SECRETS_FILE_PREFIX}${process.pid}.jsonl`), `${JSON.stringify({ kind, value })}\n`);
}

declare module 'vitest' {
  export interface ProvidedContext {
    suiteLogDirectory: string;
  }
}
