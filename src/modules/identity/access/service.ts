// Who may do what inside a tenant: its members and their roles, the tenant's custom roles (named
// sets of policy statements), and explanations of decisions. Removing a member ends their sessions
// working in that tenant at once; role changes apply from the next request.
import { identityEvent } from '../events.js';
import { isIP } from 'node:net';
import type { Kernel } from '../../../kernel/kernel.js';
import type { Tx } from '../../../kernel/db/database.js';
import { newId } from '../../../kernel/ids.js';
import { ConflictError, NotFoundError, ValidationError } from '../../../kernel/errors.js';
import type { RequestContext } from '../../../kernel/context.js';
import { decide, explain, resourceName, PLATFORM, type Action } from '../../../kernel/authz/authorize.js';
import { callerScope, defineDecision, defineUseCase, type RecordedChange, type UseCase, type UseCaseRun } from '../../../kernel/use-case.js';
import { isPlatformOnly } from '../../../kernel/authz/platform-actions.js';
import { validatePolicy, type Decision, type Statement } from '../../../kernel/authz/policy.js';
import { isUniqueViolation } from '../../../kernel/db/errors.js';
import { IdentityRepository, type RoleRow } from '../accounts/repository.js';
import { BUILTIN_ROLE_DESCRIPTIONS, TENANT_ROLE_POLICIES, TENANT_ROLES, PARTNER_ROLES, isBuiltinRole, type BuiltinRole } from './builtin-roles.js';
import type { TenantDirectory } from '../accounts/service.js';
import type { RouteAction } from '../../../kernel/api/routes.js';
import { authorizeBeforehand } from '../use-cases.js';

export interface Member {
  userId: string;
  email: string;
  /** The display name the person chose; null until they do. */
  name: string | null;
  role: string;
  joinedAt: string;
}

export interface ActionEntry {
  action: string;
  /** An operator's decision: only platform roles are ever allowed it, whatever a tenant role says. */
  platformOnly: boolean;
  /** The operations that need it, e.g. `GET /api/v1/tenants/{id}/members`. */
  operations: { method: string; path: string; summary: string | null }[];
}

export interface Permission {
  action: string;
  /** What it was decided on (`prn:<active tenant>:<type>/*`); null without an active tenant. */
  resource: string | null;
  allowed: boolean;
}

/** `identity:member.list` → `member`: the resource type a tenant action works on. */
export function resourceTypeOf(action: string): string {
  const rest = action.slice(action.indexOf(':') + 1);
  const dot = rest.indexOf('.');
  return dot === -1 ? rest : rest.slice(0, dot);
}

export interface RoleView {
  id: string;
  name: string;
  description: string;
  builtin: boolean;
  statements: Statement[];
}

const OWNER = 'owner';
/** The caller's own account: what the questions about their own permissions are decided on. */
const ownAccount = (_input: unknown, context: RequestContext) => resourceName(PLATFORM, 'user', context.principal?.userId ?? '');

/**
 * A use case on one tenant's members or roles: decided on `prn:<tenant>:<type>/<id or *>`, run in
 * the tenant's scope (staff: across tenants), its changes audited on the tenant's chain.
 */
function tenantUseCase<I extends { tenantId: string }, O>(name: string, action: Action, resource: (input: I) => string, run: (run: UseCaseRun<I>) => Promise<O>): UseCase<I, O> {
  return defineUseCase<I, O>({ name, access: { action }, resource, scope: (input, context) => callerScope(context, input.tenantId), run });
}

/** A change in a tenant, audited on its chain and announced to it under the audit action's name. */
function tenantChange(tenantId: string, action: string, target: { type: string; id: string }, payload: Record<string, unknown>, before?: unknown, after?: unknown): RecordedChange {
  return { tenantId, target, before, after, event: { contract: identityEvent(action), payload } };
}

function builtinView(name: BuiltinRole): RoleView {
  return { id: name, name, description: BUILTIN_ROLE_DESCRIPTIONS[name], builtin: true, statements: TENANT_ROLE_POLICIES[name] };
}

function customView(row: RoleRow): RoleView {
  return { id: row.id, name: row.name, description: row.description, builtin: false, statements: row.statements };
}

export class AccessService {
  readonly #repository = new IdentityRepository();

  constructor(
    private readonly kernel: Pick<Kernel, 'clock' | 'useCases'>,
    private readonly tenants: TenantDirectory,
  ) {}

  readonly useCases = {
    listMembers: tenantUseCase<{ tenantId: string }, Member[]>('identity.list-members', 'identity:member.list', ({ tenantId }) => resourceName(tenantId, 'member', '*'), async ({ tx, input }) => {
      const rows = await this.#repository.listMembers(tx, input.tenantId);
      return rows.map((r) => ({ userId: r.user_id, email: r.email, name: r.display_name ?? null, role: r.role, joinedAt: new Date(r.created_at).toISOString() }));
    }),
    attachMember: tenantUseCase<{ tenantId: string; email: string; role: string }, Member>('identity.attach-member', 'identity:member.attach', ({ tenantId }) => resourceName(tenantId, 'member', '*'), async ({ tx, input, record }) => {
      const { tenantId } = input;
      const user = await this.#repository.findUserByEmail(tx, input.email.trim().toLowerCase());
      if (!user) throw new ValidationError('No account has that email; invite the person instead.', [{ pointer: '/email', message: 'has no account' }]);
      if (user.platform_role) throw new ValidationError('Platform staff do not join tenants; they reach every tenant through their platform role.', [{ pointer: '/email', message: 'is a staff account' }]);
      await this.#assertRoleExists(tx, tenantId, input.role);
      if (await this.#repository.findMembership(tx, tenantId, user.id)) throw new ConflictError('That person is already a member of this tenant.');
      const now = this.kernel.clock.now();
      await this.#repository.insertMembership(tx, { tenant_id: tenantId, user_id: user.id, role: input.role, created_at: now });
      record(tenantChange(tenantId, 'identity.member.added', { type: 'user', id: user.id }, { userId: user.id, role: input.role }, undefined, { role: input.role }));
      return { userId: user.id, email: user.email, name: user.display_name ?? null, role: input.role, joinedAt: now.toISOString() };
    }),
    changeRole: tenantUseCase<{ tenantId: string; userId: string; role: string }, Member>('identity.change-member-role', 'identity:member.update', ({ tenantId, userId }) => resourceName(tenantId, 'member', userId), async ({ tx, input, record }) => {
      const { tenantId, userId, role } = input;
      const current = await this.#repository.findMembership(tx, tenantId, userId);
      if (!current) throw new NotFoundError('Member', userId);
      await this.#assertRoleExists(tx, tenantId, role);
      if (current.role === OWNER && role !== OWNER && (await this.#repository.lockOwnersAndCount(tx, tenantId)) <= 1) {
        throw new ConflictError('A tenant keeps at least one owner: make someone else owner first.');
      }
      await this.#repository.updateMembershipRole(tx, tenantId, userId, role);
      record(tenantChange(tenantId, 'identity.member.role_changed', { type: 'user', id: userId }, { userId, previousRole: current.role, role }, { role: current.role }, { role }));
      const user = await this.#repository.findUser(tx, userId);
      return { userId, email: user?.email ?? '', name: user?.display_name ?? null, role, joinedAt: new Date(current.created_at).toISOString() };
    }),
    removeMember: tenantUseCase<{ tenantId: string; userId: string }, void>('identity.remove-member', 'identity:member.delete', ({ tenantId, userId }) => resourceName(tenantId, 'member', userId), async ({ tx, input, record }) => {
      const { tenantId, userId } = input;
      const current = await this.#repository.findMembership(tx, tenantId, userId);
      if (!current) throw new NotFoundError('Member', userId);
      if (current.role === OWNER && (await this.#repository.lockOwnersAndCount(tx, tenantId)) <= 1) {
        throw new ConflictError('The last owner cannot be removed: make someone else owner first.');
      }
      await this.#repository.deleteMembership(tx, tenantId, userId);
      const ended = await this.#repository.revokeSessionsInTenant(tx, userId, tenantId, this.kernel.clock.now());
      record(tenantChange(tenantId, 'identity.member.removed', { type: 'user', id: userId }, { userId, role: current.role }, { role: current.role }, { sessionsEnded: ended }));
    }),
    listRoles: tenantUseCase<{ tenantId: string }, RoleRow[]>('identity.list-roles', 'identity:role.list', ({ tenantId }) => resourceName(tenantId, 'role', '*'), ({ tx, input }) => this.#repository.listRoles(tx, input.tenantId)),
    createRole: tenantUseCase<{ tenantId: string; row: RoleRow }, void>('identity.create-role', 'identity:role.create', ({ tenantId }) => resourceName(tenantId, 'role', '*'), async ({ tx, input, record }) => {
      const { tenantId, row } = input;
      await this.#repository.insertRole(tx, row);
      record(tenantChange(tenantId, 'identity.role.created', { type: 'role', id: row.id }, { roleId: row.id, name: row.name }, undefined, customView(row)));
    }),
    updateRole: tenantUseCase<{ tenantId: string; roleId: string; name: string; description?: string; statements: Statement[] }, RoleView>(
      'identity.update-role',
      'identity:role.update',
      ({ tenantId, roleId }) => resourceName(tenantId, 'role', roleId),
      async ({ tx, input, record }) => {
        const { tenantId, roleId } = input;
        const current = await this.#repository.findRole(tx, tenantId, roleId);
        if (!current) throw new NotFoundError('Role', roleId);
        const next: RoleRow = { ...current, name: input.name, description: input.description ?? current.description, statements: input.statements, updated_at: this.kernel.clock.now() };
        await this.#repository.updateRole(tx, next);
        record(tenantChange(tenantId, 'identity.role.updated', { type: 'role', id: roleId }, { roleId, name: next.name }, customView(current), customView(next)));
        return customView(next);
      },
    ),
    deleteRole: tenantUseCase<{ tenantId: string; roleId: string }, void>('identity.delete-role', 'identity:role.delete', ({ tenantId, roleId }) => resourceName(tenantId, 'role', roleId), async ({ tx, input, record }) => {
      const { tenantId, roleId } = input;
      const current = await this.#repository.findRole(tx, tenantId, roleId);
      if (!current) throw new NotFoundError('Role', roleId);
      const holders = await this.#repository.countMembersWithRole(tx, tenantId, roleId);
      if (holders > 0) throw new ConflictError(`${holders} member(s) still have this role: give them another role first.`);
      await this.#repository.deleteRole(tx, tenantId, roleId);
      record(tenantChange(tenantId, 'identity.role.deleted', { type: 'role', id: roleId }, { roleId, name: current.name }, customView(current)));
    }),

    // Decided without data (no transaction): questions about policies and the caller's own permissions.
    /**
     * How a draft policy would decide one request in this tenant, before it is saved as a role: only
     * the draft's statements count (not the caller's own policies), with `${tenant}` bound to this
     * tenant and the MFA and source address the caller states.
     */
    simulate: defineDecision<{ tenantId: string; statements: Statement[]; action: Action; resource: string; mfa?: boolean; sourceIp?: string }, Decision>({
      name: 'identity.simulate-policy',
      action: 'identity:role.simulate',
      resource: ({ tenantId }) => resourceName(tenantId, 'role', '*'),
      decide: (input, context) => {
        const statements = this.#validated(input.tenantId, { name: 'draft', statements: input.statements });
        const sourceIp = input.sourceIp ?? context.sourceIp;
        if (input.sourceIp !== undefined && isIP(input.sourceIp) === 0) throw new ValidationError('The source address is not an IP address.', [{ pointer: '/sourceIp', message: 'must be an IPv4 or IPv6 address' }]);
        return decide([{ name: 'draft', statements }], { action: input.action, resource: input.resource, context: { mfa: input.mfa ?? false, sourceIp }, variables: { tenant: input.tenantId } });
      },
    }),
    /**
     * Which of these actions the caller may perform in the tenant they work in, each decided by the
     * policy engine on all resources of the action's type there (what a list or create needs). The
     * web apps show or hide tenant administration by this, so the server stays the one authority.
     */
    permissions: defineDecision<Action[], { tenantId: string | null; data: Permission[] }>({
      name: 'identity.list-own-permissions',
      action: 'identity:self.permissions.read',
      resource: ownAccount,
      decide: (actions, context) => {
        const tenantId = context.principal?.tenantId ?? null;
        const data = [...new Set(actions)].map((action) => {
          if (tenantId === null) return { action, resource: null, allowed: false };
          const resource = resourceName(tenantId, resourceTypeOf(action), '*');
          return { action, resource, allowed: explain(context, action, resource).allowed };
        });
        return { tenantId, data };
      },
    }),
    /** Every action a route declares, with its operations: the vocabulary of policy statements. */
    actionCatalogue: defineDecision<readonly RouteAction[], ActionEntry[]>({
      name: 'identity.list-actions',
      action: 'identity:action.list',
      resource: (_routes, context) => resourceName(context.principal?.tenantId ?? PLATFORM, 'action', '*'),
      decide: (routes) => {
        const byAction = new Map<string, ActionEntry>();
        for (const route of routes) {
          // HEAD twins of GET routes add nothing a policy author needs.
          if (route.action === null || route.public || route.method === 'HEAD') continue;
          const entry = byAction.get(route.action) ?? { action: route.action, platformOnly: isPlatformOnly(route.action), operations: [] };
          entry.operations.push({ method: route.method, path: route.url.replace(/:(\w+)/g, '{$1}'), summary: route.summary });
          byAction.set(route.action, entry);
        }
        return [...byAction.values()].sort((a, b) => a.action.localeCompare(b.action));
      },
    }),
    /** Why the caller may or may not perform an action on a resource: the matching statements. */
    explain: defineDecision<{ action: Action; resource: string }, Decision>({
      name: 'identity.explain-decision',
      action: 'identity:self.explain',
      resource: ownAccount,
      decide: (input, context) => explain(context, input.action, input.resource),
    }),
  };

  /** A role id must be built-in or one of this tenant's custom roles. */
  async #assertRoleExists(tx: Tx, tenantId: string, role: string): Promise<void> {
    if (isBuiltinRole(role)) return;
    if (!(await this.#repository.findRole(tx, tenantId, role))) {
      throw new ValidationError('No such role in this tenant.', [{ pointer: '/role', message: `must be one of ${[...TENANT_ROLES, ...PARTNER_ROLES].join(', ')} or a custom role id` }]);
    }
  }

  // --- members -----------------------------------------------------------------------------------
  async listMembers(tenantId: string, context: RequestContext): Promise<Member[]> {
    return this.kernel.useCases.run(this.useCases.listMembers, context, { tenantId });
  }

  /**
   * Makes an existing account a member at once, without asking the person: for the server's console
   * only (`platforma member add`; no HTTP route). Over the API people join a tenant by accepting
   * an invitation, signed in as themselves, so no tenant can attach someone (and impose its
   * authentication policy on them) without their consent. Staff accounts never join tenants.
   */
  async attachMember(tenantId: string, input: { email: string; role: string }, context: RequestContext): Promise<Member> {
    const attach = { tenantId, ...input };
    authorizeBeforehand(this.useCases.attachMember, context, attach);
    if ((await this.tenants.profileOf(tenantId)) === null) throw new NotFoundError('Tenant', tenantId);
    return this.kernel.useCases.run(this.useCases.attachMember, context, attach);
  }

  async changeRole(tenantId: string, userId: string, role: string, context: RequestContext): Promise<Member> {
    return this.kernel.useCases.run(this.useCases.changeRole, context, { tenantId, userId, role });
  }

  async removeMember(tenantId: string, userId: string, context: RequestContext): Promise<void> {
    await this.kernel.useCases.run(this.useCases.removeMember, context, { tenantId, userId });
  }

  // --- roles -------------------------------------------------------------------------------------
  async listRoles(tenantId: string, context: RequestContext): Promise<RoleView[]> {
    const custom = await this.kernel.useCases.run(this.useCases.listRoles, context, { tenantId });
    return [...TENANT_ROLES.map(builtinView), ...custom.map(customView)];
  }

  #validated(tenantId: string, input: { name: string; statements: Statement[] }): Statement[] {
    if (isBuiltinRole(input.name)) throw new ValidationError('That name belongs to a built-in role.', [{ pointer: '/name', message: 'is reserved' }]);
    const problems = validatePolicy({ name: input.name, statements: input.statements });
    // A tenant's role may only speak about that tenant: its own id, or ${tenant}.
    input.statements.forEach((statement, i) =>
      statement.resources.forEach((resource, j) => {
        const tenantSegment = resource.split(':')[1];
        if (tenantSegment !== tenantId && tenantSegment !== '${tenant}') problems.push(`/statements/${i}/resources/${j}: must name this tenant (${tenantId}) or \${tenant}`);
      }),
    );
    // Naming an operator's decision outright would show a grant that never works (wildcards may
    // cover them: the engine leaves those to platform roles whatever a tenant role says).
    input.statements.forEach((statement, i) =>
      statement.actions.forEach((action, j) => {
        if (statement.effect === 'allow' && !action.includes('*') && isPlatformOnly(action)) problems.push(`/statements/${i}/actions/${j}: is the operator’s decision; no tenant role can be granted it`);
      }),
    );
    if (problems.length > 0) {
      throw new ValidationError('The role’s policy is not valid.', problems.map((p) => ({ pointer: p.slice(0, p.indexOf(':')), message: p.slice(p.indexOf(':') + 2) })));
    }
    return input.statements;
  }

  async createRole(tenantId: string, input: { name: string; description?: string; statements: Statement[] }, context: RequestContext): Promise<RoleView> {
    authorizeBeforehand(this.useCases.createRole, context, { tenantId });
    const statements = this.#validated(tenantId, input);
    const now = this.kernel.clock.now();
    const row: RoleRow = { tenant_id: tenantId, id: newId('role'), name: input.name, description: input.description ?? '', statements, created_at: now, updated_at: now };
    try {
      await this.kernel.useCases.run(this.useCases.createRole, context, { tenantId, row });
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictError(`A role named ${input.name} exists already.`, { errors: [{ pointer: '/name', message: 'is taken' }] });
      throw error;
    }
    return customView(row);
  }

  async updateRole(tenantId: string, roleId: string, input: { name: string; description?: string; statements: Statement[] }, context: RequestContext): Promise<RoleView> {
    const update = { tenantId, roleId, ...input };
    authorizeBeforehand(this.useCases.updateRole, context, update);
    const statements = this.#validated(tenantId, input);
    return this.kernel.useCases.run(this.useCases.updateRole, context, { ...update, statements });
  }

  async deleteRole(tenantId: string, roleId: string, context: RequestContext): Promise<void> {
    await this.kernel.useCases.run(this.useCases.deleteRole, context, { tenantId, roleId });
  }

  // --- decisions -------------------------------------------------------------------------------
  simulate(tenantId: string, input: { statements: Statement[]; action: Action; resource: string; mfa?: boolean; sourceIp?: string }, context: RequestContext): Decision {
    return this.kernel.useCases.decide(this.useCases.simulate, context, { tenantId, ...input });
  }

  permissions(actions: Action[], context: RequestContext): { tenantId: string | null; data: Permission[] } {
    return this.kernel.useCases.decide(this.useCases.permissions, context, actions);
  }

  actionCatalogue(routes: readonly RouteAction[], context: RequestContext): ActionEntry[] {
    return this.kernel.useCases.decide(this.useCases.actionCatalogue, context, routes);
  }

  explain(action: Action, resource: string, context: RequestContext): Decision {
    return this.kernel.useCases.decide(this.useCases.explain, context, { action, resource });
  }
}
