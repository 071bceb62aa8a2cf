// Use cases of a person looking after their own account: changing the password (which ends their
// other sessions), resetting a forgotten one by email, proving their email address, and seeing and
// ending their sessions. Passwords follow the strictest policy of the person's tenants.
import type { Kernel } from '../../../kernel/kernel.js';
import { inSideTransaction, inTransaction, type Tx } from '../../../kernel/db/database.js';
import { actorOf, type Principal, type RequestContext } from '../../../kernel/context.js';
import { authorize, resourceName, PLATFORM, type Action } from '../../../kernel/authz/authorize.js';
import { ConflictError, NotFoundError, UnauthenticatedError, ValidationError } from '../../../kernel/errors.js';
import { InvalidCredentialsError } from '../errors.js';
import { assertPasswordAcceptable, hashPassword, verifyPassword } from './passwords.js';
import { IdentityRepository } from './repository.js';
import { CredentialsRepository } from './security-repository.js';
import { loadRules, signInTenants, type TenantAuthenticationSource } from './authentication-rules.js';
import type { EmailTokens } from './email-tokens.js';
import type { SignInThrottle } from './sign-in-throttle.js';
import type { TenantDirectory } from './service.js';

const PLATFORM_SCOPE = { scope: { kind: 'platform' } as const, actorId: 'system' };
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
    private readonly kernel: Kernel,
    private readonly tenants: TenantDirectory,
    private readonly authentication: TenantAuthenticationSource,
    private readonly throttle: SignInThrottle,
    private readonly emailTokens: EmailTokens,
  ) {}

  /** Changes the caller's password; every other session of theirs ends, this one carries on unrestricted by the old password. */
  async changePassword(input: { currentPassword: string; newPassword: string }, context: RequestContext): Promise<void> {
    const principal = this.#self(context, 'identity:self.password.update');
    const user = await this.#identity.findUser(this.kernel.db, principal.userId);
    if (!user) throw new UnauthenticatedError('The account no longer exists.');
    // Guessing the current password here is a sign-in attempt like any other.
    await this.throttle.consumeSignIn(user.email, context.sourceIp, async () => {});
    if (!user.password_hash || !(await verifyPassword(user.password_hash, input.currentPassword))) {
      await this.#auditStandalone(context, 'identity.password.change_failed', principal.userId);
      throw new InvalidCredentialsError();
    }
    await this.throttle.signInSucceeded(user.email, context.sourceIp);
    // The policy of the tenant this session works in applies (staff and no tenant: the platform's).
    const passwordHash = await this.#acceptableHash(user, input.newPassword, '/newPassword', principal.tenantId);
    const { passwordRefusedBy } = await signInTenants(this.kernel.db, this.authentication, user, input.newPassword);
    if (await verifyPassword(user.password_hash, input.newPassword)) throw new ValidationError('The new password must differ from the current one.', [{ pointer: '/newPassword', message: 'must differ from the current password' }]);
    await inTransaction(this.kernel.db, PLATFORM_SCOPE, async (tx) => {
      const now = this.kernel.clock.now();
      await this.#credentials.setPassword(tx, user.id, passwordHash, now);
      const ended = await this.#credentials.revokeSessionsOfUser(tx, user.id, principal.sessionId, now);
      // An expired password was this session's only debt; it is paid.
      if (principal.sessionId) {
        const session = await this.#identity.findSession(tx, principal.sessionId);
        if (session?.restriction === 'password_change') await this.#credentials.setRestriction(tx, principal.sessionId, null);
        await this.#credentials.setPasswordRefusedBy(tx, principal.sessionId, passwordRefusedBy);
      }
      await this.#audit(tx, context, 'identity.password.changed', user.id, { otherSessionsEnded: ended });
    });
  }

  /** Mails a reset link if the address belongs to an account; the answer never says whether it does. */
  async requestPasswordReset(email: string, context: RequestContext): Promise<void> {
    const normalised = email.trim().toLowerCase();
    await inTransaction(this.kernel.db, PLATFORM_SCOPE, async (tx) => {
      const user = await this.#identity.findUserByEmail(tx, normalised);
      if (!user) return;
      await this.emailTokens.send(tx, user, 'password_reset');
      await this.#audit(tx, context, 'identity.password.reset_requested', user.id);
    });
  }

  /** Sets a new password from a reset link: the link works once, and every session of the person ends. */
  async confirmPasswordReset(input: { token: string; newPassword: string }, context: RequestContext): Promise<void> {
    // Check the token first without using it up, so a password the policy refuses does not burn the link.
    const user = await inTransaction(this.kernel.db, PLATFORM_SCOPE, async (tx) => {
      const row = await this.emailTokens.peek(tx, 'password_reset', input.token);
      const found = row ? await this.#identity.findUser(tx, row.user_id) : undefined;
      // A link mailed to a previous address of the account is worthless.
      return found && found.email === row?.email ? found : undefined;
    });
    if (!user) throw new ValidationError(INVALID_TOKEN, [{ pointer: '/token', message: 'is invalid, expired or already used' }]);
    // No session here: the policy of the tenant the next sign-in will work in applies.
    const { activeTenantId } = await signInTenants(this.kernel.db, this.authentication, user, null);
    const passwordHash = await this.#acceptableHash(user, input.newPassword, '/newPassword', activeTenantId);
    await inTransaction(this.kernel.db, PLATFORM_SCOPE, async (tx) => {
      const row = await this.emailTokens.consume(tx, 'password_reset', input.token);
      if (!row || row.user_id !== user.id) throw new ValidationError(INVALID_TOKEN, [{ pointer: '/token', message: 'is invalid, expired or already used' }]);
      const now = this.kernel.clock.now();
      await this.#credentials.setPassword(tx, user.id, passwordHash, now);
      // The link reached the address, which proves it (a new staff member's first password comes this way).
      if (!user.email_verified_at) await this.#credentials.markEmailVerified(tx, user.id, row.email, now);
      const ended = await this.#credentials.revokeSessionsOfUser(tx, user.id, null, now);
      await this.#audit(tx, { ...context, principal: null }, 'identity.password.reset', user.id, { sessionsEnded: ended });
    });
    // Whoever holds the mailbox may sign in again at once.
    await this.throttle.clearAccount(user.email);
  }

  /** Mails the caller a new verification link (older links stop working). */
  async resendEmailVerification(context: RequestContext): Promise<void> {
    const principal = this.#self(context, 'identity:self.email.verify');
    await inTransaction(this.kernel.db, PLATFORM_SCOPE, async (tx) => {
      const user = await this.#identity.findUser(tx, principal.userId);
      if (!user) throw new UnauthenticatedError('The account no longer exists.');
      if (user.email_verified_at) throw new ConflictError('The email address is already verified.');
      await this.emailTokens.send(tx, user, 'email_verification');
      await this.#audit(tx, context, 'identity.email.verification_sent', user.id);
    });
  }

  /** Marks the address verified from a verification link (single use, for the address it was sent to). */
  async verifyEmail(token: string, context: RequestContext): Promise<void> {
    await inTransaction(this.kernel.db, PLATFORM_SCOPE, async (tx) => {
      const row = await this.emailTokens.consume(tx, 'email_verification', token);
      const now = this.kernel.clock.now();
      // The link proves the address it was sent to; if the account's email changed since, it proves nothing.
      if (!row || !(await this.#credentials.markEmailVerified(tx, row.user_id, row.email, now))) {
        throw new ValidationError(INVALID_TOKEN, [{ pointer: '/token', message: 'is invalid, expired or already used' }]);
      }
      await this.#audit(tx, context, 'identity.email.verified', row.user_id, { email: row.email });
    });
  }

  async listSessions(context: RequestContext): Promise<SessionSummary[]> {
    const principal = this.#self(context, 'identity:session.list');
    const now = this.kernel.clock.now();
    const idleSince = new Date(now.getTime() - this.kernel.config.modules.identity.sessionIdleSeconds * 1000);
    const rows = await inTransaction(this.kernel.db, PLATFORM_SCOPE, (tx) => this.#credentials.listLiveSessions(tx, principal.userId, now, idleSince));
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
  }

  /** Ends one of the caller's own sessions (the current one too); another person's is "not found". */
  async revokeSession(sessionId: string, context: RequestContext): Promise<void> {
    const principal = this.#self(context, 'identity:session.delete');
    await inTransaction(this.kernel.db, PLATFORM_SCOPE, async (tx) => {
      if (!(await this.#credentials.revokeOwnSession(tx, principal.userId, sessionId, this.kernel.clock.now()))) throw new NotFoundError('Session', sessionId);
      await this.kernel.audit.record(tx, {
        actor: actorOf(context),
        action: 'identity.session.revoked',
        target: { type: 'session', id: sessionId },
        requestId: context.requestId,
        sourceIp: context.sourceIp,
      });
    });
  }

  /** Hashes a new password after checking it against the policy of the tenant it is set in. */
  async #acceptableHash(user: { email: string; platform_role: string | null }, password: string, pointer: string, tenantId: string | null): Promise<string> {
    const rules = await loadRules(this.authentication, user, tenantId);
    assertPasswordAcceptable(rules.passwordPolicy, password, user.email, { subject: 'The new password', pointer });
    return hashPassword(password);
  }

  #self(context: RequestContext, action: Action): Principal {
    const principal = context.principal;
    if (!principal) throw new UnauthenticatedError('Sign in first.');
    authorize(context, action, resourceName(PLATFORM, 'user', principal.userId));
    return principal;
  }

  async #auditStandalone(context: RequestContext, action: string, userId: string): Promise<void> {
    await inSideTransaction(this.kernel.db, PLATFORM_SCOPE, (tx) => this.#audit(tx, context, action, userId));
  }

  async #audit(tx: Tx, context: RequestContext, action: string, userId: string, after?: Record<string, unknown>): Promise<void> {
    await this.kernel.audit.record(tx, {
      actor: context.principal ? actorOf(context) : { type: 'anonymous', id: 'anonymous' },
      action,
      target: { type: 'user', id: userId },
      ...(after ? { after } : {}),
      requestId: context.requestId,
      sourceIp: context.sourceIp,
    });
  }
}
