// Password hashing with argon2id (OWASP's first choice), parameters from the OWASP cheat sheet.
import { hash, verify } from '@node-rs/argon2';

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
