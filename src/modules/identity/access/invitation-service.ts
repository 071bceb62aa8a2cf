// Invitations: a tenant owner or admin invites an email address with a role; the person gets an
// expiring, single-use link. Accepting it creates their account (the link proves the inbox, so the
// email counts as verified) or, for an existing account, adds the membership after checking its
// password. Everything about one acceptance happens in one transaction.
import { identityEvent } from '../events.js';
import { createHash, randomBytes } from 'node:crypto';
import type { Kernel } from '../../../kernel/kernel.js';
import type { Mailer } from '../../notifications/index.js';
import { inTransaction, type Tx } from '../../../kernel/db/database.js';
import { newId } from '../../../kernel/ids.js';
import { ConflictError, ForbiddenError, NotFoundError, TenantNotActiveError, ValidationError } from '../../../kernel/errors.js';
import { InvalidCredentialsError } from '../errors.js';
import type { RequestContext } from '../../../kernel/context.js';
import type { Actor } from '../../../kernel/audit.js';
import { resourceName, type Action } from '../../../kernel/authz/authorize.js';
import { callerScope, defineUseCase, SYSTEM_SCOPE, type RecordedChange, type UseCase, type UseCaseRun } from '../../../kernel/use-case.js';
import { isUniqueViolation } from '../../../kernel/db/errors.js';
import { IdentityRepository } from '../accounts/repository.js';
import { InvitationRepository, type InvitationRow } from './invitation-repository.js';
import { assertPasswordAcceptable, hashPassword, verifyPassword, DUMMY_HASH_PROMISE } from '../accounts/passwords.js';
import { isBuiltinRole } from './builtin-roles.js';
import { tenantNames, type TenantDirectory } from '../accounts/service.js';
import { rulesFor, type TenantAuthenticationSource } from '../accounts/authentication-rules.js';
import type { SignInThrottle } from '../accounts/sign-in-throttle.js';
import { authorizeBeforehand } from '../use-cases.js';

export const INVITATION_LIFETIME_DAYS = 7;

export interface InvitationView {
  id: string;
  email: string;
  role: string;
  status: 'open' | 'accepted' | 'revoked' | 'expired';
  /** The email (or label) the invitation was sent under. */
  invitedBy: string;
  /** The inviter's display name, when a person with one invited. */
  invitedByName: string | null;
  createdAt: string;
  expiresAt: string;
  /** When the link was last mailed (the creation, or the latest resend). */
  lastSentAt: string;
  /** How many times the link was mailed (1 + resends). */
  sendCount: number;
}

export interface InvitationPreview {
  tenantId: string;
  organizationName: string;
  email: string;
  role: string;
  /** True when the email already has an account: accepting then asks for its password. */
  accountExists: boolean;
  expiresAt: string;
}

const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');
// A token is looked up before its tenant is known: redemption runs across tenants.
const REDEEM = () => SYSTEM_SCOPE.scope;

/** A use case on a tenant's invitations: decided on `prn:<tenant>:invitation/<id or *>`, run in the tenant's scope (staff: across tenants). */
function tenantUseCase<I extends { tenantId: string; invitationId?: string }, O>(name: string, action: Action, run: (run: UseCaseRun<I>) => Promise<O>): UseCase<I, O> {
  return defineUseCase<I, O>({
    name,
    access: { action },
    resource: (input) => resourceName(input.tenantId, 'invitation', input.invitationId ?? '*'),
    scope: (input, context) => callerScope(context, input.tenantId),
    run,
  });
}

/** A change to an invitation, audited on its tenant's chain and announced to the tenant under the audit action's name. */
function invitationChange(action: string, row: { tenant_id: string; id: string; email: string; role: string }, audited: { before?: unknown; after?: unknown; actor?: Actor }): RecordedChange {
  return { tenantId: row.tenant_id, target: { type: 'invitation', id: row.id }, ...audited, event: { contract: identityEvent(action), payload: { invitationId: row.id, email: row.email, role: row.role } } };
}

export class InvitationService {
  readonly #invitations = new InvitationRepository();
  readonly #identity = new IdentityRepository();

  constructor(
    private readonly kernel: Pick<Kernel, 'config' | 'clock' | 'db' | 'useCases'>,
    private readonly tenants: TenantDirectory,
    private readonly authentication: TenantAuthenticationSource,
    private readonly mailer: Mailer,
    private readonly throttle: SignInThrottle,
  ) {}

  readonly useCases = {
    invite: tenantUseCase<{ tenantId: string; organizationName: string; email: string; role: string }, InvitationView>('identity.invite', 'identity:invitation.create', ({ tx, input, context, record }) =>
      this.#invite(tx, input.tenantId, input.organizationName, input, context, record),
    ),
    resend: tenantUseCase<{ tenantId: string; invitationId: string; organizationName: string }, InvitationView>('identity.resend-invitation', 'identity:invitation.resend', ({ tx, input, record }) =>
      this.#resend(tx, input.tenantId, input.invitationId, input.organizationName, record),
    ),
    list: tenantUseCase<{ tenantId: string }, InvitationView[]>('identity.list-invitations', 'identity:invitation.list', async ({ tx, input }) => {
      const rows = await this.#invitations.list(tx, input.tenantId);
      return rows.map((row) => this.#view(row, row.invited_by_name ?? null));
    }),
    revoke: tenantUseCase<{ tenantId: string; invitationId: string }, void>('identity.revoke-invitation', 'identity:invitation.delete', async ({ tx, input, record }) => {
      const { tenantId, invitationId } = input;
      const row = await this.#invitations.find(tx, tenantId, invitationId);
      if (!row) throw new NotFoundError('Invitation', invitationId);
      if (!(await this.#invitations.revoke(tx, tenantId, invitationId, this.kernel.clock.now()))) throw new ConflictError(`The invitation is ${this.#status(row)}; only open invitations can be revoked.`);
      record(invitationChange('identity.invitation.revoked', row, { before: { email: row.email, role: row.role } }));
    }),
    /** Anyone holding the link may accept: the link is the permission, the account's password (or the new one) the proof. */
    accept: defineUseCase<{ token: string; invitationId: string; userId: string | null; passwordHash: string; passwordHashSeen: string | null }, { userId: string; tenantId: string; accountCreated: boolean }>({
      name: 'identity.accept-invitation',
      access: { public: true },
      scope: REDEEM,
      run: ({ tx, input, record }) => this.#accept(tx, input, record),
    }),
  };

  #status(row: InvitationRow): InvitationView['status'] {
    return row.accepted_at ? 'accepted' : row.revoked_at ? 'revoked' : new Date(row.expires_at) <= this.kernel.clock.now() ? 'expired' : 'open';
  }

  #view(row: InvitationRow, invitedByName: string | null = null): InvitationView {
    return {
      id: row.id,
      email: row.email,
      role: row.role,
      status: this.#status(row),
      invitedBy: row.invited_by,
      invitedByName,
      createdAt: new Date(row.created_at).toISOString(),
      expiresAt: new Date(row.expires_at).toISOString(),
      lastSentAt: new Date(row.last_sent_at).toISOString(),
      sendCount: row.send_count,
    };
  }

  async invite(tenantId: string, input: { email: string; role: string }, context: RequestContext): Promise<InvitationView> {
    authorizeBeforehand(this.useCases.invite, context, { tenantId });
    const names = await tenantNames(this.tenants, [tenantId]);
    const organizationName = names.get(tenantId);
    if (!organizationName) throw new NotFoundError('Tenant', tenantId);
    return this.kernel.useCases.run(this.useCases.invite, context, { tenantId, organizationName, ...input });
  }

  /**
   * A new tenant's administrator (tenant.created names them) is invited to become its owner, by the
   * operator who created it: the first person in, through the same consent as everyone after.
   */
  async inviteFirstOwner(tx: Tx, event: { tenantId: string; adminEmail: string; organizationName: string; actorId: string | null; requestId: string | null }): Promise<void> {
    const context: RequestContext = { principal: null, requestId: event.requestId ?? 'tenant.created', sourceIp: 'local' };
    const operator = event.actorId ? await this.#identity.findUser(tx, event.actorId) : undefined;
    const invitedBy = { label: operator?.email ?? 'the operator', userId: operator?.id ?? null };
    const actor: Actor = { type: 'system', id: 'tenant-created', label: `on behalf of ${invitedBy.label}` };
    const changes: RecordedChange[] = [];
    await this.#invite(tx, event.tenantId, event.organizationName, { email: event.adminEmail, role: 'owner' }, context, (change) => changes.push({ ...change, actor }), invitedBy);
    await this.kernel.useCases.record(tx, context, changes);
  }

  async #invite(
    tx: Tx,
    tenantId: string,
    organizationName: string,
    input: { email: string; role: string },
    context: RequestContext,
    record: (change: RecordedChange) => void,
    invitedBy?: { label: string; userId: string | null },
  ): Promise<InvitationView> {
    const email = input.email.trim().toLowerCase();
    const token = randomBytes(32).toString('base64url');
    const now = this.kernel.clock.now();
    const row: InvitationRow = {
      tenant_id: tenantId,
      id: newId('invitation'),
      email,
      role: input.role,
      token_hash: tokenHash(token),
      invited_by: invitedBy?.label ?? context.principal?.email ?? 'system',
      // The same person the mail names (under impersonation, the user acted as; the audit names both).
      invited_by_user_id: invitedBy ? invitedBy.userId : (context.principal?.userId ?? null),
      created_at: now,
      expires_at: new Date(now.getTime() + INVITATION_LIFETIME_DAYS * 86_400_000),
      last_sent_at: now,
      send_count: 1,
      accepted_at: null,
      accepted_by: null,
      revoked_at: null,
    };
    if (!isBuiltinRole(input.role) && !(await this.#identity.findRole(tx, tenantId, input.role))) {
      throw new ValidationError('No such role in this tenant.', [{ pointer: '/role', message: 'must be a built-in role or one of this tenant’s custom roles' }]);
    }
    const existing = await this.#identity.findUserByEmail(tx, email);
    if (existing && (await this.#identity.findMembership(tx, tenantId, existing.id))) throw new ConflictError(`${email} is already a member of this tenant.`);
    await this.#invitations.revokeOpen(tx, tenantId, email, now);
    await this.#invitations.insert(tx, row);
    await this.#mail(tx, row, organizationName, token);
    record(invitationChange('identity.invitation.created', row, { after: { email, role: input.role, expiresAt: row.expires_at.toISOString() } }));
    return this.#view(row, await this.#invitations.inviterName(tx, row.invited_by_user_id));
  }

  /** The invitation mail, queued in the transaction that stored the token's hash. */
  async #mail(tx: Tx, row: InvitationRow, organizationName: string, token: string): Promise<void> {
    const link = `${this.kernel.config.publicUrl}/portal/accept-invitation#token=${token}`;
    await this.mailer.enqueue(tx, {
      to: row.email,
      tenantId: row.tenant_id,
      purpose: 'identity.invitation',
      subject: `You are invited to ${organizationName} on Platforma`,
      text: [
        `${row.invited_by} invited you to join ${organizationName} as ${row.role}.`,
        '',
        `Accept the invitation: ${link}`,
        '',
        `The link works once and expires on ${new Date(row.expires_at).toUTCString()}. If you did not expect it, ignore this message.`,
        ...(row.send_count > 1 ? ['', 'This link replaces the one sent before, which no longer works.'] : []),
      ].join('\n'),
    });
  }

  /**
   * Mails an unanswered (open or expired) invitation again: a new token (the previous link stops
   * working, as only one hash is kept) and a new expiry, under the same invitation id. Accepted and
   * revoked invitations stay as they are (409): revoking means it, and inviting again is the way back.
   */
  async resend(tenantId: string, invitationId: string, context: RequestContext): Promise<InvitationView> {
    authorizeBeforehand(this.useCases.resend, context, { tenantId, invitationId });
    const organizationName = (await tenantNames(this.tenants, [tenantId])).get(tenantId);
    if (!organizationName) throw new NotFoundError('Tenant', tenantId);
    return this.kernel.useCases.run(this.useCases.resend, context, { tenantId, invitationId, organizationName });
  }

  async #resend(tx: Tx, tenantId: string, invitationId: string, organizationName: string, record: (change: RecordedChange) => void): Promise<InvitationView> {
    // Locked: two resends at once send one link after the other, never two links of which one is dead.
    const current = await this.#invitations.find(tx, tenantId, invitationId, true);
    if (!current) throw new NotFoundError('Invitation', invitationId);
    const status = this.#status(current);
    if (status === 'accepted' || status === 'revoked') throw new ConflictError(`The invitation is ${status}; only an open or expired invitation can be sent again. Invite the person anew instead.`);
    const person = await this.#identity.findUserByEmail(tx, current.email);
    if (person && (await this.#identity.findMembership(tx, tenantId, person.id))) throw new ConflictError(`${current.email} is already a member of this tenant.`);
    if (!isBuiltinRole(current.role) && !(await this.#identity.findRole(tx, tenantId, current.role))) {
      throw new ConflictError('The invitation’s role no longer exists in this tenant; revoke it and invite the person with another role.');
    }
    const token = randomBytes(32).toString('base64url');
    const now = this.kernel.clock.now();
    const resent = await this.#invitations.resend(tx, tenantId, invitationId, { tokenHash: tokenHash(token), expiresAt: new Date(now.getTime() + INVITATION_LIFETIME_DAYS * 86_400_000), at: now });
    if (!resent) throw new ConflictError('The invitation was accepted or revoked meanwhile.');
    await this.#mail(tx, resent, organizationName, token);
    record(
      invitationChange('identity.invitation.resent', resent, {
        before: { status, expiresAt: new Date(current.expires_at).toISOString() },
        after: { email: resent.email, role: resent.role, expiresAt: new Date(resent.expires_at).toISOString(), sendCount: resent.send_count },
      }),
    );
    return this.#view(resent, await this.#invitations.inviterName(tx, resent.invited_by_user_id));
  }

  async list(tenantId: string, context: RequestContext): Promise<InvitationView[]> {
    return this.kernel.useCases.run(this.useCases.list, context, { tenantId });
  }

  async revoke(tenantId: string, invitationId: string, context: RequestContext): Promise<void> {
    await this.kernel.useCases.run(this.useCases.revoke, context, { tenantId, invitationId });
  }

  /** An open invitation behind a token, or a NotFoundError that does not say which check failed. */
  async #open(tx: Tx, token: string, forUpdate: boolean): Promise<InvitationRow> {
    const row = await this.#invitations.findByTokenHash(tx, tokenHash(token), forUpdate);
    if (!row || this.#status(row) !== 'open') throw new NotFoundError('Invitation', 'behind this link (it may be used, revoked or expired)');
    return row;
  }

  async preview(token: string): Promise<InvitationPreview> {
    const found = await inTransaction(this.kernel.db, SYSTEM_SCOPE, async (tx) => {
      const row = await this.#open(tx, token, false);
      return { row, accountExists: (await this.#identity.findUserByEmail(tx, row.email)) !== undefined };
    });
    // The tenant's name comes from the tenants module's own transaction, after ours has ended.
    const names = await tenantNames(this.tenants, [found.row.tenant_id]);
    return {
      tenantId: found.row.tenant_id,
      organizationName: names.get(found.row.tenant_id) ?? found.row.tenant_id,
      email: found.row.email,
      role: found.row.role,
      accountExists: found.accountExists,
      expiresAt: new Date(found.row.expires_at).toISOString(),
    };
  }

  /** Accepts with the new account's password, or the existing account's password. */
  async accept(input: { token: string; password: string }, context: RequestContext): Promise<{ userId: string; tenantId: string; accountCreated: boolean }> {
    const passwordHash = await hashPassword(input.password); // before the transaction: slow on purpose
    // Everything that needs another module or the throttle (each with its own connection) happens
    // between two transactions, never inside one: a request holding one pooled connection while
    // waiting for a second can starve the pool under load.
    const seen = await inTransaction(this.kernel.db, SYSTEM_SCOPE, async (tx) => {
      const row = await this.#open(tx, input.token, false);
      return { invitationId: row.id, tenantId: row.tenant_id, email: row.email, user: await this.#identity.findUserByEmail(tx, row.email) };
    });
    // Staff reach every tenant through their platform role; they never become a tenant's members.
    // Refused at acceptance, not at invitation: the inviter learns nothing about the address.
    if (seen.user?.platform_role) throw new ForbiddenError('Platform staff accounts do not join tenants.');
    // Joining is a change to the tenant: one being set up or working may take members, one the
    // operator suspended or terminated may not (an invitation sent before then included).
    const status = (await this.tenants.profileOf(seen.tenantId))?.status;
    if (status !== 'active' && status !== 'pending') throw new TenantNotActiveError(seen.tenantId, status ?? 'gone', 'it takes no new members until the operator reactivates it.');
    if (!seen.user) {
      // The new account belongs to the inviting tenant only: its password policy applies.
      const rules = rulesFor({ isStaff: false, tenants: await this.authentication.settingsOf([seen.tenantId]) });
      assertPasswordAcceptable(rules.passwordPolicy, input.password, seen.email, { subject: 'The password', pointer: '/password' });
    } else {
      // Checking an existing account's password here is a sign-in attempt: same throttle and lockout.
      await this.throttle.consumeSignIn(seen.user.email, context.sourceIp, async () => {});
      if (!(await verifyPassword(seen.user.password_hash ?? (await DUMMY_HASH_PROMISE), input.password)) || !seen.user.password_hash) throw new InvalidCredentialsError();
      await this.throttle.signInSucceeded(seen.user.email, context.sourceIp);
    }
    try {
      const accept = { token: input.token, invitationId: seen.invitationId, userId: seen.user?.id ?? null, passwordHash, passwordHashSeen: seen.user?.password_hash ?? null };
      return await this.kernel.useCases.run(this.useCases.accept, context, accept);
    } catch (error) {
      // Two acceptances of one link racing: the loser finds it used.
      if (isUniqueViolation(error)) throw new ConflictError('The invitation was just accepted.');
      throw error;
    }
  }

  async #accept(
    tx: Tx,
    input: { token: string; invitationId: string; userId: string | null; passwordHash: string; passwordHashSeen: string | null },
    record: (change: RecordedChange) => void,
  ): Promise<{ userId: string; tenantId: string; accountCreated: boolean }> {
    const row = await this.#open(tx, input.token, true);
    const now = this.kernel.clock.now();
    let user = await this.#identity.findUserByEmail(tx, row.email);
    // What was checked above must still hold now that the invitation is locked.
    if (row.id !== input.invitationId || (user?.id ?? null) !== input.userId || (user?.password_hash ?? null) !== input.passwordHashSeen) {
      throw new ConflictError('The invitation or the account changed meanwhile; open the link again.');
    }
    const accountCreated = user === undefined;
    if (!user) {
      user = { id: newId('user'), email: row.email, password_hash: input.passwordHash, platform_role: null, created_at: now, updated_at: now, email_verified_at: now, password_changed_at: now };
      await this.#identity.insertUser(tx, user);
    }
    if (await this.#identity.findMembership(tx, row.tenant_id, user.id)) throw new ConflictError('You are already a member of this tenant.');
    await this.#identity.insertMembership(tx, { tenant_id: row.tenant_id, user_id: user.id, role: row.role, created_at: now });
    await this.#invitations.markAccepted(tx, row.tenant_id, row.id, user.id, now);
    const actor = { type: 'user' as const, id: user.id, label: user.email };
    if (accountCreated) {
      record({ actor, target: { type: 'user', id: user.id }, after: { email: user.email, via: 'invitation' }, event: { contract: identityEvent('identity.user.created'), payload: { userId: user.id, platformRole: null } } });
    }
    record(invitationChange('identity.invitation.accepted', row, { actor, after: { userId: user.id, role: row.role, accountCreated } }));
    return { userId: user.id, tenantId: row.tenant_id, accountCreated };
  }
}
