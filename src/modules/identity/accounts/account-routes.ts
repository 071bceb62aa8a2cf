// HTTP surface of account security: MFA enrolment and the MFA step of sign-in, password change,
// password reset and email verification by emailed links, and the caller's sessions.
import { Type } from 'typebox';
import type { HttpApp } from '../../../kernel/api/routes.js';
import { StrictObject, responses, NoContent, Id, named } from '../../../kernel/api/schemas.js';
import { requestContext } from '../../../kernel/api/routes.js';
import type { MfaService } from './mfa-service.js';
import type { AccountService } from './account-service.js';

const TotpCode = Type.String({ pattern: '^[0-9]{6}$', description: 'The 6-digit code the authenticator app shows now' });
const Token = Type.String({ minLength: 20, maxLength: 200, description: 'The token from the emailed link' });
const NewPassword = Type.String({ minLength: 1, maxLength: 1024, description: 'Must meet the strictest password policy of your tenants' });
const Accepted = named('Accepted', Type.Object({ status: Type.Literal('accepted') }, { title: 'Accepted' }));
const Sessions = named(
  'SessionList',
  Type.Object(
    {
      data: Type.Array(
        named(
          'SessionSummary',
          Type.Object({
            id: Type.String(),
            current: Type.Boolean({ description: 'The session making this request' }),
            userAgent: Type.Union([Type.String(), Type.Null()]),
            sourceIp: Type.Union([Type.String(), Type.Null()]),
            createdAt: Type.String({ format: 'date-time' }),
            lastSeenAt: Type.String({ format: 'date-time' }),
            expiresAt: Type.String({ format: 'date-time' }),
          }),
        ),
      ),
    },
    { title: 'SessionList' },
  ),
);

export function accountRoutes(app: HttpApp, mfa: MfaService, account: AccountService): void {
  // Enrolment is reachable while enrolment is what the session owes (MFA mandatory, not yet set up).
  app.post(
    '/api/v1/me/mfa/totp',
    {
      config: { action: mfa.useCases.startTotpEnrolment.action, allowRestricted: ['mfa_enroll'] },
      schema: {
        tags: ['account'],
        summary: 'Start (or resume) TOTP enrolment',
        description:
          'Returns a secret, its otpauth:// URL and a QR code (data: URL) for an authenticator app. MFA stays off until confirmed. While an unconfirmed enrolment is pending (until its expiresAt, an hour after it started) this returns the same secret, so an app that scanned it before a page reload still confirms; `restart: true` replaces it with a new one.',
        body: StrictObject(
          { restart: Type.Optional(Type.Boolean({ description: 'Discard the pending secret and start with a new one (default false: resume the pending one)' })) },
          { description: 'Empty, or restart: true' },
        ),
        response: responses({
          200: Type.Object(
            {
              secret: Type.String(),
              otpauthUrl: Type.String(),
              qrCode: Type.String({ description: 'data:image/png;base64,…' }),
              expiresAt: Type.String({ format: 'date-time', description: 'Until when starting enrolment again (without restart) returns this same secret' }),
            },
            { title: 'TotpEnrolment' },
          ),
        }),
      },
    },
    async (request) => mfa.startTotpEnrolment({ restart: request.body.restart ?? false }, requestContext(request)),
  );

  app.post(
    '/api/v1/me/mfa/totp/confirm',
    {
      config: { action: mfa.useCases.confirmTotp.action, allowRestricted: ['mfa_enroll'] },
      schema: {
        tags: ['account'],
        summary: 'Confirm TOTP enrolment with a first code',
        description: 'Turns MFA on and returns 10 recovery codes, shown this once (only their hashes are kept; each works once).',
        body: StrictObject({ code: TotpCode }),
        response: responses({ 200: Type.Object({ recoveryCodes: Type.Array(Type.String()) }, { title: 'RecoveryCodes' }) }),
      },
    },
    async (request) => mfa.confirmTotp(request.body.code, requestContext(request)),
  );

  app.delete(
    '/api/v1/me/mfa',
    {
      config: { action: mfa.useCases.disable.action },
      schema: {
        tags: ['account'],
        summary: 'Turn MFA off',
        description: 'Needs a current code. Refused (409) for platform staff and members of tenants that require MFA.',
        body: StrictObject({ code: TotpCode }),
        response: responses({ 204: NoContent }),
      },
    },
    async (request, reply) => {
      await mfa.disable(request.body.code, requestContext(request));
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/v1/auth/mfa/verify',
    {
      config: { action: mfa.useCases.verify.action, allowRestricted: ['mfa_verify'] },
      schema: {
        tags: ['auth'],
        summary: 'Complete sign-in with the second factor',
        description: 'A current TOTP code, or one of the recovery codes (each works once). Wrong codes are throttled like passwords.',
        body: Type.Union([StrictObject({ code: TotpCode }), StrictObject({ recoveryCode: Type.String({ minLength: 10, maxLength: 20 }) })]),
        response: responses({ 204: NoContent }),
      },
    },
    async (request, reply) => {
      await mfa.verify(request.body, requestContext(request));
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/v1/me/password',
    {
      config: { action: account.useCases.changePassword.action, allowRestricted: ['password_change'] },
      schema: {
        tags: ['account'],
        summary: 'Change your password',
        description: 'Ends every other session of yours. Lifts the restriction of a session whose password expired.',
        body: StrictObject({ currentPassword: Type.String({ minLength: 1, maxLength: 1024 }), newPassword: NewPassword }),
        response: responses({ 204: NoContent }),
      },
    },
    async (request, reply) => {
      await account.changePassword(request.body, requestContext(request));
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/v1/auth/password-reset',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: 'Ask for a password reset link by email',
        description: 'Always answers 202, whether or not the address has an account. The link works once, for 30 minutes.',
        security: [],
        body: StrictObject({ email: Type.String({ minLength: 3, maxLength: 320 }) }),
        response: responses({ 202: Accepted }),
      },
    },
    async (request, reply) => {
      await account.requestPasswordReset(request.body.email, requestContext(request));
      return reply.status(202).send({ status: 'accepted' as const });
    },
  );

  app.post(
    '/api/v1/auth/password-reset/confirm',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: 'Set a new password with the emailed token',
        description: 'The token works once; every session of the account ends.',
        security: [],
        body: StrictObject({ token: Token, newPassword: NewPassword }),
        response: responses({ 204: NoContent }),
      },
    },
    async (request, reply) => {
      await account.confirmPasswordReset(request.body, requestContext(request));
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/v1/me/email-verification',
    {
      config: { action: account.useCases.resendEmailVerification.action },
      schema: { tags: ['account'], summary: 'Send a new email verification link', body: StrictObject({}, { description: 'Empty: the link goes to your account’s address' }), response: responses({ 202: Accepted }) },
    },
    async (request, reply) => {
      await account.resendEmailVerification(requestContext(request));
      return reply.status(202).send({ status: 'accepted' as const });
    },
  );

  app.post(
    '/api/v1/auth/verify-email',
    {
      config: { public: true },
      schema: { tags: ['auth'], summary: 'Confirm an email address with the emailed token', security: [], body: StrictObject({ token: Token }), response: responses({ 204: NoContent }) },
    },
    async (request, reply) => {
      await account.verifyEmail(request.body.token, requestContext(request));
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v1/me/sessions',
    {
      config: { action: account.useCases.listSessions.action },
      schema: { tags: ['account'], summary: 'Your live sessions, the current one marked', response: responses({ 200: Sessions }) },
    },
    async (request) => ({ data: await account.listSessions(requestContext(request)) }),
  );

  app.delete(
    '/api/v1/me/sessions/:sessionId',
    {
      config: { action: account.useCases.revokeSession.action },
      schema: { tags: ['account'], summary: 'End one of your sessions', params: Type.Object({ sessionId: Id('session') }), response: responses({ 204: NoContent }) },
    },
    async (request, reply) => {
      await account.revokeSession(request.params.sessionId, requestContext(request));
      return reply.status(204).send(null);
    },
  );
}
