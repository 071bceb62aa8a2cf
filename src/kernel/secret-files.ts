// Secrets generated once per installation and kept under $PLATFORMA_HOME/secrets (directory 0700,
// files 0600): the encryption key (ADR 0005), the audit signing key (ADR 0011) and the application
// role's password (ADR 0012).
import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The secret in `home`/secrets/`name`, created with `generate()` on first use. */
export function readOrCreateSecret(home: string, name: string, generate: () => string): string {
  const directory = join(home, 'secrets');
  const path = join(directory, name);
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  // Write aside, then link into place: link fails if another process won the race, and a reader
  // never sees a half-written secret.
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(temporary, generate(), { mode: 0o600 });
  try {
    linkSync(temporary, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(temporary);
  }
  return readFileSync(path, 'utf8').trim();
}

/** The secret in `home`/secrets/`name`, or undefined when there is none. */
export function readSecret(home: string, name: string): string | undefined {
  try {
    return readFileSync(join(home, 'secrets', name), 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * A 32-byte key kept in `home`/secrets/`name` (base64): read, or when absent created (`create`)
 * or reported as undefined (a verifier that has no key must not make one).
 */
export function keyFile(home: string, name: string, options: { create: boolean }): Buffer | undefined {
  const text = options.create ? readOrCreateSecret(home, name, () => randomBytes(32).toString('base64')) : readSecret(home, name);
  return text === undefined ? undefined : Buffer.from(text, 'base64');
}
