// Helpers for forms that submit to the API: mapping a problem's field errors (JSON pointers) onto
// the form's fields, in words people understand, and Idempotency-Keys for creating requests.
import { useRef } from 'react';
import type { ApiError } from './api/problem.js';

export interface MappedFieldErrors<Field extends string> {
  /** One message per field of the form that the server complained about. */
  byField: Partial<Record<Field, string>>;
  /** True when some error concerned nothing the form shows; the problem's detail must then be shown. */
  hasUnmatched: boolean;
}

/**
 * Places each error of the problem on the form field its pointer names. `fieldOf` turns a pointer
 * ('/domain', '/subscription/tier', '/features/2') into the form's field name, or undefined.
 * Schema messages are replaced by the field's plain-language expectation when one is given.
 */
export function mapFieldErrors<Field extends string>(
  error: ApiError,
  fieldOf: (pointer: string) => Field | undefined,
  expectations: Partial<Record<Field, string>> = {},
): MappedFieldErrors<Field> {
  const byField: Partial<Record<Field, string>> = {};
  let hasUnmatched = false;
  for (const [pointer, message] of Object.entries(error.fieldErrors)) {
    const field = fieldOf(pointer);
    if (field === undefined) {
      hasUnmatched = true;
      continue;
    }
    byField[field] ??= readable(message, expectations[field]);
  }
  return { byField, hasUnmatched };
}

/**
 * Every message the problem gives for one field, in words people understand, as one sentence each
 * (a password policy names all it misses: "Must be at least 16 characters. Must contain a number.").
 */
export function messagesFor(error: ApiError | null, pointer: string): string | undefined {
  const messages = (error?.problem.errors ?? []).filter((e) => e.pointer === pointer).map((e) => readable(e.message, undefined));
  return messages.length > 0 ? messages.join(' ') : undefined;
}

/** The first segment of a JSON pointer: '/features/2' → 'features'. */
export function topLevelField(pointer: string): string {
  return pointer.split('/')[1] ?? '';
}

function readable(message: string, expectation: string | undefined): string {
  // Schema messages ("must match pattern ^(?=.{3,253}$)…", "must NOT have fewer than 1 characters")
  // speak to programmers; the field's own expectation says the same to people. Other messages
  // (a domain already taken) are already written for people.
  if (expectation && message.startsWith('must ')) return expectation;
  const sentence = message.replace(/\bNOT\b/g, 'not');
  const capitalised = sentence.charAt(0).toUpperCase() + sentence.slice(1);
  return /[.!?]$/.test(capitalised) ? capitalised : `${capitalised}.`;
}

/**
 * A fresh Idempotency-Key. Built from getRandomValues because crypto.randomUUID exists only in
 * secure contexts, and the server may be reached over plain http on a private network.
 */
export function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * The Idempotency-Key for a create request: the same while the body stays the same, so sending it
 * again after a lost answer cannot create it twice; a new one once the body changes.
 */
export function useIdempotencyKey(): (body: unknown) => string {
  const lastAttempt = useRef<{ body: string; key: string } | null>(null);
  return (body) => {
    const serialised = JSON.stringify(body);
    if (lastAttempt.current?.body !== serialised) lastAttempt.current = { body: serialised, key: newIdempotencyKey() };
    return lastAttempt.current.key;
  };
}
