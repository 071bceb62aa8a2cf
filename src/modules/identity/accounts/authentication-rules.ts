// What a person must satisfy to be fully signed in, from their account and the settings of the
// tenant a session works in: that tenant's password policy (staff and sessions without a tenant:
// the platform default), and whether MFA is mandatory (staff always; a session in a tenant whose
// settings say so). A tenant's settings bind a person only while they work in it: a strict tenant
// may stop a session in that tenant, never a session in another tenant or a staff session.
// Also decides which restriction a session is under.
import type { SessionRestriction } from '../../../kernel/authentication.js';
import { inTransaction, type Db } from '../../../kernel/db/database.js';
import { SYSTEM_SCOPE } from '../../../kernel/use-case.js';
import { IdentityRepository } from './repository.js';
import { CredentialsRepository } from './security-repository.js';
import { policyFailures } from './passwords.js';

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

/** Where a tenant's authentication settings come from: identity's own (TenantAuthenticationService). */
export interface TenantAuthenticationSource {
  /** The settings of each of these tenants, in order. */
  settingsOf(tenantIds: string[]): Promise<TenantAuthenticationSettings[]>;
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

/**
 * A person's rules while working in one tenant (null: none). Staff are never bound by a tenant's
 * settings, and a person by no tenant's but the one the session works in.
 */
export async function loadRules(
  settings: TenantAuthenticationSource,
  user: { platform_role: string | null },
  tenantId: string | null,
): Promise<AuthenticationRules> {
  const isStaff = user.platform_role !== null;
  if (isStaff || tenantId === null) return rulesFor({ isStaff, tenants: [] });
  return rulesFor({ isStaff, tenants: await settings.settingsOf([tenantId]) });
}

/**
 * What a sign-in with this password means for the new session: the tenant it works in (the first
 * the person joined; null: none) and which of the person's tenants would refuse the password
 * (staff: none, no tenant's policy binds them). The password is in clear only now, so this is
 * where a password set under one tenant's policy is checked against the others'.
 */
export async function signInTenants(
  db: Db,
  settings: TenantAuthenticationSource,
  user: { id: string; platform_role: string | null },
  password: string | null,
): Promise<{ activeTenantId: string | null; passwordRefusedBy: string[] }> {
  const memberships = await inTransaction(db, SYSTEM_SCOPE, (tx) => repository.membershipsOfUser(tx, user.id));
  const passwordRefusedBy: string[] = [];
  if (password !== null && user.platform_role === null) {
    for (const { tenant_id: tenantId } of memberships) {
      const [tenantSettings] = await settings.settingsOf([tenantId]);
      if (tenantSettings && policyFailures(tenantSettings.passwordPolicy, password).length > 0) passwordRefusedBy.push(tenantId);
    }
  }
  return { activeTenantId: memberships[0]?.tenant_id ?? null, passwordRefusedBy };
}

/**
 * What a session owes to work in (or make a credential for) a tenant: null, or the step that
 * tenant's rules still ask for. MFA a tenant's identity provider vouched for counts in that tenant
 * only; a password the sign-in found a tenant's policy refuses (`password_refused_by`) counts too.
 */
export async function restrictionIn(
  db: Db,
  settings: TenantAuthenticationSource,
  principal: { userId: string; platformRole: string | null; sessionId: string },
  tenantId: string,
  now: Date,
): Promise<SessionRestriction | null> {
  // Reads on their own, outside any transaction of the caller's: the tenant's settings are read in
  // a transaction of their own, and a request must never hold one connection waiting for another.
  const user = await repository.findUser(db, principal.userId);
  const session = await repository.findSession(db, principal.sessionId);
  const rules = await loadRules(settings, { platform_role: principal.platformRole }, tenantId);
  const factor = await credentials.findFactor(db, principal.userId);
  const vouchedByProvider = session?.mfa_by_tenant ?? null;
  return restrictionOf({
    hasFactor: Boolean(factor?.confirmed_at),
    mfaVerified: Boolean(session?.mfa_verified_at) && (vouchedByProvider === null || vouchedByProvider === tenantId),
    mfaRequired: rules.mfaRequired && vouchedByProvider !== tenantId,
    passwordExpired: passwordExpired(rules.passwordPolicy, user?.password_changed_at ?? null, now) || (session?.password_refused_by.includes(tenantId) ?? false),
  });
}

const repository = new IdentityRepository();
const credentials = new CredentialsRepository();
