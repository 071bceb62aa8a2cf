// Impersonation: platform staff (support, platform-admin) act as a tenant user to see what they
// see, with a stated reason and for a limited time. It rides on the staff member's own session, so
// ending it returns them to themselves. Starting and ending are audited on both sides (the
// platform chain for the staff member, the tenant's chain for the tenant); every entry written in
// between names the impersonator. What it can never do — touch the user's credentials — is refused
// by authorize() for every impersonated principal (DENIED_WHILE_IMPERSONATING).
import { identityEvent } from '../events.js';
import type { Kernel } from '../../../kernel/kernel.js';
import { newId } from '../../../kernel/ids.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../../../kernel/errors.js';
import type { RequestContext } from '../../../kernel/context.js';
import type { Actor } from '../../../kernel/audit.js';
import { isPlatformStaff, resourceName, PLATFORM } from '../../../kernel/authz/authorize.js';
import { defineUseCase, SYSTEM_SCOPE, type RecordedChange } from '../../../kernel/use-case.js';
import { IdentityRepository } from '../accounts/repository.js';
import { ImpersonationRepository, type ImpersonationRow } from './impersonation-repository.js';
import { authorizeBeforehand } from '../use-cases.js';

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

/**
 * An impersonation starting or ending, audited on both sides (the platform chain for the staff
 * member, the tenant's chain for the tenant) and announced on both: to the tenant, and to the platform.
 */
function bothSides(action: string, row: ImpersonationRow, after: Record<string, unknown>, actor?: Actor): RecordedChange[] {
  const change = {
    ...(actor ? { actor } : {}),
    target: { type: 'user', id: row.user_id },
    after: { impersonationId: row.id, ...after },
    event: { contract: identityEvent(action), payload: { impersonationId: row.id, userId: row.user_id, staffUserId: row.staff_user_id } },
  };
  return [change, { ...change, tenantId: row.tenant_id }];
}

// Impersonations ride on staff sessions: identity's platform-level bookkeeping, across tenants.
const ACCOUNTS = () => SYSTEM_SCOPE.scope;

export class ImpersonationService {
  readonly #identity = new IdentityRepository();
  readonly #repository = new ImpersonationRepository();

  constructor(private readonly kernel: Pick<Kernel, 'clock' | 'useCases'>) {}

  readonly useCases = {
    start: defineUseCase<{ userId: string; tenantId: string; reason: string }, Impersonation>({
      name: 'identity.start-impersonation',
      access: { action: 'identity:impersonation.start' },
      // A platform resource: tenant roles (even an owner's "everything in the tenant") never reach it.
      resource: (input) => resourceName(PLATFORM, 'user', input.userId),
      scope: ACCOUNTS,
      run: async ({ tx, input, context, record }) => {
        const staff = context.principal!;
        const { reason } = input;
        const now = this.kernel.clock.now();
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
        bothSides('identity.impersonation.started', row, { tenantId: row.tenant_id, reason, expiresAt: row.expires_at.toISOString() }).forEach(record);
        return { id: row.id, userId: user.id, userEmail: user.email, tenantId: row.tenant_id, reason, startedAt: now.toISOString(), expiresAt: row.expires_at.toISOString() };
      },
    }),
    /** Ends the impersonation the caller's session is in; the session is the staff member's again. */
    endCurrent: defineUseCase<void, void>({
      name: 'identity.end-impersonation',
      access: { action: 'identity:impersonation.end' },
      resource: (_input, context) => resourceName(PLATFORM, 'impersonation', context.principal?.impersonator?.impersonationId ?? 'current'),
      scope: ACCOUNTS,
      run: async ({ tx, context, record }) => {
        const impersonator = context.principal!.impersonator!;
        const now = this.kernel.clock.now();
        const row = await this.#repository.findLive(tx, impersonator.impersonationId, now);
        if (!row) throw new NotFoundError('Impersonation', impersonator.impersonationId);
        await this.#repository.end(tx, row.id, now);
        await this.#repository.setSessionImpersonation(tx, row.session_id, null);
        // The staff member ends it, as themselves.
        const staff: Actor = { type: 'user', id: impersonator.userId, label: impersonator.email };
        bothSides('identity.impersonation.ended', row, { tenantId: row.tenant_id }, staff).forEach(record);
      },
    }),
  };

  async start(input: { userId: string; tenantId: string; reason: string }, context: RequestContext): Promise<Impersonation> {
    authorizeBeforehand(this.useCases.start, context, input);
    if (!context.principal || !isPlatformStaff(context)) throw new ForbiddenError('Only platform staff can impersonate.');
    if (!context.principal.sessionId) throw new ValidationError('Impersonation needs a signed-in session; a bearer credential cannot impersonate.');
    const reason = input.reason.trim();
    if (reason.length < 3) throw new ValidationError('State why you impersonate this person.', [{ pointer: '/reason', message: 'must say why (at least 3 characters)' }]);
    return this.kernel.useCases.run(this.useCases.start, context, { ...input, reason });
  }

  async endCurrent(context: RequestContext): Promise<void> {
    if (!context.principal?.impersonator) throw new NotFoundError('Impersonation', 'current');
    await this.kernel.useCases.run(this.useCases.endCurrent, context, undefined);
  }
}
