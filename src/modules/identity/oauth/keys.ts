// The provider's keys, generated on first start and kept in the database so every replica signs
// and verifies with the same ones (docs/adr/0006-oauth-signing-keys.md). Rotation is a later step:
// the table already holds several keys and the newest signs; publishing a new key ahead of use and
// retiring old ones is not automated yet.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { JWK } from 'jose';
import { inTransaction, type Db } from '../../../kernel/db/database.js';
import type { Clock } from '../../../kernel/clock.js';
import { OAuthRepository } from './oauth-repository.js';

export interface ProviderKeys {
  /** Private signing keys (RS256), newest first: the first signs. */
  signing: JWK[];
  /** Keys for oidc-provider's signed cookies, newest first. */
  cookie: string[];
}

const PLATFORM_SCOPE = { scope: { kind: 'platform' } as const, actorId: 'system' };

function newSigningKey(): JWK {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' }) as JWK;
  return { ...jwk, kid: randomBytes(12).toString('base64url'), alg: 'RS256', use: 'sig' };
}

/** Loads the keys, creating them if this is the first start (one replica creates, the others wait). */
export async function loadProviderKeys(db: Db, clock: Clock): Promise<ProviderKeys> {
  const repository = new OAuthRepository();
  return inTransaction(db, PLATFORM_SCOPE, async (tx) => {
    let rows = await repository.listKeys(tx);
    if (!rows.some((r) => r.purpose === 'signing') || !rows.some((r) => r.purpose === 'cookie')) {
      await repository.lockKeyGeneration(tx);
      rows = await repository.listKeys(tx);
      const now = clock.now();
      if (!rows.some((r) => r.purpose === 'signing')) {
        const jwk = newSigningKey();
        await repository.insertKey(tx, { kid: jwk.kid as string, purpose: 'signing', material: jwk as Record<string, unknown>, created_at: now });
      }
      if (!rows.some((r) => r.purpose === 'cookie')) {
        await repository.insertKey(tx, { kid: `cookie-${randomBytes(6).toString('hex')}`, purpose: 'cookie', material: { secret: randomBytes(32).toString('base64url') }, created_at: now });
      }
      rows = await repository.listKeys(tx);
    }
    return {
      signing: rows.filter((r) => r.purpose === 'signing').map((r) => r.material as JWK),
      cookie: rows.filter((r) => r.purpose === 'cookie').map((r) => String(r.material.secret)),
    };
  });
}

/** The public half of a private JWK (what the JWKS endpoint publishes and verifiers use). */
export function publicJwk(jwk: JWK): JWK {
  const { kty, n, e, crv, x, y, kid, alg, use } = jwk;
  return Object.fromEntries(Object.entries({ kty, n, e, crv, x, y, kid, alg, use }).filter(([, v]) => v !== undefined)) as JWK;
}
