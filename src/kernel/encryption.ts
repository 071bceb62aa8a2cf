// Encryption of secrets the platform must read back (TOTP seeds, SSO secrets, OAuth keys): AES-256-GCM with one key per
// installation. The key comes from PLATFORMA_ENCRYPTION_KEY or, when unset, from a file generated
// once under PLATFORMA_HOME (docs/adr/0005-encrypting-secrets-at-rest.md says why). A copy of the
// database alone therefore yields no seed.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Config } from './config.js';
import { keyFile } from './secret-files.js';

const VERSION = 'v1';

export class SecretBox {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('The encryption key must be 32 bytes.');
    this.#key = key;
  }

  /** Encrypts `plaintext`; `context` (e.g. the owner's id) must be given again to decrypt, so a ciphertext cannot be moved to another row. */
  seal(plaintext: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(context));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `${VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
  }

  open(sealed: string, context: string): string {
    const [version, payload] = sealed.split('.');
    if (version !== VERSION || !payload) throw new Error('Unknown ciphertext format.');
    const bytes = Buffer.from(payload, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', this.#key, bytes.subarray(0, 12));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(bytes.subarray(12, 28));
    return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
  }
}

/** The configured key, or the one under `home` (created on first use, readable by the owner only). */
export function loadSecretBox(config: Pick<Config, 'encryptionKey' | 'home'>): SecretBox {
  return new SecretBox(config.encryptionKey ?? keyFile(config.home, 'encryption.key', { create: true })!);
}
