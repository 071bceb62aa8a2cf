// Opaque pagination cursors: base64url of the last sort key a page ended on. Clients pass
// `nextCursor` back unchanged; anything else is a 400 with the pointer /cursor.
import { ValidationError } from '../errors.js';

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export function encodeCursor(after: string | number): string {
  return Buffer.from(JSON.stringify({ after })).toString('base64url');
}

export function decodeCursor<T extends string | number>(cursor: string | undefined, isValid: (value: unknown) => value is T): T | undefined {
  if (cursor === undefined) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { after?: unknown };
    if (isValid(parsed.after)) return parsed.after;
  } catch {
    // fall through to the validation error
  }
  throw new ValidationError('The cursor is not valid; pass the nextCursor of a previous page unchanged.', [{ pointer: '/cursor', message: 'is not a cursor this API issued' }]);
}

/** Cuts a page from rows fetched with limit + 1, and derives the next cursor from the last item kept. */
export function pageOf<R, T>(rows: R[], limit: number, view: (row: R) => T, keyOf: (item: T) => string | number): Page<T> {
  const data = rows.slice(0, limit).map(view);
  const last = data[data.length - 1];
  return { data, nextCursor: rows.length > limit && last !== undefined ? encodeCursor(keyOf(last)) : null };
}
