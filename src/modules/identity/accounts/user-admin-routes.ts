// HTTP surface of people administration for platform staff: every account, one person's page,
// platform roles, ending someone's sessions, adding a staff member.
import { Type, type TSchema } from 'typebox';
import type { HttpApp } from '../../../kernel/api/routes.js';
import { StrictObject, Id, PageQuery, Page, NoContent, responses, named } from '../../../kernel/api/schemas.js';
import { requestContext } from '../../../kernel/api/routes.js';
import type { UserAdminService } from './user-admin-service.js';

const tags = ['users'];
const Timestamp = Type.String({ format: 'date-time' });
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const ROLE_DESCRIPTION = 'A platform staff role: platform-admin (everything), operator (tenants and users, not staff), support (reads, impersonation), billing-operator, read-only';
const roleLiterals = () => [Type.Literal('platform-admin'), Type.Literal('operator'), Type.Literal('support'), Type.Literal('billing-operator'), Type.Literal('read-only')] as const;
const PlatformRole = named('PlatformRole', Type.Union([...roleLiterals()], { description: ROLE_DESCRIPTION }));
const PlatformRoleOrNone = Type.Union([...roleLiterals(), Type.Null()], { description: `${ROLE_DESCRIPTION}; null: not staff` });
const UserParams = StrictObject({ id: Id('user') });

const summaryProperties = {
  id: Id('user'),
  email: Type.String(),
  platformRole: PlatformRoleOrNone,
  emailVerified: Type.Boolean(),
  mfaEnabled: Type.Boolean({ description: 'True once the person confirmed an authenticator (TOTP)' }),
  createdAt: Timestamp,
};

const UserSummary = named('UserSummary', Type.Object(summaryProperties, { title: 'UserSummary', additionalProperties: false }));

const UserDetail = named(
  'UserDetail',
  Type.Object(
    {
      ...summaryProperties,
      hasPassword: Type.Boolean({ description: 'False for an added staff member who has not chosen a password yet' }),
      emailVerifiedAt: Nullable(Timestamp),
      lockedUntil: Nullable(Timestamp),
      lastSignInAt: Nullable(Timestamp),
      memberships: Type.Array(Type.Object({ tenantId: Id('tenant'), organizationName: Type.String(), role: Type.String(), joinedAt: Timestamp }, { additionalProperties: false })),
      activeSessionCount: Type.Integer({ minimum: 0 }),
      sessions: Type.Array(
        Type.Object(
          {
            id: Id('session'),
            userAgent: Nullable(Type.String()),
            sourceIp: Nullable(Type.String()),
            createdAt: Timestamp,
            lastSeenAt: Timestamp,
            expiresAt: Timestamp,
            impersonating: Type.Boolean({ description: 'True while this (staff) session acts as someone else' }),
          },
          { additionalProperties: false },
        ),
      ),
      callerMay: Type.Object(
        {
          changePlatformRole: Type.Boolean(),
          endSessions: Type.Boolean(),
          unlock: Type.Boolean({ description: 'The caller may lift a lock left by failed sign-ins' }),
          impersonate: Type.Boolean({ description: 'The caller may act as this person (who must be no staff member and belong to a tenant)' }),
        },
        { additionalProperties: false, description: 'What the caller may do to this person' },
      ),
    },
    { title: 'UserDetail', additionalProperties: false },
  ),
);

export function userAdminRoutes(app: HttpApp, service: UserAdminService): void {
  app.get(
    '/api/v1/users',
    {
      config: { action: service.useCases.list.action },
      schema: {
        tags,
        summary: 'List every account, newest first (platform staff)',
        querystring: StrictObject({
          ...PageQuery,
          q: Type.Optional(Type.String({ minLength: 1, maxLength: 320, description: 'Matches the email (case-insensitive substring)' })),
          staff: Type.Optional(Type.Boolean({ description: 'true: only platform staff' })),
        }),
        response: responses({ 200: Page(UserSummary, 'UserPage') }),
      },
    },
    async (request) => service.list(request.query, requestContext(request)),
  );

  app.get(
    '/api/v1/users/:id',
    {
      config: { action: service.useCases.get.action },
      schema: {
        tags,
        summary: 'One account: memberships, live sessions, second factor, lockout (platform staff)',
        params: UserParams,
        response: responses({ 200: UserDetail }),
      },
    },
    async (request) => service.get(request.params.id, requestContext(request)),
  );

  app.put(
    '/api/v1/users/:id/platform-role',
    {
      config: { action: service.useCases.setPlatformRole.action },
      schema: {
        tags,
        summary: 'Grant, change or revoke (null) a platform staff role (platform administrators)',
        description:
          'Ends every session of the person: they sign in again, and staff must use a second factor. The last platform administrator cannot lose the role (409). Audited.',
        params: UserParams,
        body: StrictObject({ role: PlatformRoleOrNone }),
        response: responses({ 200: Type.Object({ ...summaryProperties, sessionsEnded: Type.Integer({ minimum: 0 }) }, { title: 'PlatformRoleChanged', additionalProperties: false }) }),
      },
    },
    async (request) => service.setPlatformRole(request.params.id, request.body.role, requestContext(request)),
  );

  app.post(
    '/api/v1/users/:id/sessions/revoke',
    {
      config: { action: service.useCases.endSessions.action },
      schema: {
        tags,
        summary: 'End every session of the person (a staff member’s: platform administrators only)',
        description: 'Audited. Bearer credentials (API keys, OAuth tokens) are not sessions and stay valid.',
        params: UserParams,
        body: StrictObject({}),
        response: responses({ 200: Type.Object({ sessionsEnded: Type.Integer({ minimum: 0 }) }, { title: 'SessionsEnded', additionalProperties: false }) }),
      },
    },
    async (request) => service.endSessions(request.params.id, requestContext(request)),
  );

  app.post(
    '/api/v1/users/:id/unlock',
    {
      config: { action: service.useCases.unlock.action },
      schema: {
        tags,
        summary: 'Lift the lock failed sign-ins put on the account (a staff member’s: platform administrators only)',
        description: 'The person may sign in again at once. Audited. Locks per source address are not lifted.',
        params: UserParams,
        body: StrictObject({}),
        response: responses({ 204: NoContent }),
      },
    },
    async (request, reply) => {
      await service.unlock(request.params.id, requestContext(request));
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/v1/staff',
    {
      config: { action: service.useCases.inviteStaff.action },
      schema: {
        tags,
        summary: 'Add a staff member: creates the account and mails a link to choose a password',
        description:
          'The link works once, for 72 hours (it is a password-reset link). The first sign-in enrols a second factor. An address that already has an account is refused (409): grant that account a role instead.',
        body: StrictObject({ email: Type.String({ format: 'email', maxLength: 320 }), role: PlatformRole }),
        response: responses({ 201: UserSummary }),
      },
    },
    async (request, reply) => {
      const user = await service.inviteStaff(request.body, requestContext(request));
      return reply.status(201).header('location', `/api/v1/users/${user.id}`).send(user);
    },
  );
}
