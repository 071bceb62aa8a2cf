// Identity's accounts as callers reach them: signing in (password, identity provider, accepted
// invitation) and out, resolving a session cookie to a principal with its policies, switching the
// tenant a session works in, the caller's own session and profile. Sign-in is throttled before the
// password is checked and starts the session under the restriction it owes (second factor,
// enrolment, expired password): see authentication-rules.ts. The changes themselves are use cases
// (use-cases.ts), each audited and announced by its event.
import { identityEvent } from '../events.js';
import type { Kernel } from '../../../kernel/kernel.js';
import { inTransaction, type Tx } from '../../../kernel/db/database.js';
import { ForbiddenError, UnauthenticatedError, ValidationError } from '../../../kernel/errors.js';
import { InvalidCredentialsError, SsoRequiredError } from '../errors.js';
import { type PlatformRole, type Principal, type RequestContext } from '../../../kernel/context.js';
import { SYSTEM_SCOPE, type RecordedChange } from '../../../kernel/use-case.js';
import { resourceName, PLATFORM } from '../../../kernel/authz/authorize.js';
import { hashPassword, verifyPassword, DUMMY_HASH_PROMISE, assertPasswordAcceptable } from './passwords.js';
import { IdentityRepository, type LiveSession } from './repository.js';
import { CredentialsRepository } from './security-repository.js';
import { ImpersonationRepository, type LiveImpersonation } from '../access/impersonation-repository.js';
import type { Policy } from '../../../kernel/authz/policy.js';
import { policiesFor, PARTNER_ROLES } from '../access/builtin-roles.js';
import type { Authentication, SessionRestriction } from '../../../kernel/authentication.js';
import { DEFAULT_PASSWORD_POLICY, restrictionIn, signInTenants, loadRules, passwordExpired, restrictionOf, type PasswordPolicy, type TenantAuthenticationSource } from './authentication-rules.js';
import type { SignInThrottle } from './sign-in-throttle.js';
import { authorizeBeforehand } from '../use-cases.js';
import { hashToken, type EmailTokens } from './email-tokens.js';
import { accountUseCases, type AccountUseCases, type SessionStart } from './use-cases.js';
import type { TenantFacts } from '../../tenants/index.js';

export interface SignedIn {
  /** The secret that goes into the cookie; never stored, never logged. */
  sessionToken: string;
  csrfToken: string;
  expiresAt: Date;
  user: PublicUser;
  /** What the session owes before it is fully signed in (null: nothing). */
  restriction: SessionRestriction | null;
}

export interface PublicUser {
  id: string;
  email: string;
  platformRole: string | null;
}

export type ResolvedSession = Authentication;

/** A signed-in session as its owner sees it (GET /api/v1/auth/session). */
export interface SessionView {
  user: PublicUser;
  activeTenantId: string | null;
  tenantRole: string | null;
  csrfToken: string;
  expiresAt: string;
  restriction: SessionRestriction | null;
  mfaRequired: boolean;
  impersonatedBy: { userId: string; email: string; impersonationId: string; reason: string } | null;
}

/** What identity needs to know about tenants; provided by the tenants module's public API. */
/**
 * What identity reads of tenants: the tenants module's one read port (status, name, domain, partner
 * relation). Identity's own per-tenant settings (authentication, identity providers) are its own.
 */
export type TenantDirectory = TenantFacts;

/** The tenants' organisation names by id (tenants that do not exist are left out). */
export async function tenantNames(tenants: TenantDirectory, tenantIds: string[]): Promise<Map<string, string>> {
  const profiles = await tenants.profilesOf(tenantIds);
  return new Map([...profiles].map(([id, profile]) => [id, profile.organizationName]));
}

/** The identity provider an email must sign in through, if its domain's provider is mandatory. */
export type SsoRequirement = (email: string) => Promise<{ providerName: string; startUrl: string } | undefined>;

export interface Me {
  user: PublicUser;
  /** The name the person chose to be shown by; null until they choose one. */
  displayName: string | null;
  activeTenantId: string | null;
  memberships: { tenantId: string; organizationName: string; role: string }[];
  /** When the address was proven by an emailed link; null while unproven. */
  emailVerifiedAt: string | null;
  mfa: { enabled: boolean; required: boolean; recoveryCodesLeft: number };
  /** The strictest password policy of the person's tenants: what a new password must meet. */
  passwordPolicy: PasswordPolicy;
}

export { MIN_PASSWORD_LENGTH } from './authentication-rules.js';
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const tokenHash = hashToken;

/** A refused sign-in, audited (and announced) whatever becomes of the request. */
const signInFailed = (email: string, userId: string | undefined, after?: Record<string, unknown>): RecordedChange => ({
  actor: { type: 'anonymous', id: 'anonymous', label: email },
  target: { type: 'user', id: userId ?? 'unknown' },
  ...(after ? { after } : {}),
  event: { contract: identityEvent('identity.sign_in.failed'), payload: { userId: userId ?? null, reason: after?.reason ?? 'invalid_credentials' } },
});

export class IdentityService {
  readonly #repository = new IdentityRepository();
  readonly #credentials = new CredentialsRepository();
  readonly #impersonations = new ImpersonationRepository();
  readonly useCases: AccountUseCases;

  constructor(
    private readonly kernel: Pick<Kernel, 'config' | 'clock' | 'db' | 'useCases'>,
    private readonly tenants: TenantDirectory,
    private readonly authentication: TenantAuthenticationSource,
    private readonly throttle: SignInThrottle,
    emailTokens: EmailTokens,
    private readonly ssoRequirement: SsoRequirement = async () => undefined,
  ) {
    this.useCases = accountUseCases({ kernel, tenants, emailTokens, repository: this.#repository, credentials: this.#credentials });
  }

  /**
   * Creates an account. When a person (not platform staff, not the system) creates it, the address
   * is unproven: a verification link is mailed in the same transaction.
   */
  async createUser(input: { email: string; password: string | null; platformRole?: PlatformRole | null }, context: RequestContext): Promise<PublicUser> {
    const email = input.email.trim().toLowerCase();
    const errors = [];
    if (!EMAIL.test(email)) errors.push({ pointer: '/email', message: 'must be an email address' });
    // A new account belongs to no tenant yet: the platform default applies.
    if (errors.length > 0) throw new ValidationError('The user cannot be created.', errors);
    if (input.password !== null) assertPasswordAcceptable(DEFAULT_PASSWORD_POLICY, input.password, email, { subject: 'The password', pointer: '/password' });
    const passwordHash = input.password === null ? null : await hashPassword(input.password);
    return this.kernel.useCases.run(this.useCases.createUser, context, { email, passwordHash, platformRole: input.platformRole ?? null });
  }

  async createPlatformAdmin(input: { email: string; password: string }, context: RequestContext): Promise<PublicUser> {
    return this.createUser({ ...input, platformRole: 'platform-admin' }, context);
  }

  async platformAdminCount(): Promise<number> {
    return this.#repository.countPlatformAdmins(this.kernel.db);
  }

  async signIn(input: { email: string; password: string; userAgent?: string }, context: RequestContext): Promise<SignedIn> {
    const email = input.email.trim().toLowerCase();
    // The attempt is counted before the password is looked at, so parallel guesses cannot outrun the limit.
    await this.throttle.consumeSignIn(email, context.sourceIp, () => this.#recordLockout(email, context));
    const user = await this.#repository.findUserByEmail(this.kernel.db, email);
    // A domain whose identity provider is mandatory signs in there, not here. Decided by the domain
    // alone (before the password is looked at), so the answer says nothing about the account; staff
    // accounts never sign in through a tenant's provider and keep their password.
    if (!user?.platform_role) {
      const required = await this.ssoRequirement(email);
      if (required) {
        await this.kernel.useCases.recordOnTheSide(context, [signInFailed(email, user?.id, { reason: 'sso_required', provider: required.providerName })]);
        throw new SsoRequiredError(required.providerName, required.startUrl);
      }
    }
    // Verify against a dummy hash for unknown emails (and password-less accounts) so the response
    // time reveals nothing.
    const valid = await verifyPassword(user?.password_hash ?? (await DUMMY_HASH_PROMISE), input.password);
    if (!user || !user.password_hash || !valid) {
      await this.kernel.useCases.recordOnTheSide(context, [signInFailed(email, user?.id)]);
      throw new InvalidCredentialsError();
    }
    await this.throttle.signInSucceeded(email, context.sourceIp);
    const now = this.kernel.clock.now();
    // The session works in the first tenant the person joined: that tenant's rules apply to it.
    const { activeTenantId, passwordRefusedBy } = await signInTenants(this.kernel.db, this.authentication, user, input.password);
    const rules = await loadRules(this.authentication, user, activeTenantId);
    const factor = await this.#credentials.findFactor(this.kernel.db, user.id);
    const restriction = restrictionOf({
      hasFactor: Boolean(factor?.confirmed_at),
      mfaVerified: false,
      mfaRequired: rules.mfaRequired,
      passwordExpired: passwordExpired(rules.passwordPolicy, user.password_changed_at, now) || (activeTenantId !== null && passwordRefusedBy.includes(activeTenantId)),
    });
    return this.#signedIn(context, {
      user,
      restriction,
      mfaVerified: false,
      mfaByTenant: null,
      activeTenantId,
      passwordRefusedBy,
      userAgent: input.userAgent,
      audit: { action: 'identity.sign_in.succeeded', after: { restriction } },
    });
  }

  /**
   * Starts the session of someone their tenant's identity provider signed in (see sso/). The
   * provider's authentication replaces the password; when it asserted multi-factor authentication
   * the session counts as MFA-verified, otherwise the person's own second factor (or enrolment,
   * where MFA is mandatory) is still owed. The session works in the provider's tenant.
   */
  async startSsoSession(
    userId: string,
    input: { tenantId: string; providerId: string; providerName: string; protocol: string; mfaByIdp: boolean; userAgent?: string },
    context: RequestContext,
  ): Promise<SignedIn> {
    const user = await this.#repository.findUser(this.kernel.db, userId);
    if (!user) throw new InvalidCredentialsError();
    const rules = await loadRules(this.authentication, user, input.tenantId);
    const factor = await this.#credentials.findFactor(this.kernel.db, user.id);
    const restriction = restrictionOf({ hasFactor: Boolean(factor?.confirmed_at), mfaVerified: input.mfaByIdp, mfaRequired: rules.mfaRequired && !input.mfaByIdp, passwordExpired: false });
    return this.#signedIn(context, {
      user,
      restriction,
      mfaVerified: input.mfaByIdp,
      mfaByTenant: input.mfaByIdp ? input.tenantId : null,
      activeTenantId: input.tenantId,
      passwordRefusedBy: [],
      userAgent: input.userAgent,
      audit: {
        action: 'identity.sso.sign_in.succeeded',
        tenantId: input.tenantId,
        after: { provider: input.providerId, providerName: input.providerName, protocol: input.protocol, mfaByIdentityProvider: input.mfaByIdp, restriction },
      },
    });
  }

  /**
   * Starts the session of someone who has just accepted an invitation with their password (the
   * account's, or the one they chose for a new account): they are signed in at once, working in
   * the tenant they joined, owing whatever its rules ask (a second factor to enrol or enter).
   */
  async startInvitedSession(input: { userId: string; tenantId: string; password: string; userAgent?: string }, context: RequestContext): Promise<SignedIn> {
    const user = await this.#repository.findUser(this.kernel.db, input.userId);
    if (!user) throw new InvalidCredentialsError();
    const { passwordRefusedBy } = await signInTenants(this.kernel.db, this.authentication, user, input.password);
    const rules = await loadRules(this.authentication, user, input.tenantId);
    const factor = await this.#credentials.findFactor(this.kernel.db, user.id);
    const restriction = restrictionOf({
      hasFactor: Boolean(factor?.confirmed_at),
      mfaVerified: false,
      mfaRequired: rules.mfaRequired,
      passwordExpired: passwordExpired(rules.passwordPolicy, user.password_changed_at, this.kernel.clock.now()) || passwordRefusedBy.includes(input.tenantId),
    });
    return this.#signedIn(context, {
      user,
      restriction,
      mfaVerified: false,
      mfaByTenant: null,
      activeTenantId: input.tenantId,
      passwordRefusedBy,
      userAgent: input.userAgent,
      audit: { action: 'identity.sign_in.succeeded', tenantId: input.tenantId, after: { restriction, via: 'invitation' } },
    });
  }

  async #signedIn(context: RequestContext, start: SessionStart): Promise<SignedIn> {
    const { sessionToken, csrfToken, expiresAt } = await this.kernel.useCases.run(this.useCases.startSession, context, start);
    const { user } = start;
    return { sessionToken, csrfToken, expiresAt, restriction: start.restriction, user: { id: user.id, email: user.email, platformRole: user.platform_role } };
  }

  async #recordLockout(email: string, context: RequestContext): Promise<void> {
    const user = await this.#repository.findUserByEmail(this.kernel.db, email);
    await this.kernel.useCases.recordOnTheSide(context, [
      {
        actor: { type: 'anonymous', id: 'anonymous', label: email },
        target: { type: 'user', id: user?.id ?? 'unknown' },
        after: { lockedForSeconds: this.kernel.config.modules.identity.signInLockSeconds },
        event: { contract: identityEvent('identity.account.locked'), payload: { userId: user?.id ?? null, lockedForSeconds: this.kernel.config.modules.identity.signInLockSeconds } },
      },
    ]);
  }

  async resolveSession(sessionToken: string): Promise<ResolvedSession | undefined> {
    const now = this.kernel.clock.now();
    const idleMs = this.kernel.config.modules.identity.sessionIdleSeconds * 1000;
    return inTransaction(this.kernel.db, SYSTEM_SCOPE, async (tx) => {
      const session = await this.#repository.findLiveSession(tx, tokenHash(sessionToken), now, new Date(now.getTime() - idleMs));
      if (!session) return undefined;
      // last_seen_at drives the idle timeout and the sessions list; writing it on every request
      // would cost a write per read, so it is written once a quarter of the idle period has passed.
      if (now.getTime() - new Date(session.last_seen_at).getTime() > Math.min(60_000, idleMs / 4)) await this.#repository.touchSession(tx, session.id, now);
      const impersonation = session.impersonation_id ? await this.#impersonations.findLive(tx, session.impersonation_id, now) : undefined;
      const principal = impersonation ? await this.#impersonatedPrincipal(tx, session, impersonation) : await this.#principalOf(tx, session);
      return { principal, csrfToken: session.csrf_token, expiresAt: new Date(session.expires_at), restriction: session.restriction };
    });
  }

  /**
   * A staff session impersonating someone acts as that person in the impersonation's tenant, with
   * their policies (never the staff member's), the impersonator recorded, and the right to end it.
   * What it may never do (credentials) is refused centrally by authorize().
   */
  async #impersonatedPrincipal(tx: Tx, session: LiveSession, impersonation: LiveImpersonation): Promise<Principal> {
    const asUser: LiveSession = { ...session, user_id: impersonation.user_id, email: impersonation.user_email, display_name: null, platform_role: null, active_tenant_id: impersonation.tenant_id };
    const principal = await this.#principalOf(tx, asUser);
    const end: Policy = {
      name: 'impersonation',
      statements: [{ sid: 'end-own-impersonation', effect: 'allow', actions: ['identity:impersonation.end'], resources: [resourceName(PLATFORM, 'impersonation', impersonation.id)] }],
    };
    return {
      ...principal,
      subjectId: session.user_id,
      policies: [...principal.policies, end],
      impersonator: { userId: session.user_id, email: session.email, impersonationId: impersonation.id, reason: impersonation.reason },
    };
  }

  /** The principal of a session: its user, active tenant and role there, and the resulting policies. */
  async #principalOf(tx: Tx, session: LiveSession): Promise<Principal> {
    const tenantId = session.active_tenant_id;
    const membership = tenantId ? await this.#repository.findMembership(tx, tenantId, session.user_id) : undefined;
    const role = membership?.role ?? null;
    const custom = tenantId && role?.startsWith('role_') ? await this.#repository.findRole(tx, tenantId, role) : undefined;
    const partnerCustomers = tenantId && role && (PARTNER_ROLES as readonly string[]).includes(role) ? await this.tenants.customersOf(tenantId) : [];
    return {
      userId: session.user_id,
      email: session.email,
      displayName: session.display_name ?? null,
      platformRole: session.platform_role,
      tenantId: membership || session.platform_role ? tenantId : null,
      tenantRole: role,
      method: 'session',
      sessionId: session.id,
      subjectId: session.user_id,
      scopes: null,
      mfa: session.mfa_verified_at !== null,
      policies: policiesFor({ platformRole: session.platform_role, tenantRole: role, customStatements: custom?.statements ?? null, partnerCustomers }),
    };
  }

  /** Who is signed in with this session, its CSRF token and any step it still owes. */
  session(authentication: Authentication | undefined, context: RequestContext): SessionView {
    if (!authentication || authentication.csrfToken === null) throw new UnauthenticatedError('This describes a signed-in session; bearer credentials have none.');
    return this.kernel.useCases.decide(this.useCases.readSession, context, { ...authentication, csrfToken: authentication.csrfToken });
  }

  async signOut(context: RequestContext): Promise<void> {
    const principal = context.principal;
    if (!principal) return;
    const sessionId = principal.sessionId;
    if (!sessionId) return; // bearer credentials have no session to end
    await this.kernel.useCases.run(this.useCases.signOut, context, { sessionId });
  }

  /** Moves the session to another tenant the person belongs to (staff: any tenant), without signing in again. */
  async switchTenant(tenantId: string, context: RequestContext): Promise<void> {
    const principal = context.principal;
    authorizeBeforehand(this.useCases.switchTenant, context, undefined);
    const sessionId = principal?.sessionId;
    if (!principal || !sessionId) throw new ValidationError('Only a signed-in session has a tenant to switch; a bearer credential is bound to its tenant.');
    // The new tenant's rules apply from now on: it may ask for a second factor or a new password
    // the old one did not (and the old one's demands end here).
    const restriction = await restrictionIn(this.kernel.db, this.authentication, { ...principal, sessionId }, tenantId, this.kernel.clock.now());
    await this.kernel.useCases.run(this.useCases.switchTenant, context, { tenantId, sessionId, restriction });
  }

  /** Changes what the caller chooses to be shown by; blank clears it. */
  async updateProfile(input: { displayName: string | null }, context: RequestContext): Promise<Me> {
    if (!context.principal) throw new ForbiddenError('Sign in first.');
    authorizeBeforehand(this.useCases.updateProfile, context, input);
    // Whitespace is trimmed and collapsed: a name is one line, as people type it.
    const displayName = input.displayName?.replace(/\s+/g, ' ').trim() || null;
    if (displayName && /\p{Cc}/u.test(displayName)) throw new ValidationError('The display name cannot contain control characters.', [{ pointer: '/displayName', message: 'must not contain control characters' }]);
    await this.kernel.useCases.run(this.useCases.updateProfile, context, { displayName });
    return this.me(context);
  }

  async me(context: RequestContext): Promise<Me> {
    const principal = context.principal;
    if (!principal) throw new ForbiddenError('Sign in first.');
    const account = await this.kernel.useCases.run(this.useCases.me, context, undefined);
    const names = await tenantNames(this.tenants, account.memberships.map((m) => m.tenant_id));
    const rules = await loadRules(this.authentication, { platform_role: principal.platformRole }, principal.tenantId);
    const verifiedAt = account.user?.email_verified_at;
    return {
      user: { id: principal.userId, email: principal.email, platformRole: principal.platformRole },
      displayName: account.user?.display_name ?? null,
      activeTenantId: principal.tenantId,
      memberships: account.memberships.map((m) => ({ tenantId: m.tenant_id, organizationName: names.get(m.tenant_id) ?? m.tenant_id, role: m.role })),
      emailVerifiedAt: verifiedAt ? new Date(verifiedAt).toISOString() : null,
      mfa: { enabled: account.mfaEnabled, required: rules.mfaRequired, recoveryCodesLeft: account.recoveryCodesLeft },
      passwordPolicy: rules.passwordPolicy,
    };
  }
}
