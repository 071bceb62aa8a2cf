// Use cases of a person looking after their own account: changing the password (which ends their
// other sessions), resetting a forgotten one by email, proving their email address, and seeing and
// ending their sessions. Passwords follow the strictest policy of the person's tenants.
import { identityEvent } from '../events.js';
import type { Kernel } from '../../../kernel/kernel.js';
import { inTransaction } from '../../../kernel/db/database.js';
import type { RequestContext } from '../../../kernel/context.js';
import { resourceName, PLATFORM } from '../../../kernel/authz/authorize.js';
import { defineUseCase, SYSTEM_SCOPE, type RecordedChange } from '../../../kernel/use-case.js';
import { ConflictError, NotFoundError, UnauthenticatedError, ValidationError } from '../../../kernel/errors.js';
import { InvalidCredentialsError } from '../errors.js';
import { assertPasswordAcceptable, hashPassword, verifyPassword } from './passwords.js';
import { IdentityRepository } from './repository.js';
import { CredentialsRepository } from './security-repository.js';
import { loadRules, signInTenants, type TenantAuthenticationSource } from './authentication-rules.js';
import type { EmailTokens } from './email-tokens.js';
import type { SignInThrottle } from './sign-in-throttle.js';
import type { TenantDirectory } from './service.js';
import { authorizeBeforehand } from '../use-cases.js';

// A person's own account is identity's platform-level bookkeeping (see service.ts).
const ACCOUNTS = () => SYSTEM_SCOPE.scope;
/** The caller's own account: what self-service actions are decided on. */
const ownAccount = (_input: unknown, context: RequestContext) => resourceName(PLATFORM, 'user', context.principal?.userId ?? '');
/** A change to someone's account, audited on the platform chain and announced under the audit action's name. */
const accountChange = (action: string, userId: string, after?: Record<string, unknown>): RecordedChange => ({
  target: { type: 'user', id: userId },
  ...(after ? { after } : {}),
  event: { contract: identityEvent(action), payload: { userId, ...after } },
});
const INVALID_TOKEN = 'The link is invalid, expired or already used; ask for a new one.';

export interface SessionSummary {
  id: string;
  current: boolean;
  userAgent: string | null;
  sourceIp: string | null;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
}

export class AccountService {
  readonly #identity = new IdentityRepository();
  readonly #credentials = new CredentialsRepository();

  constructor(
    private readonly kernel: Pick<Kernel, 'config' | 'clock' | 'db' | 'useCases'>,
    private readonly tenants: TenantDirectory,
    private readonly authentication: TenantAuthenticationSource,
    private readonly throttle: SignInThrottle,
    private readonly emailTokens: EmailTokens,
  ) {}

  readonly useCases = {
    changePassword: defineUseCase<{ passwordHash: string; passwordRefusedBy: string[] }, void>({
      name: 'identity.change-password',
      access: { action: 'identity:self.password.update' },
      resource: ownAccount,
      scope: ACCOUNTS,
      run: async ({ tx, input, context, record }) => {
        const principal = context.principal!;
        const now = this.kernel.clock.now();
        await this.#credentials.setPassword(tx, principal.userId, input.passwordHash, now);
        const ended = await this.#credentials.revokeSessionsOfUser(tx, principal.userId, principal.sessionId, now);
        // An expired password was this session's only debt; it is paid.
        if (principal.sessionId) {
          const session = await this.#identity.findSession(tx, principal.sessionId);
          if (session?.restriction === 'password_change') await this.#credentials.setRestriction(tx, principal.sessionId, null);
          await this.#credentials.setPasswordRefusedBy(tx, principal.sessionId, input.passwordRefusedBy);
        }
        record(accountChange('identity.password.changed', principal.userId, { otherSessionsEnded: ended }));
      },
    }),
    requestPasswordReset: defineUseCase<{ email: string }, void>({
      name: 'identity.request-password-reset',
      access: { public: true },
      scope: ACCOUNTS,
      run: async ({ tx, input, record }) => {
        const user = await this.#identity.findUserByEmail(tx, input.email);
        if (!user) return;
        await this.emailTokens.send(tx, user, 'password_reset');
        record(accountChange('identity.password.reset_requested', user.id));
      },
    }),
    confirmPasswordReset: defineUseCase<{ token: string; userId: string; passwordHash: string; emailVerified: boolean }, void>({
      name: 'identity.confirm-password-reset',
      access: { public: true },
      scope: ACCOUNTS,
      run: async ({ tx, input, record }) => {
        const row = await this.emailTokens.consume(tx, 'password_reset', input.token);
        if (!row || row.user_id !== input.userId) throw new ValidationError(INVALID_TOKEN, [{ pointer: '/token', message: 'is invalid, expired or already used' }]);
        const now = this.kernel.clock.now();
        await this.#credentials.setPassword(tx, input.userId, input.passwordHash, now);
        // The link reached the address, which proves it (a new staff member's first password comes this way).
        if (!input.emailVerified) await this.#credentials.markEmailVerified(tx, input.userId, row.email, now);
        const ended = await this.#credentials.revokeSessionsOfUser(tx, input.userId, null, now);
        // Whoever holds the link acts, not whoever the request's cookie names.
        record({ ...accountChange('identity.password.reset', input.userId, { sessionsEnded: ended }), actor: { type: 'anonymous', id: 'anonymous' } });
      },
    }),
    resendEmailVerification: defineUseCase<void, void>({
      name: 'identity.resend-email-verification',
      access: { action: 'identity:self.email.verify' },
      resource: ownAccount,
      scope: ACCOUNTS,
      run: async ({ tx, context, record }) => {
        const user = await this.#identity.findUser(tx, context.principal!.userId);
        if (!user) throw new UnauthenticatedError('The account no longer exists.');
        if (user.email_verified_at) throw new ConflictError('The email address is already verified.');
        await this.emailTokens.send(tx, user, 'email_verification');
        record(accountChange('identity.email.verification_sent', user.id));
      },
    }),
    verifyEmail: defineUseCase<{ token: string }, void>({
      name: 'identity.verify-email',
      access: { public: true },
      scope: ACCOUNTS,
      run: async ({ tx, input, record }) => {
        const row = await this.emailTokens.consume(tx, 'email_verification', input.token);
        const now = this.kernel.clock.now();
        // The link proves the address it was sent to; if the account's email changed since, it proves nothing.
        if (!row || !(await this.#credentials.markEmailVerified(tx, row.user_id, row.email, now))) {
          throw new ValidationError(INVALID_TOKEN, [{ pointer: '/token', message: 'is invalid, expired or already used' }]);
        }
        record({ target: { type: 'user', id: row.user_id }, after: { email: row.email }, event: { contract: identityEvent('identity.email.verified'), payload: { userId: row.user_id } } });
      },
    }),
    listSessions: defineUseCase<void, SessionSummary[]>({
      name: 'identity.list-sessions',
      access: { action: 'identity:session.list' },
      resource: ownAccount,
      scope: ACCOUNTS,
      run: async ({ tx, context }) => {
        const principal = context.principal!;
        const now = this.kernel.clock.now();
        const idleSince = new Date(now.getTime() - this.kernel.config.modules.identity.sessionIdleSeconds * 1000);
        const rows = await this.#credentials.listLiveSessions(tx, principal.userId, now, idleSince);
        const iso = (d: Date) => new Date(d).toISOString();
        return rows.map((r) => ({
          id: r.id,
          current: r.id === principal.sessionId,
          userAgent: r.user_agent,
          sourceIp: r.source_ip,
          createdAt: iso(r.created_at),
          lastSeenAt: iso(r.last_seen_at),
          expiresAt: iso(r.expires_at),
        }));
      },
    }),
    /** Ends one of the caller's own sessions (the current one too); another person's is "not found". */
    revokeSession: defineUseCase<{ sessionId: string }, void>({
      name: 'identity.revoke-session',
      access: { action: 'identity:session.delete' },
      resource: ownAccount,
      scope: ACCOUNTS,
      run: async ({ tx, input, context, record }) => {
        const { sessionId } = input;
        const userId = context.principal!.userId;
        if (!(await this.#credentials.revokeOwnSession(tx, userId, sessionId, this.kernel.clock.now()))) throw new NotFoundError('Session', sessionId);
        record({ action: 'identity.session.revoked', target: { type: 'session', id: sessionId }, event: { contract: identityEvent('identity.session.ended'), payload: { sessionId, userId, reason: 'revoked' } } });
      },
    }),
  };

  /** Changes the caller's password; every other session of theirs ends, this one carries on unrestricted by the old password. */
  async changePassword(input: { currentPassword: string; newPassword: string }, context: RequestContext): Promise<void> {
    authorizeBeforehand(this.useCases.changePassword, context);
    const principal = context.principal!;
    const user = await this.#identity.findUser(this.kernel.db, principal.userId);
    if (!user) throw new UnauthenticatedError('The account no longer exists.');
    // Guessing the current password here is a sign-in attempt like any other.
    await this.throttle.consumeSignIn(user.email, context.sourceIp, async () => {});
    if (!user.password_hash || !(await verifyPassword(user.password_hash, input.currentPassword))) {
      await this.kernel.useCases.recordOnTheSide(context, [accountChange('identity.password.change_failed', principal.userId)]);
      throw new InvalidCredentialsError();
    }
    await this.throttle.signInSucceeded(user.email, context.sourceIp);
    // The policy of the tenant this session works in applies (staff and no tenant: the platform's).
    const passwordHash = await this.#acceptableHash(user, input.newPassword, '/newPassword', principal.tenantId);
    const { passwordRefusedBy } = await signInTenants(this.kernel.db, this.authentication, user, input.newPassword);
    if (await verifyPassword(user.password_hash, input.newPassword)) throw new ValidationError('The new password must differ from the current one.', [{ pointer: '/newPassword', message: 'must differ from the current password' }]);
    await this.kernel.useCases.run(this.useCases.changePassword, context, { passwordHash, passwordRefusedBy });
  }

  /** Mails a reset link if the address belongs to an account; the answer never says whether it does. */
  async requestPasswordReset(email: string, context: RequestContext): Promise<void> {
    await this.kernel.useCases.run(this.useCases.requestPasswordReset, context, { email: email.trim().toLowerCase() });
  }

  /** Sets a new password from a reset link: the link works once, and every session of the person ends. */
  async confirmPasswordReset(input: { token: string; newPassword: string }, context: RequestContext): Promise<void> {
    // Check the token first without using it up, so a password the policy refuses does not burn the link.
    const user = await inTransaction(this.kernel.db, SYSTEM_SCOPE, async (tx) => {
      const row = await this.emailTokens.peek(tx, 'password_reset', input.token);
      const found = row ? await this.#identity.findUser(tx, row.user_id) : undefined;
      // A link mailed to a previous address of the account is worthless.
      return found && found.email === row?.email ? found : undefined;
    });
    if (!user) throw new ValidationError(INVALID_TOKEN, [{ pointer: '/token', message: 'is invalid, expired or already used' }]);
    // No session here: the policy of the tenant the next sign-in will work in applies.
    const { activeTenantId } = await signInTenants(this.kernel.db, this.authentication, user, null);
    const passwordHash = await this.#acceptableHash(user, input.newPassword, '/newPassword', activeTenantId);
    await this.kernel.useCases.run(this.useCases.confirmPasswordReset, context, { token: input.token, userId: user.id, passwordHash, emailVerified: Boolean(user.email_verified_at) });
    // Whoever holds the mailbox may sign in again at once.
    await this.throttle.clearAccount(user.email);
  }

  /** Mails the caller a new verification link (older links stop working). */
  async resendEmailVerification(context: RequestContext): Promise<void> {
    await this.kernel.useCases.run(this.useCases.resendEmailVerification, context, undefined);
  }

  /** Marks the address verified from a verification link (single use, for the address it was sent to). */
  async verifyEmail(token: string, context: RequestContext): Promise<void> {
    await this.kernel.useCases.run(this.useCases.verifyEmail, context, { token });
  }

  async listSessions(context: RequestContext): Promise<SessionSummary[]> {
    return this.kernel.useCases.run(this.useCases.listSessions, context, undefined);
  }

  async revokeSession(sessionId: string, context: RequestContext): Promise<void> {
    await this.kernel.useCases.run(this.useCases.revokeSession, context, { sessionId });
  }

  /** Hashes a new password after checking it against the policy of the tenant it is set in. */
  async #acceptableHash(user: { email: string; platform_role: string | null }, password: string, pointer: string, tenantId: string | null): Promise<string> {
    const rules = await loadRules(this.authentication, user, tenantId);
    assertPasswordAcceptable(rules.passwordPolicy, password, user.email, { subject: 'The new password', pointer });
    return hashPassword(password);
  }
}
