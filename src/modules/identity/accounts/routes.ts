// HTTP surface of identity: sign-in, sign-out, the current session.
import { Type } from 'typebox';
import type { HttpApp } from '../../../kernel/api/routes.js';
import { StrictObject, responses, NoContent, Id, named } from '../../../kernel/api/schemas.js';
import { requestContext } from '../../../kernel/api/routes.js';
import { SESSION_COOKIE, SESSION_RESTRICTIONS } from '../../../kernel/authentication.js';
import type { FastifyReply } from 'fastify';
import type { IdentityService, SignedIn } from './service.js';

const User = named('User', Type.Object({ id: Type.String(), email: Type.String(), platformRole: Type.Union([Type.String(), Type.Null()]) }, { title: 'User' }));
export const Session = named(
  'Session',
  Type.Object(
    {
      user: User,
      activeTenantId: Type.Union([Type.String(), Type.Null()], { description: 'The tenant the session works in' }),
      tenantRole: Type.Union([Type.String(), Type.Null()], { description: 'The caller’s role in that tenant' }),
      csrfToken: Type.String({ description: 'Send as X-CSRF-Token on every write authenticated by the session cookie' }),
      expiresAt: Type.String({ format: 'date-time' }),
      restriction: Type.Union([Type.Literal('mfa_verify'), Type.Literal('mfa_enroll'), Type.Literal('password_change'), Type.Null()], {
        description:
          'What the session must do before anything else: mfa_verify (POST /api/v1/auth/mfa/verify), mfa_enroll (MFA is mandatory: POST /api/v1/me/mfa/totp then /confirm), password_change (POST /api/v1/me/password); null when fully signed in',
      }),
      mfaRequired: Type.Boolean({ description: 'True while the session owes its second factor (restriction mfa_verify)' }),
      impersonatedBy: Type.Union(
        [
          Type.Object({
            userId: Type.String(),
            email: Type.String(),
            impersonationId: Type.String(),
            reason: Type.String(),
          }),
          Type.Null(),
        ],
        { description: 'Set while platform staff act as this user: who they are (the web apps show a banner)' },
      ),
    },
    { title: 'Session' },
  ),
);

const Me = named(
  'Me',
  Type.Object(
    {
      user: User,
      displayName: Type.Union([Type.String(), Type.Null()], { description: 'The name you chose to be shown by; null until you choose one' }),
      activeTenantId: Type.Union([Type.String(), Type.Null()]),
      memberships: Type.Array(named('Membership', Type.Object({ tenantId: Type.String(), organizationName: Type.String(), role: Type.String() }))),
      emailVerifiedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'When the address was proven by an emailed link; null while unproven (POST /api/v1/me/email-verification sends one)' }),
      mfa: Type.Object(
        {
          enabled: Type.Boolean({ description: 'A TOTP authenticator is set up' }),
          required: Type.Boolean({ description: 'Mandatory for this account (platform staff, or a tenant that requires it): it cannot be turned off' }),
          recoveryCodesLeft: Type.Integer({ minimum: 0, description: 'Unused recovery codes' }),
        },
        { description: 'Multi-factor authentication' },
      ),
      passwordPolicy: Type.Object(
        {
          minLength: Type.Integer(),
          requireNumbers: Type.Boolean(),
          requireSpecialChars: Type.Boolean(),
          maxAge: Type.Integer({ description: 'Days before the password must change; 0 = never' }),
        },
        { description: 'The strictest policy of your tenants: what a new password must meet' },
      ),
    },
    { title: 'Me' },
  ),
);

/** Sets a new session's cookie and answers what GET /api/v1/auth/session would (sign-in, an accepted invitation). */
export async function sessionStarted(reply: FastifyReply, service: IdentityService, signedIn: SignedIn, secureCookies: boolean) {
  reply.setCookie(SESSION_COOKIE, signedIn.sessionToken, { path: '/', httpOnly: true, sameSite: 'strict', secure: secureCookies, expires: signedIn.expiresAt });
  const session = await service.resolveSession(signedIn.sessionToken);
  return {
    user: signedIn.user,
    activeTenantId: session?.principal.tenantId ?? null,
    tenantRole: session?.principal.tenantRole ?? null,
    csrfToken: signedIn.csrfToken,
    expiresAt: signedIn.expiresAt.toISOString(),
    restriction: signedIn.restriction,
    mfaRequired: signedIn.restriction === 'mfa_verify',
    impersonatedBy: null,
  };
}

export function identityRoutes(app: HttpApp, service: IdentityService, secureCookies: boolean): void {
  app.post(
    '/api/v1/auth/sign-in',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: 'Sign in with email and password',
        description:
          'Starts a server-side session (a new id on every sign-in) and sets it as an HttpOnly, SameSite=Strict cookie. With MFA on, the session is restricted (mfaRequired) until POST /api/v1/auth/mfa/verify. Attempts are throttled per account and per address (423 PLAT_ACCOUNT_LOCKED, 429 PLAT_RATE_LIMITED, with Retry-After).',
        security: [],
        body: StrictObject({ email: Type.String({ minLength: 3, maxLength: 320 }), password: Type.String({ minLength: 1, maxLength: 1024 }) }),
        response: responses({ 200: Session }),
      },
    },
    async (request, reply) => sessionStarted(reply, service, await service.signIn({ ...request.body, userAgent: request.headers['user-agent'] }, requestContext(request)), secureCookies),
  );

  app.post(
    '/api/v1/auth/sign-out',
    {
      // Named for the access catalogue only: ending one's own session is never refused (not even
      // while impersonating), so its use case (IdentityService.useCases.signOut) decides nothing.
      config: { action: 'identity:session.delete', allowRestricted: SESSION_RESTRICTIONS },
      schema: { tags: ['auth'], summary: 'End the current session', response: responses({ 204: NoContent }) },
    },
    async (request, reply) => {
      await service.signOut(requestContext(request));
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v1/auth/session',
    {
      config: { action: service.useCases.readSession.action, allowRestricted: SESSION_RESTRICTIONS },
      schema: { tags: ['auth'], summary: 'Who is signed in, the CSRF token for writes, and any step the session still owes', response: responses({ 200: Session }) },
    },
    async (request) => service.session(request.authentication, requestContext(request)),
  );

  app.post(
    '/api/v1/auth/switch-tenant',
    {
      // A session the tenant it works in holds back (a second factor to enrol, a password its policy
      // refuses) may still leave for another tenant, whose own rules then apply.
      config: { action: service.useCases.switchTenant.action, allowRestricted: ['mfa_enroll', 'password_change'] },
      schema: {
        tags: ['auth'],
        summary: 'Work in another tenant you belong to, without signing in again',
        body: StrictObject({ tenantId: Id('tenant') }),
        response: responses({ 204: NoContent }),
      },
    },
    async (request, reply) => {
      await service.switchTenant(request.body.tenantId, requestContext(request));
      return reply.status(204).send(null);
    },
  );

  app.patch(
    '/api/v1/me',
    {
      config: { action: service.useCases.updateProfile.action },
      schema: {
        tags: ['auth'],
        summary: 'Change your profile (the name you are shown by)',
        body: StrictObject({
          displayName: Type.Union([Type.String({ maxLength: 100, description: 'One line; blank or null clears it' }), Type.Null()]),
        }),
        response: responses({ 200: Me }),
      },
    },
    async (request) => service.updateProfile(request.body, requestContext(request)),
  );

  app.get(
    '/api/v1/me',
    {
      config: { action: service.useCases.me.action },
      schema: {
        tags: ['auth'],
        summary: 'The signed-in person: account, active tenant and every tenant they belong to',
        response: responses({
          200: Me,
        }),
      },
    },
    async (request) => service.me(requestContext(request)),
  );
}
