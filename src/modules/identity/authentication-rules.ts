// What a person must satisfy to be fully signed in, from their account and their tenants' settings:
// the strictest password policy of every tenant they belong to (staff and people without a tenant:
// the platform default), and whether MFA is mandatory (staff always; people in a tenant whose
// settings say so). Also decides which restriction a session is under.
import type { FieldError } from '../../kernel/errors.js';
import type { SessionRestriction } from '../../gateway/authenticate.js';
import { inTransaction, type Db } from '../../kernel/db/database.js';
import { IdentityRepository } from './repository.js';
import type { TenantDirectory } from './service.js';

export interface PasswordPolicy {
  minLength: number;
  requireSpecialChars: boolean;
  requireNumbers: boolean;
  /** Days before a password must change; 0 = never. */
  maxAge: number;
}

export interface TenantAuthenticationSettings {
  passwordPolicy: PasswordPolicy;
  mfaRequired: boolean;
}

export interface AuthenticationRules {
  passwordPolicy: PasswordPolicy;
  mfaRequired: boolean;
}

export const MIN_PASSWORD_LENGTH = 12;
export const DEFAULT_PASSWORD_POLICY: PasswordPolicy = { minLength: MIN_PASSWORD_LENGTH, requireSpecialChars: false, requireNumbers: false, maxAge: 0 };

export function rulesFor(input: { isStaff: boolean; tenants: TenantAuthenticationSettings[] }): AuthenticationRules {
  const policies = input.tenants.map((t) => t.passwordPolicy);
  if (input.isStaff || policies.length === 0) policies.push(DEFAULT_PASSWORD_POLICY);
  const ages = policies.map((p) => p.maxAge).filter((age) => age > 0);
  return {
    passwordPolicy: {
      minLength: Math.max(...policies.map((p) => p.minLength)),
      requireSpecialChars: policies.some((p) => p.requireSpecialChars),
      requireNumbers: policies.some((p) => p.requireNumbers),
      maxAge: ages.length > 0 ? Math.min(...ages) : 0,
    },
    mfaRequired: input.isStaff || input.tenants.some((t) => t.mfaRequired),
  };
}

/** What is wrong with a new password under a policy (empty: acceptable). */
export function passwordProblems(policy: PasswordPolicy, password: string, pointer = '/password'): FieldError[] {
  const problems: string[] = [];
  if ([...password].length < policy.minLength) problems.push(`must be at least ${policy.minLength} characters`);
  if (policy.requireNumbers && !/\p{Nd}/u.test(password)) problems.push('must contain a number');
  if (policy.requireSpecialChars && !/[^\p{L}\p{Nd}\s]/u.test(password)) problems.push('must contain a special character');
  return problems.map((message) => ({ pointer, message }));
}

export function passwordExpired(policy: PasswordPolicy, changedAt: Date | null, now: Date): boolean {
  if (policy.maxAge === 0 || changedAt === null) return false;
  return now.getTime() - new Date(changedAt).getTime() > policy.maxAge * 86_400_000;
}

/** The first step a session still owes, in the order they must be done. */
export function restrictionOf(state: { hasFactor: boolean; mfaVerified: boolean; mfaRequired: boolean; passwordExpired: boolean }): SessionRestriction | null {
  if (state.hasFactor && !state.mfaVerified) return 'mfa_verify';
  if (!state.hasFactor && state.mfaRequired) return 'mfa_enroll';
  if (state.passwordExpired) return 'password_change';
  return null;
}

/** Reads a person's rules: their memberships (platform scope) and their tenants' settings. */
export async function loadRules(
  db: Db,
  tenants: Pick<TenantDirectory, 'authenticationSettingsOf'>,
  user: { id: string; platform_role: string | null },
): Promise<AuthenticationRules> {
  const memberships = await inTransaction(db, { scope: { kind: 'platform' }, actorId: 'system' }, (tx) => repository.membershipsOfUser(tx, user.id));
  const settings = await tenants.authenticationSettingsOf(memberships.map((m) => m.tenant_id));
  return rulesFor({ isStaff: user.platform_role !== null, tenants: settings });
}

const repository = new IdentityRepository();
