// Use cases of identity: creating platform administrators, signing in and out, resolving a session
// cookie to a principal. Every change is audited on the platform chain.
import { createHash, randomBytes } from 'node:crypto';
import type { Kernel } from '../../kernel/kernel.js';
import { inTransaction } from '../../kernel/db/database.js';
import { newId } from '../../kernel/ids.js';
import { ConflictError, InvalidCredentialsError, ValidationError } from '../../kernel/errors.js';
import { actorOf, type Principal, type RequestContext } from '../../kernel/context.js';
import { hashPassword, verifyPassword, DUMMY_HASH_PROMISE } from './passwords.js';
import { IdentityRepository } from './repository.js';

export interface SignedIn {
  /** The secret that goes into the cookie; never stored, never logged. */
  sessionToken: string;
  csrfToken: string;
  expiresAt: Date;
  user: PublicUser;
}

export interface PublicUser {
  id: string;
  email: string;
  platformRole: string | null;
}

export interface ResolvedSession {
  principal: Principal;
  csrfToken: string;
  expiresAt: Date;
}

export const MIN_PASSWORD_LENGTH = 12;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');
// Identity actions are platform-level: they are audited on the platform chain.
const PLATFORM = { scope: { kind: 'platform' } as const, actorId: 'system' };

export class IdentityService {
  readonly #repository = new IdentityRepository();

  constructor(private readonly kernel: Kernel) {}

  async createPlatformAdmin(input: { email: string; password: string }, context: RequestContext): Promise<PublicUser> {
    const email = input.email.trim().toLowerCase();
    const errors = [];
    if (!EMAIL.test(email)) errors.push({ pointer: '/email', message: 'must be an email address' });
    if (input.password.length < MIN_PASSWORD_LENGTH) errors.push({ pointer: '/password', message: `must be at least ${MIN_PASSWORD_LENGTH} characters` });
    if (errors.length > 0) throw new ValidationError('The administrator cannot be created.', errors);
    const passwordHash = await hashPassword(input.password);
    const now = this.kernel.clock.now();
    return inTransaction(this.kernel.db, PLATFORM, async (tx) => {
      if (await this.#repository.findUserByEmail(tx, email)) throw new ConflictError(`A user with the email ${email} already exists.`);
      const user = { id: newId('user'), email, password_hash: passwordHash, platform_role: 'platform-admin' as const, created_at: now, updated_at: now };
      await this.#repository.insertUser(tx, user);
      await this.kernel.audit.record(tx, {
        actor: actorOf(context),
        action: 'identity.platform_admin.created',
        target: { type: 'user', id: user.id },
        after: { email, platformRole: user.platform_role },
        requestId: context.requestId,
        sourceIp: context.sourceIp,
      });
      return { id: user.id, email, platformRole: user.platform_role };
    });
  }

  async platformAdminCount(): Promise<number> {
    return this.#repository.countPlatformAdmins(this.kernel.db);
  }

  async signIn(input: { email: string; password: string; userAgent?: string }, context: RequestContext): Promise<SignedIn> {
    const email = input.email.trim().toLowerCase();
    const user = await this.#repository.findUserByEmail(this.kernel.db, email);
    // Verify against a dummy hash for unknown emails so the response time reveals nothing.
    const valid = await verifyPassword(user?.password_hash ?? (await DUMMY_HASH_PROMISE), input.password);
    if (!user || !valid) {
      await inTransaction(this.kernel.db, PLATFORM, (tx) =>
        this.kernel.audit.record(tx, {
          actor: { type: 'anonymous', id: 'anonymous', label: email },
          action: 'identity.sign_in.failed',
          target: { type: 'user', id: user?.id ?? 'unknown' },
          requestId: context.requestId,
          sourceIp: context.sourceIp,
        }),
      );
      throw new InvalidCredentialsError();
    }
    const now = this.kernel.clock.now();
    const sessionToken = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(24).toString('base64url');
    const expiresAt = new Date(now.getTime() + this.kernel.config.sessionTtlSeconds * 1000);
    const sessionId = newId('session');
    await inTransaction(this.kernel.db, PLATFORM, async (tx) => {
      await this.#repository.insertSession(tx, {
        id: sessionId,
        token_hash: tokenHash(sessionToken),
        csrf_token: csrfToken,
        user_id: user.id,
        created_at: now,
        expires_at: expiresAt,
        last_seen_at: now,
        revoked_at: null,
        user_agent: input.userAgent?.slice(0, 500) ?? null,
        source_ip: context.sourceIp,
      });
      await this.kernel.audit.record(tx, {
        actor: { type: 'user', id: user.id, label: user.email },
        action: 'identity.sign_in.succeeded',
        target: { type: 'session', id: sessionId },
        requestId: context.requestId,
        sourceIp: context.sourceIp,
      });
    });
    return { sessionToken, csrfToken, expiresAt, user: { id: user.id, email: user.email, platformRole: user.platform_role } };
  }

  async resolveSession(sessionToken: string): Promise<ResolvedSession | undefined> {
    const now = this.kernel.clock.now();
    const row = await this.#repository.findLiveSession(this.kernel.db, tokenHash(sessionToken), now);
    if (!row) return undefined;
    // last_seen_at is for the sessions list, not security: write it at most once a minute.
    if (now.getTime() - new Date(row.last_seen_at).getTime() > 60_000) await this.#repository.touchSession(this.kernel.db, row.id, now);
    return {
      principal: { userId: row.user_id, email: row.email, platformRole: row.platform_role, method: 'session', sessionId: row.id },
      csrfToken: row.csrf_token,
      expiresAt: new Date(row.expires_at),
    };
  }

  async signOut(context: RequestContext): Promise<void> {
    const principal = context.principal;
    if (!principal) return;
    await inTransaction(this.kernel.db, PLATFORM, async (tx) => {
      await this.#repository.revokeSession(tx, principal.sessionId, this.kernel.clock.now());
      await this.kernel.audit.record(tx, {
        actor: actorOf(context),
        action: 'identity.sign_out',
        target: { type: 'session', id: principal.sessionId },
        requestId: context.requestId,
        sourceIp: context.sourceIp,
      });
    });
  }
}
