// Use cases of identity's accounts: creating an account, starting and ending a session, switching
// the tenant a session works in, the caller's own session and profile. Each runs through the
// kernel's pipeline (kernel/use-case.ts) and records its change with the event that announces it.
// IdentityService (service.ts) runs them for callers, after what must happen outside a transaction
// (the throttle, the password hash, another module's answer).
import { randomBytes } from 'node:crypto';
import { identityEvent } from '../events.js';
import type { Kernel } from '../../../kernel/kernel.js';
import type { Tx } from '../../../kernel/db/database.js';
import { newId } from '../../../kernel/ids.js';
import { ConflictError, NotFoundError } from '../../../kernel/errors.js';
import type { PlatformRole, RequestContext } from '../../../kernel/context.js';
import { defineDecision, defineUseCase, SYSTEM_SCOPE, type RecordedChange } from '../../../kernel/use-case.js';
import { resourceName, PLATFORM } from '../../../kernel/authz/authorize.js';
import type { Authentication, SessionRestriction } from '../../../kernel/authentication.js';
import type { IdentityRepository, UserRow } from './repository.js';
import type { CredentialsRepository } from './security-repository.js';
import { hashToken, type EmailTokens } from './email-tokens.js';
import type { TenantFacts } from '../../tenants/index.js';
import type { PublicUser, SessionView } from './service.js';

/** What the accounts' use cases are built from. */
export interface AccountUseCasePorts {
  kernel: Pick<Kernel, 'config' | 'clock'>;
  /** Whether a tenant exists, for staff switching into one they are not a member of. */
  tenants: Pick<TenantFacts, 'profileOf'>;
  emailTokens: EmailTokens;
  repository: IdentityRepository;
  credentials: CredentialsRepository;
}

const tokenHash = hashToken;

// Accounts and sessions are identity's own platform-level bookkeeping: their transactions run across
// tenants, and their changes are audited on the platform chain (a tenant's, where a tenant is named).
const ACCOUNTS = () => SYSTEM_SCOPE.scope;
/** The caller's own account: what self-service actions are decided on. */
const ownAccount = (_input: unknown, context: RequestContext) => resourceName(PLATFORM, 'user', context.principal?.userId ?? '');

export interface SessionStart {
  user: UserRow;
  restriction: SessionRestriction | null;
  mfaVerified: boolean;
  mfaByTenant: string | null;
  activeTenantId: string | null;
  passwordRefusedBy: string[];
  userAgent?: string;
  /** How the session's start is audited: the action, the tenant chain (if any) and what it says. */
  audit: { action: string; tenantId?: string; after: Record<string, unknown> };
}

/** The accounts' use cases, in the order the module lists them. */
export function accountUseCases({ kernel, tenants, emailTokens, repository, credentials }: AccountUseCasePorts) {
  async function createUser(tx: Tx, input: { email: string; passwordHash: string | null; platformRole: PlatformRole | null }, context: RequestContext, record: (change: RecordedChange) => void): Promise<PublicUser> {
    const { email, passwordHash } = input;
    const now = kernel.clock.now();
    if (await repository.findUserByEmail(tx, email)) throw new ConflictError(`A user with the email ${email} already exists.`);
    const user = {
      id: newId('user'),
      email,
      password_hash: passwordHash,
      platform_role: input.platformRole,
      created_at: now,
      updated_at: now,
      email_verified_at: null,
      password_changed_at: passwordHash ? now : null,
    };
    await repository.insertUser(tx, user);
    const created = user.platform_role ? 'identity.staff.created' : 'identity.user.created';
    record({ target: { type: 'user', id: user.id }, after: { email, platformRole: user.platform_role }, event: { contract: identityEvent(created), payload: { userId: user.id, platformRole: user.platform_role } } });
    if (context.principal && !context.principal.platformRole) await emailTokens.send(tx, user, 'email_verification');
    return { id: user.id, email, platformRole: user.platform_role };
  }

  async function startSession(tx: Tx, options: SessionStart, context: RequestContext, record: (change: RecordedChange) => void): Promise<{ sessionToken: string; csrfToken: string; expiresAt: Date }> {
    const { user } = options;
    const now = kernel.clock.now();
    const sessionToken = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(24).toString('base64url');
    const expiresAt = new Date(now.getTime() + kernel.config.modules.identity.sessionTtlSeconds * 1000);
    const sessionId = newId('session');
    await repository.insertSession(tx, {
      id: sessionId,
      token_hash: tokenHash(sessionToken),
      csrf_token: csrfToken,
      user_id: user.id,
      created_at: now,
      expires_at: expiresAt,
      last_seen_at: now,
      revoked_at: null,
      user_agent: options.userAgent?.slice(0, 500) ?? null,
      source_ip: context.sourceIp,
      active_tenant_id: options.activeTenantId,
      mfa_verified_at: options.mfaVerified ? now : null,
      restriction: options.restriction,
      impersonation_id: null,
      password_refused_by: options.passwordRefusedBy,
      mfa_by_tenant: options.mfaByTenant,
    });
    const { action, tenantId, after } = options.audit;
    record({
      action,
      actor: { type: 'user', id: user.id, label: user.email },
      ...(tenantId ? { tenantId } : {}),
      target: { type: 'session', id: sessionId },
      after,
      event: { contract: identityEvent('identity.session.started'), payload: { sessionId, userId: user.id, tenantId: options.activeTenantId, restriction: options.restriction, via: action } },
    });
    return { sessionToken, csrfToken, expiresAt };
  }

  return {
    /**
     * No route runs it: the console adds staff, tests add people; over the API people come in
     * through invitations and staff invitations, which decide who may add whom.
     */
    createUser: defineUseCase<{ email: string; passwordHash: string | null; platformRole: PlatformRole | null }, PublicUser>({
      name: 'identity.create-user',
      access: { public: true },
      scope: ACCOUNTS,
      run: ({ tx, input, context, record }) => createUser(tx, input, context, record),
    }),
    /** Starts a session for someone just authenticated (a password, an identity provider, an accepted invitation). */
    startSession: defineUseCase<SessionStart, { sessionToken: string; csrfToken: string; expiresAt: Date }>({
      name: 'identity.start-session',
      access: { public: true },
      scope: ACCOUNTS,
      run: ({ tx, input, context, record }) => startSession(tx, input, context, record),
    }),
    /** Ending one's own session needs no permission: even staff impersonating someone may always sign out. */
    signOut: defineUseCase<{ sessionId: string }, void>({
      name: 'identity.sign-out',
      access: { public: true },
      scope: ACCOUNTS,
      run: async ({ tx, input, context, record }) => {
        await repository.revokeSession(tx, input.sessionId, kernel.clock.now());
        const payload = { sessionId: input.sessionId, userId: context.principal?.userId ?? null, reason: 'signed_out' };
        record({ action: 'identity.sign_out', target: { type: 'session', id: input.sessionId }, event: { contract: identityEvent('identity.session.ended'), payload } });
      },
    }),
    switchTenant: defineUseCase<{ tenantId: string; sessionId: string; restriction: SessionRestriction | null }, void>({
      name: 'identity.switch-tenant',
      access: { action: 'identity:tenant.switch' },
      resource: ownAccount,
      scope: ACCOUNTS,
      run: async ({ tx, input, context, record }) => {
        const principal = context.principal!;
        const { tenantId, sessionId, restriction } = input;
        const member = await repository.findMembership(tx, tenantId, principal.userId);
        if (!member && !(principal.platformRole && (await tenants.profileOf(tenantId)) !== null)) {
          // Same answer for "no such tenant" and "not yours": existence is not disclosed.
          throw new NotFoundError('Tenant', tenantId);
        }
        await repository.setActiveTenant(tx, sessionId, tenantId, restriction);
        record({
          target: { type: 'session', id: sessionId },
          before: { tenantId: principal.tenantId },
          after: { tenantId, restriction },
          event: { contract: identityEvent('identity.tenant.switched'), payload: { sessionId, userId: principal.userId, fromTenantId: principal.tenantId, tenantId } },
        });
      },
    }),
    updateProfile: defineUseCase<{ displayName: string | null }, void>({
      name: 'identity.update-profile',
      access: { action: 'identity:self.update' },
      resource: ownAccount,
      scope: ACCOUNTS,
      run: async ({ tx, input, context, record }) => {
        const userId = context.principal!.userId;
        const { displayName } = input;
        const user = await repository.findUser(tx, userId);
        if (!user) throw new NotFoundError('User', userId);
        if ((user.display_name ?? null) === displayName) return;
        await repository.setDisplayName(tx, userId, displayName, kernel.clock.now());
        record({
          target: { type: 'user', id: userId },
          before: { displayName: user.display_name ?? null },
          after: { displayName },
          event: { contract: identityEvent('identity.profile.updated'), payload: { userId } },
        });
      },
    }),
    /** The caller's own session, as its credential resolved it: nothing to read but the credential. */
    readSession: defineDecision<Authentication & { csrfToken: string }, SessionView>({
      name: 'identity.read-session',
      action: 'identity:session.read',
      resource: ownAccount,
      decide: (session) => {
        const p = session.principal;
        return {
          user: { id: p.userId, email: p.email, platformRole: p.platformRole },
          activeTenantId: p.tenantId,
          tenantRole: p.tenantRole,
          csrfToken: session.csrfToken,
          expiresAt: (session.expiresAt ?? new Date(0)).toISOString(),
          restriction: session.restriction,
          mfaRequired: session.restriction === 'mfa_verify',
          impersonatedBy: p.impersonator ? { userId: p.impersonator.userId, email: p.impersonator.email, impersonationId: p.impersonator.impersonationId, reason: p.impersonator.reason } : null,
        };
      },
    }),
    me: defineUseCase<void, { memberships: { tenant_id: string; role: string }[]; user: UserRow | undefined; mfaEnabled: boolean; recoveryCodesLeft: number }>({
      name: 'identity.me',
      access: { action: 'identity:self.read' },
      resource: ownAccount,
      scope: ACCOUNTS,
      run: async ({ tx, context }) => {
        const userId = context.principal!.userId;
        const factor = await credentials.findFactor(tx, userId);
        const enabled = Boolean(factor?.confirmed_at);
        return {
          memberships: await repository.membershipsOfUser(tx, userId),
          user: await repository.findUser(tx, userId),
          mfaEnabled: enabled,
          recoveryCodesLeft: enabled ? await credentials.countUnusedRecoveryCodes(tx, userId) : 0,
        };
      },
    }),
  };
}

export type AccountUseCases = ReturnType<typeof accountUseCases>;
