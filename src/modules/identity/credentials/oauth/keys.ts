// The provider's keys, generated on first start and kept in the database so every replica signs
// and verifies with the same ones (docs/adr/0006-oauth-signing-keys.md). The private parts are
// sealed with the installation key (kernel/encryption.ts), so a copy of the database alone cannot
// sign tokens; a signing row keeps its public members in clear beside the sealed JWK. Rows from
// before sealing are sealed the first time a server loads them. Rotation is a later step:
// the table already holds several keys and the newest signs; publishing a new key ahead of use and
// retiring old ones is not automated yet.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { JWK } from 'jose';
import { inTransaction, type Db } from '../../../../kernel/db/database.js';
import { SYSTEM_SCOPE } from '../../../../kernel/use-case.js';
import type { Clock } from '../../../../kernel/clock.js';
import type { SecretBox } from '../../../../kernel/encryption.js';
import { OAuthRepository, type OAuthKeyRow } from './repository.js';

export interface ProviderKeys {
  /** Private signing keys (RS256), newest first: the first signs. */
  signing: JWK[];
  /** Keys for oidc-provider's signed cookies, newest first. */
  cookie: string[];
}

function newSigningKey(): JWK {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' }) as JWK;
  return { ...jwk, kid: randomBytes(12).toString('base64url'), alg: 'RS256', use: 'sig' };
}

/** Bound to the key's id: a sealed key copied onto another row does not open. */
const contextOf = (kid: string) => `oauth-key:${kid}`;

/** What is stored: the public members in clear (signing keys) and the secret part sealed. */
function sealedMaterial(secrets: SecretBox, purpose: OAuthKeyRow['purpose'], kid: string, secret: JWK | string): Record<string, unknown> {
  if (purpose === 'signing') return { ...publicJwk(secret as JWK), sealed: secrets.seal(JSON.stringify(secret), contextOf(kid)) };
  return { sealed: secrets.seal(secret as string, contextOf(kid)) };
}

function isSealed(row: OAuthKeyRow): boolean {
  return typeof row.material.sealed === 'string';
}

function openSigning(secrets: SecretBox, row: OAuthKeyRow): JWK {
  return isSealed(row) ? (JSON.parse(secrets.open(String(row.material.sealed), contextOf(row.kid))) as JWK) : (row.material as JWK);
}

function openCookie(secrets: SecretBox, row: OAuthKeyRow): string {
  return isSealed(row) ? secrets.open(String(row.material.sealed), contextOf(row.kid)) : String(row.material.secret);
}

/**
 * Loads the keys, creating them if this is the first start (one replica creates, the others wait)
 * and sealing any stored before keys were sealed.
 */
export async function loadProviderKeys(db: Db, clock: Clock, secrets: SecretBox): Promise<ProviderKeys> {
  const repository = new OAuthRepository();
  return inTransaction(db, SYSTEM_SCOPE, async (tx) => {
    let rows = await repository.listKeys(tx);
    const complete = rows.some((r) => r.purpose === 'signing') && rows.some((r) => r.purpose === 'cookie');
    if (!complete || !rows.every(isSealed)) {
      await repository.lockKeyGeneration(tx);
      rows = await repository.listKeys(tx);
      const now = clock.now();
      if (!rows.some((r) => r.purpose === 'signing')) {
        const jwk = newSigningKey();
        const kid = jwk.kid as string;
        await repository.insertKey(tx, { kid, purpose: 'signing', material: sealedMaterial(secrets, 'signing', kid, jwk), created_at: now });
      }
      if (!rows.some((r) => r.purpose === 'cookie')) {
        const kid = `cookie-${randomBytes(6).toString('hex')}`;
        await repository.insertKey(tx, { kid, purpose: 'cookie', material: sealedMaterial(secrets, 'cookie', kid, randomBytes(32).toString('base64url')), created_at: now });
      }
      // Keys stored in clear by an earlier version: sealed in place, once (a trigger allows nothing else).
      for (const row of rows.filter((r) => !isSealed(r))) {
        const secret = row.purpose === 'signing' ? openSigning(secrets, row) : openCookie(secrets, row);
        await repository.sealKey(tx, row.kid, sealedMaterial(secrets, row.purpose, row.kid, secret));
      }
      rows = await repository.listKeys(tx);
    }
    return {
      signing: rows.filter((r) => r.purpose === 'signing').map((r) => openSigning(secrets, r)),
      cookie: rows.filter((r) => r.purpose === 'cookie').map((r) => openCookie(secrets, r)),
    };
  });
}

/** The public half of a private JWK (what the JWKS endpoint publishes and verifiers use). */
export function publicJwk(jwk: JWK): JWK {
  const { kty, n, e, crv, x, y, kid, alg, use } = jwk;
  return Object.fromEntries(Object.entries({ kty, n, e, crv, x, y, kid, alg, use }).filter(([, v]) => v !== undefined)) as JWK;
}
