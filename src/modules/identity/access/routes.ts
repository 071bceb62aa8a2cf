// HTTP surface of tenant access: members, custom roles, and "why was this allowed or denied".
import { Type } from 'typebox';
import type { HttpApp } from '../../../kernel/api/routes.js';
import { StrictObject, Id, NoContent, responses, named } from '../../../kernel/api/schemas.js';
import { requestContext } from '../../../kernel/api/routes.js';
import type { Action } from '../../../kernel/authz/authorize.js';
import type { AccessService } from './service.js';

const tags = ['access'];
const TenantParams = StrictObject({ id: Id('tenant') });
const MemberParams = StrictObject({ id: Id('tenant'), userId: Id('user') });
const RoleParams = StrictObject({ id: Id('tenant'), roleId: Type.String({ pattern: '^role_[0-9a-hjkmnp-tv-z]{26}$' }) });
const RoleName = Type.String({ minLength: 1, maxLength: 64, description: 'A built-in role (owner, admin, billing, developer, member, read-only, partner-admin, partner-agent) or a custom role id' });

const Member = named(
  'Member',
  Type.Object(
    {
      userId: Type.String(),
      email: Type.String(),
      name: Type.Union([Type.String(), Type.Null()], { description: 'The display name the person chose on their profile (null until they do)' }),
      role: Type.String(),
      joinedAt: Type.String({ format: 'date-time' }),
    },
    { title: 'Member' },
  ),
);

const Statement = named(
  'PolicyStatement',
  StrictObject(
    {
      sid: Type.Optional(Type.String({ maxLength: 64 })),
      effect: Type.Union([Type.Literal('allow'), Type.Literal('deny')]),
      actions: Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { minItems: 1, maxItems: 50, description: 'e.g. billing:invoice.read, billing:*', examples: [['tenants:tenant.read']] }),
      resources: Type.Array(Type.String({ minLength: 1, maxLength: 256 }), {
        minItems: 1,
        maxItems: 50,
        description: 'prn:<tenant or ${tenant}>:<type>/<id>; * matches within one segment',
        examples: [['prn:${tenant}:tenant/*']],
      }),
      conditions: Type.Optional(
        StrictObject({
          mfa: Type.Optional(Type.Boolean({ description: 'The caller must (true) or must not (false) have completed MFA' })),
          sourceIp: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { minItems: 1, maxItems: 50, description: 'CIDR ranges; any may match' })),
        }),
      ),
    },
    { title: 'PolicyStatement' },
  ),
);
const Role = named('Role', Type.Object({ id: Type.String(), name: Type.String(), description: Type.String(), builtin: Type.Boolean(), statements: Type.Array(Statement) }, { title: 'Role' }));
const RoleBody = StrictObject({ name: Type.String({ minLength: 1, maxLength: 64 }), description: Type.Optional(Type.String({ maxLength: 500 })), statements: Type.Array(Statement, { minItems: 1, maxItems: 100 }) });

const Decision = named(
  'AuthorizationDecision',
  Type.Object(
    {
      allowed: Type.Boolean(),
      reason: Type.Union([Type.Literal('allow'), Type.Literal('explicit-deny'), Type.Literal('implicit-deny')]),
      matched: Type.Array(Type.Object({ policy: Type.String(), sid: Type.String(), effect: Type.String() })),
    },
    { title: 'AuthorizationDecision' },
  ),
);

/** A concrete action (no wildcards): `service:type.verb`. */
const ConcreteAction = Type.String({ pattern: '^[a-z][a-z0-9-]*:[a-z][a-z0-9_-]*(\\.[a-z0-9_-]+)+$', maxLength: 128, examples: ['identity:member.list'] });
const Permissions = named(
  'Permissions',
  Type.Object(
    {
      tenantId: Type.Union([Type.String(), Type.Null()], { description: 'The tenant decided for (the one the caller works in); null when none, and then nothing is allowed' }),
      data: Type.Array(
        Type.Object({
          action: Type.String(),
          resource: Type.Union([Type.String(), Type.Null()], { description: 'prn:<tenant>:<type>/* — every resource of the action’s type in that tenant' }),
          allowed: Type.Boolean(),
        }),
      ),
    },
    { title: 'Permissions' },
  ),
);
const ActionCatalogue = named(
  'ActionCatalogue',
  Type.Object(
    {
      data: Type.Array(
        Type.Object({
          action: Type.String(),
          platformOnly: Type.Boolean({ description: 'An operator’s decision (quotas, tenant status, catalog, approvals, staff): only platform roles are allowed it; no tenant role, built-in or custom, can be granted it' }),
          operations: Type.Array(Type.Object({ method: Type.String(), path: Type.String(), summary: Type.Union([Type.String(), Type.Null()]) })),
        }),
      ),
    },
    { title: 'ActionCatalogue' },
  ),
);

export function accessRoutes(app: HttpApp, service: AccessService): void {
  app.get(
    '/api/v1/me/permissions',
    {
      config: { action: service.useCases.permissions.action },
      schema: {
        tags,
        summary: 'Which of these actions you may perform in the tenant you work in',
        description: 'Each action is decided by your policies on every resource of its type in your active tenant (identity:member.list → prn:<tenant>:member/*), as the API itself decides.',
        querystring: StrictObject({ action: Type.Array(ConcreteAction, { minItems: 1, maxItems: 50, description: 'Repeat for several: ?action=identity:member.list&action=identity:role.list' }) }),
        response: responses({ 200: Permissions }),
      },
    },
    async (request) => service.permissions(request.query.action as Action[], requestContext(request)),
  );
  app.get(
    '/api/v1/authz/actions',
    {
      config: { action: service.useCases.actionCatalogue.action },
      schema: { tags, summary: 'Every action the API checks, with the operations that need it (for writing policies)', response: responses({ 200: ActionCatalogue }) },
    },
    async (request) => ({ data: service.actionCatalogue(app.routeActions, requestContext(request)) }),
  );
  app.get(
    '/api/v1/tenants/:id/members',
    { config: { action: service.useCases.listMembers.action }, schema: { tags, summary: 'The tenant’s members and their roles', params: TenantParams, response: responses({ 200: Type.Object({ data: Type.Array(Member) }) }) } },
    async (request) => ({ data: await service.listMembers(request.params.id, requestContext(request)) }),
  );

  app.put(
    '/api/v1/tenants/:id/members/:userId',
    {
      config: { action: service.useCases.changeRole.action },
      schema: {
        tags,
        summary: 'Change a member’s role (applies from their next request)',
        description: 'A tenant always keeps an owner: demoting its last owner answers 409 and changes nothing.',
        params: MemberParams,
        body: StrictObject({ role: RoleName }),
        response: responses({ 200: Member }),
      },
    },
    async (request) => service.changeRole(request.params.id, request.params.userId, request.body.role, requestContext(request)),
  );

  app.delete(
    '/api/v1/tenants/:id/members/:userId',
    { config: { action: service.useCases.removeMember.action }, schema: { tags, summary: 'Remove a member; ends their sessions in this tenant at once', description: 'Removing the tenant’s last owner answers 409 and changes nothing.', params: MemberParams, response: responses({ 204: NoContent }) } },
    async (request, reply) => {
      await service.removeMember(request.params.id, request.params.userId, requestContext(request));
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v1/tenants/:id/roles',
    { config: { action: service.useCases.listRoles.action }, schema: { tags, summary: 'Built-in and custom roles', params: TenantParams, response: responses({ 200: Type.Object({ data: Type.Array(Role) }) }) } },
    async (request) => ({ data: await service.listRoles(request.params.id, requestContext(request)) }),
  );

  app.post(
    '/api/v1/tenants/:id/roles',
    { config: { action: service.useCases.createRole.action }, schema: { tags, summary: 'Define a custom role', params: TenantParams, body: RoleBody, response: responses({ 201: Role }) } },
    async (request, reply) => reply.status(201).send(await service.createRole(request.params.id, request.body, requestContext(request))),
  );

  app.put(
    '/api/v1/tenants/:id/roles/:roleId',
    { config: { action: service.useCases.updateRole.action }, schema: { tags, summary: 'Replace a custom role (applies from the next request)', params: RoleParams, body: RoleBody, response: responses({ 200: Role }) } },
    async (request) => service.updateRole(request.params.id, request.params.roleId, request.body, requestContext(request)),
  );

  app.delete(
    '/api/v1/tenants/:id/roles/:roleId',
    { config: { action: service.useCases.deleteRole.action }, schema: { tags, summary: 'Delete a custom role no member has', params: RoleParams, response: responses({ 204: NoContent }) } },
    async (request, reply) => {
      await service.deleteRole(request.params.id, request.params.roleId, requestContext(request));
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/v1/tenants/:id/roles/simulate',
    {
      config: { action: service.useCases.simulate.action },
      schema: {
        tags,
        summary: 'How a draft policy would decide one request (before saving it as a role)',
        description: 'Evaluates only the given statements, with ${tenant} bound to this tenant; checks them as creating a role would. Changes nothing.',
        params: TenantParams,
        body: StrictObject({
          statements: Type.Array(Statement, { minItems: 1, maxItems: 100 }),
          action: ConcreteAction,
          resource: Type.String({ pattern: '^prn:[^:]+:.+$', maxLength: 256, examples: ['prn:ten_01jaaaaaaaaaaaaaaaaaaaaaaa:member/usr_01jaaaaaaaaaaaaaaaaaaaaaaa'] }),
          mfa: Type.Optional(Type.Boolean({ description: 'Whether the request comes with MFA completed (default false)' })),
          sourceIp: Type.Optional(Type.String({ maxLength: 64, description: 'The address the request comes from (default yours)' })),
        }),
        response: responses({ 200: Decision }),
      },
    },
    async (request) => service.simulate(request.params.id, { ...request.body, action: request.body.action as Action }, requestContext(request)),
  );
  app.post(
    '/api/v1/authz/explain',
    {
      config: { action: service.useCases.explain.action },
      schema: {
        tags,
        summary: 'Why the caller may or may not perform an action on a resource',
        description: 'Evaluates the caller’s own policies; lists the statements that decided.',
        body: StrictObject({ action: Type.String({ pattern: '^[a-z*][a-z0-9*-]*:[a-z0-9_.*-]+$', maxLength: 128 }), resource: Type.String({ pattern: '^prn:[^:]+:.+$', maxLength: 256 }) }),
        response: responses({ 200: Decision }),
      },
    },
    async (request) => service.explain(request.body.action as Action, request.body.resource, requestContext(request)),
  );
}
