// HTTP surface of invitations: tenant admins invite and revoke; the invited person previews and
// accepts with the token from the emailed link (public routes: the token is the credential), and
// is signed in by accepting.
import { Type } from 'typebox';
import type { HttpApp } from '../../../kernel/api/routes.js';
import { EmptyBody, StrictObject, Id, NoContent, responses, named } from '../../../kernel/api/schemas.js';
import { requestContext } from '../../../kernel/api/routes.js';
import type { InvitationService } from './invitation-service.js';
import type { IdentityService } from '../accounts/service.js';
import { Session, sessionStarted } from '../accounts/routes.js';

const tags = ['access'];
const TenantParams = StrictObject({ id: Id('tenant') });
const InvitationParams = StrictObject({ id: Id('tenant'), invitationId: Id('invitation') });
const Token = Type.String({ minLength: 20, maxLength: 200, description: 'The token from the invitation link' });

const Invitation = named(
  'Invitation',
  Type.Object(
    {
      id: Type.String(),
      email: Type.String(),
      role: Type.String(),
      status: Type.Union([Type.Literal('open'), Type.Literal('accepted'), Type.Literal('revoked'), Type.Literal('expired')]),
      invitedBy: Type.String({ description: 'The email (or label, such as “the operator”) the invitation was sent under' }),
      invitedByName: Type.Union([Type.String(), Type.Null()], { description: 'The inviter’s display name, when a person who chose one invited' }),
      createdAt: Type.String({ format: 'date-time' }),
      expiresAt: Type.String({ format: 'date-time' }),
      lastSentAt: Type.String({ format: 'date-time', description: 'When the link was last mailed: at creation, or the latest resend' }),
      sendCount: Type.Integer({ minimum: 1, description: 'How many times the link was mailed' }),
    },
    { title: 'Invitation' },
  ),
);

const Preview = named(
  'InvitationPreview',
  Type.Object(
    {
      tenantId: Type.String(),
      organizationName: Type.String(),
      email: Type.String(),
      role: Type.String(),
      accountExists: Type.Boolean({ description: 'When true, accepting asks for the existing account’s password' }),
      expiresAt: Type.String({ format: 'date-time' }),
    },
    { title: 'InvitationPreview' },
  ),
);

export function invitationRoutes(app: HttpApp, service: InvitationService, identity: IdentityService, secureCookies: boolean): void {
  app.post(
    '/api/v1/tenants/:id/invitations',
    {
      config: { action: service.useCases.invite.action },
      schema: {
        tags,
        summary: 'Invite someone by email with a role',
        description: 'Emails a single-use link that expires in 7 days. Inviting the same address again replaces the previous link.',
        params: TenantParams,
        body: StrictObject({ email: Type.String({ format: 'email', maxLength: 320 }), role: Type.String({ minLength: 1, maxLength: 64 }) }),
        response: responses({ 201: Invitation }),
      },
    },
    async (request, reply) => reply.status(201).send(await service.invite(request.params.id, request.body, requestContext(request))),
  );

  app.get(
    '/api/v1/tenants/:id/invitations',
    { config: { action: service.useCases.list.action }, schema: { tags, summary: 'Invitations of the tenant, newest first', params: TenantParams, response: responses({ 200: Type.Object({ data: Type.Array(Invitation) }) }) } },
    async (request) => ({ data: await service.list(request.params.id, requestContext(request)) }),
  );

  app.delete(
    '/api/v1/tenants/:id/invitations/:invitationId',
    { config: { action: service.useCases.revoke.action }, schema: { tags, summary: 'Revoke an open invitation', params: InvitationParams, response: responses({ 204: NoContent }) } },
    async (request, reply) => {
      await service.revoke(request.params.id, request.params.invitationId, requestContext(request));
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/v1/tenants/:id/invitations/:invitationId/resend',
    {
      config: { action: service.useCases.resend.action },
      schema: {
        tags,
        summary: 'Send an invitation again, with a new link',
        description:
          'For an open or expired invitation: mails a new single-use link that expires in 7 days from now; the link sent before stops working. Same invitation id. An accepted or revoked invitation answers 409 (invite the person again instead), as does one whose person has joined meanwhile.',
        params: InvitationParams,
        body: EmptyBody,
        response: responses({ 200: Invitation }),
      },
    },
    async (request) => service.resend(request.params.id, request.params.invitationId, requestContext(request)),
  );

  app.post(
    '/api/v1/invitations/preview',
    {
      config: { public: true },
      schema: { tags, summary: 'What an invitation link offers (tenant, email, role)', security: [], body: StrictObject({ token: Token }), response: responses({ 200: Preview }) },
    },
    async (request) => service.preview(request.body.token),
  );

  app.post(
    '/api/v1/invitations/accept',
    {
      config: { public: true },
      schema: {
        tags,
        summary: 'Accept an invitation',
        description:
          'Creates the account with this password, or — when the email already has an account — checks that account’s password and adds the membership. The person is then signed in, working in the tenant they joined (the session cookie is set, as by sign-in); the session owes whatever that tenant asks first (restriction: a second factor to enrol or enter).',
        security: [],
        body: StrictObject({ token: Token, password: Type.String({ minLength: 1, maxLength: 1024 }) }),
        response: responses({ 200: Type.Object({ userId: Type.String(), tenantId: Type.String(), accountCreated: Type.Boolean(), session: Session }, { title: 'AcceptedInvitation' }) }),
      },
    },
    async (request, reply) => {
      const context = requestContext(request);
      const accepted = await service.accept(request.body, context);
      const signedIn = await identity.startInvitedSession({ userId: accepted.userId, tenantId: accepted.tenantId, password: request.body.password, userAgent: request.headers['user-agent'] }, context);
      return { ...accepted, session: await sessionStarted(reply, identity, signedIn, secureCookies) };
    },
  );
}
