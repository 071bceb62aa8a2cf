// Passwords: hashing with argon2id (OWASP's first choice, parameters from the OWASP cheat sheet),
// and the rules a new password must meet.
import { hash, verify } from '@node-rs/argon2';
import { PasswordPolicyError, type FailedPasswordRule } from '../errors.js';
import type { PasswordPolicy } from './authentication-rules.js';

// Algorithm.Argon2id; the package exports it as a const enum, which isolated modules cannot read.
const ARGON2ID = 2;

const OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** A hash of a throwaway password, verified against when the email is unknown so timing does not reveal which emails exist. */
export const DUMMY_HASH_PROMISE = hashPassword('not-a-real-password-just-for-timing');

// Whether a new password may be set. The tenant's policy decides its length and character classes;
// every password is also screened for what guessing attacks try first (NIST SP 800-63B 5.1.1.2):
// the most common passwords, trivial patterns, and the person's own email address.

/** Words at the core of the passwords most often found in breach corpora (a word plus digits or symbols is no better). */
const COMMON_WORDS = new Set([
  'password', 'passw', 'passwort', 'passe', 'motdepasse', 'contraseña', 'qwerty', 'qwertz', 'azerty', 'qwertyuiop', 'asdfgh', 'asdfghjkl',
  'zxcvbnm', 'qazwsx', 'qwe', 'qweasd', 'qweasdzxc', 'abc', 'abcd', 'abcdef', 'letmein', 'welcome', 'iloveyou', 'admin', 'administrator',
  'root', 'login', 'master', 'monkey', 'dragon', 'football', 'baseball', 'soccer', 'hockey', 'superman', 'batman', 'sunshine', 'princess',
  'shadow', 'michael', 'jennifer', 'trustno', 'secret', 'changeme', 'default', 'test', 'tester', 'guest', 'user', 'hello', 'freedom',
  'whatever', 'starwars', 'computer', 'internet', 'summer', 'winter', 'spring', 'autumn', 'charlie', 'jordan', 'pokemon', 'liverpool',
  'chelsea', 'arsenal', 'access', 'flower', 'lovely', 'loveme', 'ninja', 'mustang', 'cheese', 'pepper', 'ginger', 'killer', 'matrix',
  'platforma', 'passwordpassword', 'qwertyqwerty', 'iloveyouiloveyou', 'letmeinletmein', 'adminadmin', 'welcomewelcome',
]);

/** Keyboard rows and counting, read both ways: any run of 8 or more of them is a pattern, not a secret. */
const SEQUENCES = ['0123456789'.repeat(4), 'abcdefghijklmnopqrstuvwxyz'.repeat(2), 'qwertyuiopasdfghjklzxcvbnm', '1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p', '1q2w3e4r5t6y7u8i9o0p'].flatMap((run) => [run, [...run].reverse().join('')]);

function isCommonOrTrivial(password: string): boolean {
  const lower = password.toLowerCase();
  const compact = lower.replace(/\s/g, '');
  // The word inside, with digits and symbols around it dropped and look-alikes read back ("P@ssw0rd2024!").
  const core = compact.replace(/^[^\p{L}]+|[^\p{L}]+$/gu, '').replace(/[@4]/g, 'a').replace(/0/g, 'o').replace(/3/g, 'e').replace(/[$5]/g, 's').replace(/1/g, 'i');
  if ([compact.replace(/[^\p{L}]/gu, ''), core].some((word) => COMMON_WORDS.has(word))) return true;
  // One short unit repeated ("aaaaaaaaaaaa", "abcabcabcabc", "121212121212").
  if (/^(.{1,4})\1+$/u.test(compact)) return true;
  return compact.length >= 8 && SEQUENCES.some((run) => run.includes(compact));
}

/** The address itself, or the name before its @ dressed up with only digits and symbols ("richard2024!"). */
function isBuiltOnEmail(password: string, email: string): boolean {
  const lower = password.toLowerCase();
  const address = email.trim().toLowerCase();
  if (address.length > 0 && lower.includes(address)) return true;
  const name = address.split('@')[0] ?? '';
  if (name.length < 3 || !lower.includes(name)) return false;
  return !/\p{L}/u.test(lower.replace(name, ''));
}

/**
 * Every rule a new password fails (empty: it may be set). `email` is the account's address, so a
 * password built on it is refused; the sign-in check of an existing password leaves it out and
 * judges only by the tenant's policy (see `policyFailures`).
 */
export function failedPasswordRules(policy: PasswordPolicy, password: string, email: string): FailedPasswordRule[] {
  const failed = policyFailures(policy, password);
  if (isCommonOrTrivial(password)) failed.push({ rule: 'common_password', message: 'must not be a common or easily guessed password' });
  if (isBuiltOnEmail(password, email)) failed.push({ rule: 'contains_email', message: 'must not contain your email address or be built on its name' });
  return failed;
}

/** The rules a tenant configures (length, a number, a special character) that the password fails. */
export function policyFailures(policy: PasswordPolicy, password: string): FailedPasswordRule[] {
  const failed: FailedPasswordRule[] = [];
  if ([...password].length < policy.minLength) failed.push({ rule: 'min_length', message: `must be at least ${policy.minLength} characters`, minLength: policy.minLength });
  if (policy.requireNumbers && !/\p{Nd}/u.test(password)) failed.push({ rule: 'requires_number', message: 'must contain a number' });
  if (policy.requireSpecialChars && !/[^\p{L}\p{Nd}\s]/u.test(password)) failed.push({ rule: 'requires_special_character', message: 'must contain a special character' });
  return failed;
}

/** Refuses a new password that fails any rule, naming each one (PLAT_PASSWORD_POLICY_VIOLATED). */
export function assertPasswordAcceptable(policy: PasswordPolicy, password: string, email: string, options: { subject: string; pointer: string }): void {
  const failed = failedPasswordRules(policy, password, email);
  if (failed.length > 0) throw new PasswordPolicyError(options.subject, options.pointer, failed);
}
