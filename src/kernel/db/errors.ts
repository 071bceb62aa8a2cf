// PostgreSQL errors that carry a domain meaning: a unique violation is a conflict, our own
// triggers raise with a PLAT_ code in the hint, and losing the server is "unavailable, retry"
// (503), not an internal error. Everything else stays an internal error.
import type { DomainError } from '../errors.js';
import { ConflictError, DatabaseUnavailableError, InvalidTransitionError } from '../errors.js';

interface PgError {
  code?: string;
  constraint?: string;
  hint?: string;
  message?: string;
}

export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = error as PgError;
  return e?.code === '23505' && (constraint === undefined || e.constraint === constraint);
}

/** Socket errors of a connection whose server went away or is not there (yet). */
const LOST_SOCKET = new Set(['ECONNRESET', 'ECONNREFUSED', 'ENOENT', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED']);
/** pg's own words for a connection it lost or could not make (it sets no code on them). */
const LOST_MESSAGES = [/^Connection terminated/, /connection error and is not queryable/, /^timeout exceeded when trying to connect/, /^Client was closed and is not queryable/];

/**
 * True when the error says the database is unreachable rather than that the statement was wrong:
 * a lost or refused connection, or the server's own "shutting down / crashed / starting up"
 * (SQLSTATE class 08, 57P01-57P03). Callers answer 503 and try again later.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const e = error as PgError;
  if (!e || typeof e !== 'object') return false;
  if (typeof e.code === 'string' && (LOST_SOCKET.has(e.code) || e.code.startsWith('08') || e.code === '57P01' || e.code === '57P02' || e.code === '57P03')) return true;
  return typeof e.message === 'string' && LOST_MESSAGES.some((pattern) => pattern.test(e.message!));
}

export function translateDatabaseError(error: unknown): DomainError | undefined {
  const e = error as PgError;
  if (e?.code === '23505') return new ConflictError('A resource with the same unique value already exists.', { constraint: e.constraint });
  if (e?.code === 'P0001' && e.hint === 'PLAT_INVALID_TRANSITION') {
    const match = /from (\w+) to/.exec(e.message ?? '') ?? /is (terminated)/.exec(e.message ?? '');
    return new InvalidTransitionError('resource', match?.[1] ?? 'unknown', 'moved that way');
  }
  if (isDatabaseUnavailable(error)) return new DatabaseUnavailableError();
  return undefined;
}
