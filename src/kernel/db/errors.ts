// PostgreSQL errors that carry a domain meaning: a unique violation is a conflict, and our own
// triggers raise with a PLAT_ code in the hint. Everything else stays an internal error.
import type { DomainError} from '../errors.js';
import { ConflictError, InvalidTransitionError } from '../errors.js';

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

export function translateDatabaseError(error: unknown): DomainError | undefined {
  const e = error as PgError;
  if (e?.code === '23505') return new ConflictError('A resource with the same unique value already exists.', { constraint: e.constraint });
  if (e?.code === 'P0001' && e.hint === 'PLAT_INVALID_TRANSITION') {
    const match = /from (\w+) to/.exec(e.message ?? '') ?? /is (terminated)/.exec(e.message ?? '');
    return new InvalidTransitionError('resource', match?.[1] ?? 'unknown', 'moved that way');
  }
  return undefined;
}
