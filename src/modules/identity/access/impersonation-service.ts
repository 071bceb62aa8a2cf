// Impersonation: platform staff (support, platform-admin) act as a tenant user to see what they
// see, with a stated reason and for a limited time. It rides on the staff member's own session, so
// ending it returns them to themselves. Starting and ending are audited on both sides (the
// platform chain for the staff member, the tenant's chain for the tenant); every entry written in
// between names the impersonator. What it can never do — touch the user's credentials — is refused
// by authorize() for every impersonated principal (DENIED_WHILE_IMPERSONATING).
import type { Kernel } from '../../../kernel/kernel.js';
import { inTransaction, type Tx } from '../../../kernel/db/database.js';
import { newId } from '../../../kernel/ids.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../../../kernel/errors.js';
import { actorOf, type RequestContext } from '../../../kernel/context.js';
import type { Actor } from '../../../kernel/audit.js';
import { publish } from '../../../kernel/outbox.js';
import { authorize, isPlatformStaff, resourceName, PLATFORM } from '../../../kernel/authz/authorize.js';
import { IdentityRepository } from '../accounts/repository.js';
import { ImpersonationRepository, type ImpersonationRow } from './impersonation-repository.js';

/** Long enough to reproduce a problem, short enough that a forgotten impersonation lapses. */
export const IMPERSONATION_TTL_SECONDS = 3600;

export interface Impersonation {
  id: string;
  userId: string;
  userEmail: string;
  tenantId: string;
  reason: string;
  startedAt: string;
  expiresAt: string;
}

const PLATFORM_SCOPE = { kind: 'platform' } as const;

export class ImpersonationService {
  readonly #identity = new IdentityRepository();
  readonly #repository = new ImpersonationRepository();

  constructor(private readonly kernel: Kernel) {}

  async #auditBothSides(tx: Tx, context: RequestContext, actor: Actor, action: string, row: ImpersonationRow, after: Record<string, unknown>): Promise<void> {
    const entry = { actor, action, target: { type: 'user', id: row.user_id }, after: { impersonationId: row.id, ...after }, requestId: context.requestId, sourceIp: context.sourceIp };
    await this.kernel.audit.record(tx, entry);
    await this.kernel.audit.record(tx, { ...entry, tenantId: row.tenant_id });
    await publish(tx, this.kernel.clock, { type: action, tenantId: row.tenant_id, payload: { impersonationId: row.id, userId: row.user_id, staffUserId: row.staff_user_id }, actorId: row.staff_user_id, requestId: context.requestId });
  }

  async start(input: { userId: string; tenantId: string; reason: string }, context: RequestContext): Promise<Impersonation> {
    // A platform resource: tenant roles (even an owner's "everything in the tenant") never reach it.
    authorize(context, 'identity:impersonation.start', resourceName(PLATFORM, 'user', input.userId));
    const staff = context.principal;
    if (!staff || !isPlatformStaff(context)) throw new ForbiddenError('Only platform staff can impersonate.');
    if (!staff.sessionId) throw new ValidationError('Impersonation needs a signed-in session; a bearer credential cannot impersonate.');
    const reason = input.reason.trim();
    if (reason.length < 3) throw new ValidationError('State why you impersonate this person.', [{ pointer: '/reason', message: 'must say why (at least 3 characters)' }]);
    const now = this.kernel.clock.now();
    return inTransaction(this.kernel.db, { scope: PLATFORM_SCOPE, actorId: staff.userId }, async (tx) => {
      const user = await this.#identity.findUser(tx, input.userId);
      const membership = user ? await this.#identity.findMembership(tx, input.tenantId, input.userId) : undefined;
      // Same answer for "no such user" and "not a member of that tenant".
      if (!user || !membership) throw new NotFoundError('Member', input.userId);
      if (user.platform_role) throw new ForbiddenError('Platform staff cannot be impersonated.');
      const row: ImpersonationRow = {
        tenant_id: input.tenantId,
        id: newId('impersonation'),
        staff_user_id: staff.userId,
        user_id: user.id,
        session_id: staff.sessionId as string,
        reason,
        started_at: now,
        expires_at: new Date(now.getTime() + IMPERSONATION_TTL_SECONDS * 1000),
        ended_at: null,
      };
      await this.#repository.insert(tx, row);
      await this.#repository.setSessionImpersonation(tx, row.session_id, row.id);
      await this.#auditBothSides(tx, context, actorOf(context), 'identity.impersonation.started', row, { tenantId: row.tenant_id, reason, expiresAt: row.expires_at.toISOString() });
      return { id: row.id, userId: user.id, userEmail: user.email, tenantId: row.tenant_id, reason, startedAt: now.toISOString(), expiresAt: row.expires_at.toISOString() };
    });
  }

  /** Ends the impersonation the caller's session is in; the session is the staff member's again. */
  async endCurrent(context: RequestContext): Promise<void> {
    const impersonator = context.principal?.impersonator;
    if (!impersonator) throw new NotFoundError('Impersonation', 'current');
    authorize(context, 'identity:impersonation.end', resourceName(PLATFORM, 'impersonation', impersonator.impersonationId));
    const now = this.kernel.clock.now();
    await inTransaction(this.kernel.db, { scope: PLATFORM_SCOPE, actorId: impersonator.userId }, async (tx) => {
      const row = await this.#repository.findLive(tx, impersonator.impersonationId, now);
      if (!row) throw new NotFoundError('Impersonation', impersonator.impersonationId);
      await this.#repository.end(tx, row.id, now);
      await this.#repository.setSessionImpersonation(tx, row.session_id, null);
      // The staff member ends it, as themselves.
      const staff: Actor = { type: 'user', id: impersonator.userId, label: impersonator.email };
      await this.#auditBothSides(tx, context, staff, 'identity.impersonation.ended', row, { tenantId: row.tenant_id });
    });
  }
}
