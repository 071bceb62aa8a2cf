// Throttling and lockout of password and MFA attempts, shared by every API process through
// PostgreSQL (rate-limiter-flexible's atomic upsert on identity.sign_in_attempts, so concurrent
// attempts cannot slip past the count). An attempt is *consumed before* the secret is checked:
// however many requests arrive at once, at most `signInMaxFailures` of them ever reach the check.
// A success clears the account's count; crossing the limit locks the key for signInLockSeconds.
import pg from 'pg';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { IdentitySettings } from '../settings.js';
import { TooManyAttemptsError } from '../../../kernel/errors.js';

export interface Consumed {
  /** True when this attempt is the one that crossed the limit (audit the lockout once). */
  justLocked: boolean;
}

const INT8_AS_NUMBER: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === 20 ? Number : pg.types.getTypeParser(oid, format))) as pg.CustomTypesConfig['getTypeParser'],
};

type Limits = Pick<IdentitySettings, 'signInMaxFailures' | 'signInLockSeconds' | 'signInMaxFailuresPerIp'>;

export class SignInThrottle {
  readonly #account: RateLimiterPostgres;
  readonly #mfa: RateLimiterPostgres;
  readonly #ip: RateLimiterPostgres;

  constructor(pool: pg.Pool, limits: Limits) {
    // The table is created by the identity migration: the application role may not create tables.
    // Expired rows are reused by the upsert; the periodic sweep is off (its timer outlives pools).
    // The limiter does arithmetic on its bigint `expire` column, so its queries read int8 as a
    // number (ms since the epoch fit), not as the bigint our pools give (kernel/db/database.ts).
    const storeClient = { query: (query: pg.QueryConfig) => pool.query({ ...query, types: INT8_AS_NUMBER }) };
    const common = { storeClient, storeType: 'pool', schemaName: 'identity', tableName: 'sign_in_attempts', tableCreated: true, clearExpiredByTimeout: false };
    const lock = limits.signInLockSeconds;
    this.#account = new RateLimiterPostgres({ ...common, keyPrefix: 'account', points: limits.signInMaxFailures, duration: lock, blockDuration: lock });
    this.#mfa = new RateLimiterPostgres({ ...common, keyPrefix: 'mfa', points: limits.signInMaxFailures, duration: lock, blockDuration: lock });
    this.#ip = new RateLimiterPostgres({ ...common, keyPrefix: 'ip', points: limits.signInMaxFailuresPerIp, duration: lock, blockDuration: lock });
  }

  /** Takes one password attempt for the address and the account (by email, known or not); throws when either is exhausted. */
  async consumeSignIn(email: string, sourceIp: string, onLocked: () => Promise<void>): Promise<void> {
    await consume(this.#ip, sourceIp, 'PLAT_RATE_LIMITED', 'Too many failed sign-ins from this address; try again later.', async () => {});
    await consume(this.#account, email, 'PLAT_ACCOUNT_LOCKED', 'Too many failed sign-ins: the account is locked for a while.', onLocked);
  }

  /** A right password: the account starts afresh and the address gets its attempt back. */
  async signInSucceeded(email: string, sourceIp: string): Promise<void> {
    await this.#account.delete(email);
    await this.#ip.reward(sourceIp, 1);
  }

  /** Takes one second-factor attempt for the person; throws when exhausted. */
  async consumeMfa(userId: string, onLocked: () => Promise<void>): Promise<void> {
    await consume(this.#mfa, userId, 'PLAT_ACCOUNT_LOCKED', 'Too many wrong codes: multi-factor authentication is locked for a while.', onLocked);
  }

  async mfaSucceeded(userId: string): Promise<void> {
    await this.#mfa.delete(userId);
  }

  /** Forgets an account's failures (after a password reset by email). */
  async clearAccount(email: string): Promise<void> {
    await this.#account.delete(email);
  }
}

async function consume(limiter: RateLimiterPostgres, key: string, code: 'PLAT_ACCOUNT_LOCKED' | 'PLAT_RATE_LIMITED', message: string, onLocked: () => Promise<void>): Promise<void> {
  try {
    await limiter.consume(key);
  } catch (rejection) {
    if (!(rejection instanceof RateLimiterRes)) throw rejection;
    if (rejection.consumedPoints === limiter.points + 1) await onLocked();
    throw new TooManyAttemptsError(code, message, Math.ceil(rejection.msBeforeNext / 1000));
  }
}
