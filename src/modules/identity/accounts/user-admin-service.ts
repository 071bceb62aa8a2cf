// Platform staff looking after people: every account (search, one person's memberships, sessions,
// second factor and lockout), the staff itself (granting, changing and revoking platform roles,
// adding a new staff member), and ending someone's sessions. Operators manage users but not staff
// (identity:staff.* is theirs to be denied); only platform administrators manage staff.
//
// A platform-role change ends every session of the person. Their power would follow the role on
// the next request anyway (the principal is resolved per request), but a session opened before a
// grant never completed the second factor staff must use: the person signs in again, and MFA is
// then mandatory (authentication-rules.ts). Revocations end sessions for the same plain reason.
import { identityEvent } from '../events.js';
import type { Kernel } from '../../../kernel/kernel.js';
import type { Tx } from '../../../kernel/db/database.js';
import { newId, isId } from '../../../kernel/ids.js';
import { decodeCursor, pageOf, type Page } from '../../../kernel/api/cursor.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../../kernel/errors.js';
import type { PlatformRole, RequestContext } from '../../../kernel/context.js';
import { defineUseCase, SYSTEM_SCOPE, type UseCase, type UseCaseRun } from '../../../kernel/use-case.js';
import { authorize, explain, isPlatformStaff, resourceName, PLATFORM, type Action } from '../../../kernel/authz/authorize.js';
import { IdentityRepository } from './repository.js';
import { CredentialsRepository } from './security-repository.js';
import { UserAdminRepository, type UserListRow } from './user-admin-repository.js';
import type { EmailTokens } from './email-tokens.js';
import { tenantNames, type TenantDirectory } from './service.js';
import type { SignInThrottle } from './sign-in-throttle.js';

export interface UserSummary {
  id: string;
  email: string;
  platformRole: PlatformRole | null;
  emailVerified: boolean;
  mfaEnabled: boolean;
  createdAt: string;
}

export interface UserSessionView {
  id: string;
  userAgent: string | null;
  sourceIp: string | null;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  /** True while the session (a staff member's) acts as someone else. */
  impersonating: boolean;
}

export interface UserDetail extends UserSummary {
  /** False for an account created for staff that has not chosen its password yet. */
  hasPassword: boolean;
  emailVerifiedAt: string | null;
  /** Set while failed sign-ins keep the account locked. */
  lockedUntil: string | null;
  lastSignInAt: string | null;
  memberships: { tenantId: string; organizationName: string; role: string; joinedAt: string }[];
  activeSessionCount: number;
  sessions: UserSessionView[];
  /** What the caller may do to this person (the same decisions the actions themselves make). */
  callerMay: { changePlatformRole: boolean; endSessions: boolean; unlock: boolean; impersonate: boolean };
}

const isUserId = (value: unknown): value is string => typeof value === 'string' && isId('user', value);
const iso = (date: Date) => new Date(date).toISOString();
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * A use case of people administration. Accounts are a platform resource (`prn:platform:user/…`),
 * so no tenant role reaches them; and whatever a policy says, only platform staff get the platform
 * scope these queries need.
 */
function staffUseCase<I extends object, O>(name: string, action: Action, run: (run: UseCaseRun<I>) => Promise<O>): UseCase<I, O> {
  return defineUseCase<I, O>({
    name,
    access: { action },
    // On the person the input names, or on every account (a list, a new staff member).
    resource: (input) => resourceName(PLATFORM, 'user', 'userId' in input && typeof input.userId === 'string' ? input.userId : '*'),
    scope: () => SYSTEM_SCOPE.scope,
    run: (pipeline) => {
      if (!isPlatformStaff(pipeline.context)) throw new ForbiddenError('People administration is for platform staff.', { action });
      return run(pipeline);
    },
  });
}

/** A change to a person's account, audited on the platform chain and announced under the audit action's name. */
const userChange = (action: string, userId: string, before: unknown, after: Record<string, unknown> | undefined) => ({
  target: { type: 'user', id: userId },
  before,
  after,
  event: { contract: identityEvent(action), payload: { userId, ...after } },
});

function toSummary(row: UserListRow): UserSummary {
  return {
    id: row.id,
    email: row.email,
    platformRole: row.platform_role,
    emailVerified: row.email_verified_at !== null,
    mfaEnabled: row.mfa_enabled,
    createdAt: iso(row.created_at),
  };
}

export class UserAdminService {
  readonly #users = new UserAdminRepository();
  readonly #identity = new IdentityRepository();
  readonly #credentials = new CredentialsRepository();

  constructor(
    private readonly kernel: Pick<Kernel, 'config' | 'clock' | 'useCases'>,
    private readonly tenants: TenantDirectory,
    private readonly emailTokens: EmailTokens,
    private readonly throttle: SignInThrottle,
  ) {}

  readonly useCases = {
    list: staffUseCase<{ q?: string; staff?: boolean; limit?: number; cursor?: string }, Page<UserSummary>>('identity.list-users', 'identity:user.list', async ({ tx, input }) => {
      const limit = input.limit ?? 25;
      const beforeId = decodeCursor(input.cursor, isUserId);
      const rows = await this.#users.list(tx, { search: input.q?.trim() || undefined, staffOnly: input.staff, beforeId, limit: limit + 1 });
      return pageOf(rows, limit, toSummary, (user) => user.id);
    }),
    get: staffUseCase<{ userId: string }, Awaited<ReturnType<UserAdminService['loadDetail']>>>('identity.get-user', 'identity:user.read', ({ tx, input }) => this.loadDetail(tx, input.userId)),
    setPlatformRole: staffUseCase<{ userId: string; role: PlatformRole | null }, UserSummary & { sessionsEnded: number }>('identity.set-platform-role', 'identity:staff.update', ({ tx, input, record }) =>
      this.#setPlatformRole(tx, input.userId, input.role, record),
    ),
    endSessions: staffUseCase<{ userId: string }, { sessionsEnded: number }>('identity.end-user-sessions', 'identity:user.update', async ({ tx, input, context, record }) => {
      const { userId } = input;
      const user = await this.#identity.findUser(tx, userId);
      if (!user) throw new NotFoundError('User', userId);
      if (user.platform_role) authorize(context, 'identity:staff.update', resourceName(PLATFORM, 'user', userId));
      const sessionsEnded = await this.#credentials.revokeSessionsOfUser(tx, userId, null, this.kernel.clock.now());
      record(userChange('identity.user.sessions_revoked', userId, undefined, { sessionsEnded }));
      return { sessionsEnded };
    }),
    unlock: staffUseCase<{ userId: string }, void>('identity.unlock-user', 'identity:user.update', async ({ tx, input, context, record }) => {
      const { userId } = input;
      const user = await this.#identity.findUser(tx, userId);
      if (!user) throw new NotFoundError('User', userId);
      if (user.platform_role) authorize(context, 'identity:staff.update', resourceName(PLATFORM, 'user', userId));
      await this.throttle.clearAccount(user.email);
      record(userChange('identity.account.unlocked', userId, undefined, undefined));
    }),
    inviteStaff: staffUseCase<{ email: string; role: PlatformRole }, UserSummary>('identity.invite-staff', 'identity:staff.create', ({ tx, input, context, record }) => this.#inviteStaff(tx, input, context, record)),
  };

  async list(query: { q?: string; staff?: boolean; limit?: number; cursor?: string }, context: RequestContext): Promise<Page<UserSummary>> {
    return this.kernel.useCases.run(this.useCases.list, context, query);
  }

  /** What a person's page shows, read in one transaction. */
  private async loadDetail(tx: Tx, userId: string) {
    const now = this.kernel.clock.now();
    const idleSince = new Date(now.getTime() - this.kernel.config.modules.identity.sessionIdleSeconds * 1000);
    const user = await this.#identity.findUser(tx, userId);
    if (!user) throw new NotFoundError('User', userId);
    return {
      user,
      mfaEnabled: await this.#users.hasConfirmedFactor(tx, userId),
      memberships: await this.#identity.membershipsOfUser(tx, userId),
      sessions: await this.#users.liveSessions(tx, userId, now, idleSince),
      lastSignInAt: await this.#users.lastSignInAt(tx, userId),
      attempts: await this.#users.accountAttempts(tx, user.email),
    };
  }

  async get(userId: string, context: RequestContext): Promise<UserDetail> {
    const found = await this.kernel.useCases.run(this.useCases.get, context, { userId });
    const { user, attempts } = found;
    const names = await tenantNames(this.tenants, found.memberships.map((m) => m.tenant_id));
    // The throttle keeps real wall-clock expiry times (rate-limiter-flexible reads Date.now()).
    const locked = attempts && attempts.points > this.kernel.config.modules.identity.signInMaxFailures && attempts.expire !== null && Number(attempts.expire) > Date.now();
    const resource = resourceName(PLATFORM, 'user', userId);
    const may = (action: Action) => explain(context, action, resource).allowed;
    return {
      ...toSummary({ ...user, mfa_enabled: found.mfaEnabled }),
      hasPassword: user.password_hash !== null,
      emailVerifiedAt: user.email_verified_at ? iso(user.email_verified_at) : null,
      lockedUntil: locked ? new Date(Number(attempts.expire)).toISOString() : null,
      lastSignInAt: found.lastSignInAt ? iso(found.lastSignInAt) : null,
      memberships: found.memberships.map((m) => ({ tenantId: m.tenant_id, organizationName: names.get(m.tenant_id) ?? m.tenant_id, role: m.role, joinedAt: iso(m.created_at) })),
      activeSessionCount: found.sessions.length,
      sessions: found.sessions.map((s) => ({
        id: s.id,
        userAgent: s.user_agent,
        sourceIp: s.source_ip,
        createdAt: iso(s.created_at),
        lastSeenAt: iso(s.last_seen_at),
        expiresAt: iso(s.expires_at),
        impersonating: s.impersonation_id !== null,
      })),
      callerMay: {
        changePlatformRole: may('identity:staff.update'),
        endSessions: may('identity:user.update') && (user.platform_role === null || may('identity:staff.update')),
        unlock: may('identity:user.update') && (user.platform_role === null || may('identity:staff.update')),
        impersonate: user.platform_role === null && found.memberships.length > 0 && may('identity:impersonation.start'),
      },
    };
  }

  /**
   * Grants, changes or revokes (null) a person's platform role. The last platform administrator
   * keeps theirs; every session of the person ends (see the top of this file).
   */
  async setPlatformRole(userId: string, role: PlatformRole | null, context: RequestContext): Promise<UserSummary & { sessionsEnded: number }> {
    return this.kernel.useCases.run(this.useCases.setPlatformRole, context, { userId, role });
  }

  async #setPlatformRole(tx: Tx, userId: string, role: PlatformRole | null, record: UseCaseRun<unknown>['record']): Promise<UserSummary & { sessionsEnded: number }> {
    const admins = await this.#users.lockPlatformAdmins(tx);
    const user = await this.#identity.findUser(tx, userId);
    if (!user) throw new NotFoundError('User', userId);
    if (user.platform_role === 'platform-admin' && role !== 'platform-admin' && admins.length <= 1) {
      throw new ConflictError('This is the last platform administrator: make someone else a platform administrator first.', { field: '/role' });
    }
    // Staff reach every tenant through their role and are bound by no tenant's policies: an
    // account that belongs to tenants leaves them before it becomes staff.
    if (user.platform_role === null && role !== null && (await this.#identity.membershipsOfUser(tx, userId)).length > 0) {
      throw new ConflictError('Staff do not belong to tenants: remove this person from their tenants first (or make a separate staff account).', { field: '/role' });
    }
    const now = this.kernel.clock.now();
    let sessionsEnded = 0;
    if (user.platform_role !== role) {
      await this.#users.setPlatformRole(tx, userId, role, now);
      sessionsEnded = await this.#credentials.revokeSessionsOfUser(tx, userId, null, now);
      const action = role === null ? 'identity.staff.role_revoked' : user.platform_role === null ? 'identity.staff.role_granted' : 'identity.staff.role_changed';
      record(userChange(action, userId, { platformRole: user.platform_role }, { platformRole: role, sessionsEnded }));
    }
    const mfaEnabled = await this.#users.hasConfirmedFactor(tx, userId);
    return { ...toSummary({ ...user, platform_role: role, mfa_enabled: mfaEnabled }), sessionsEnded };
  }

  /** Ends every session of a person (a staff member's only for those who manage staff). */
  async endSessions(userId: string, context: RequestContext): Promise<{ sessionsEnded: number }> {
    return this.kernel.useCases.run(this.useCases.endSessions, context, { userId });
  }

  /**
   * Lifts the lock failed sign-ins put on the account (the person may try again at once), e.g.
   * after support confirmed who they are. Whether the account was locked, it is audited.
   */
  async unlock(userId: string, context: RequestContext): Promise<void> {
    await this.kernel.useCases.run(this.useCases.unlock, context, { userId });
  }

  /**
   * Adds a new staff member: creates the account without a password and mails a single-use link
   * to choose one (the password-reset flow, with a longer-lived link). The first sign-in then
   * enrols a second factor. An address that already has an account is refused: grant that account
   * a role instead.
   */
  async inviteStaff(input: { email: string; role: PlatformRole }, context: RequestContext): Promise<UserSummary> {
    return this.kernel.useCases.run(this.useCases.inviteStaff, context, input);
  }

  async #inviteStaff(tx: Tx, input: { email: string; role: PlatformRole }, context: RequestContext, record: UseCaseRun<unknown>['record']): Promise<UserSummary> {
    const email = input.email.trim().toLowerCase();
    if (!EMAIL.test(email)) throw new ValidationError('The staff member cannot be added.', [{ pointer: '/email', message: 'must be an email address' }]);
    const now = this.kernel.clock.now();
    const existing = await this.#identity.findUserByEmail(tx, email);
    if (existing) {
      throw new ConflictError(`${email} already has an account: change its platform role on the user’s page instead.`, { field: '/email', userId: existing.id });
    }
    const user = { id: newId('user'), email, password_hash: null, platform_role: input.role, created_at: now, updated_at: now, email_verified_at: null, password_changed_at: null };
    await this.#identity.insertUser(tx, user);
    await this.emailTokens.send(tx, user, 'staff_invitation', { role: input.role, invitedBy: context.principal?.email ?? 'Platforma' });
    record({ target: { type: 'user', id: user.id }, after: { email, platformRole: input.role }, event: { contract: identityEvent('identity.staff.invited'), payload: { userId: user.id, platformRole: input.role } } });
    return toSummary({ ...user, mfa_enabled: false });
  }
}
