// HTTP surface of impersonation: start (staff), end (the impersonating session).
import { Type } from 'typebox';
import type { HttpApp } from '../../../kernel/api/routes.js';
import { StrictObject, Id, NoContent, responses, named } from '../../../kernel/api/schemas.js';
import { requestContext } from '../../../kernel/api/routes.js';
import type { ImpersonationService } from './impersonation-service.js';

const tags = ['impersonation'];

const Impersonation = named(
  'Impersonation',
  Type.Object(
    {
      id: Type.String(),
      userId: Type.String(),
      userEmail: Type.String(),
      tenantId: Type.String(),
      reason: Type.String(),
      startedAt: Type.String({ format: 'date-time' }),
      expiresAt: Type.String({ format: 'date-time' }),
    },
    { title: 'Impersonation' },
  ),
);

export function impersonationRoutes(app: HttpApp, service: ImpersonationService): void {
  app.post(
    '/api/v1/impersonations',
    {
      config: { action: service.useCases.start.action },
      schema: {
        tags,
        summary: 'Act as a tenant user (platform staff), with a stated reason',
        description:
          'The caller’s session then acts as the user in that tenant for up to an hour, with the caller recorded as the impersonator in every audit entry. ' +
          'Credentials (password, MFA, API keys, sessions) cannot be changed while impersonating. Audited on the platform’s and the tenant’s trails.',
        body: StrictObject({ userId: Id('user'), tenantId: Id('tenant'), reason: Type.String({ minLength: 3, maxLength: 500, description: 'Why, for the audit trails (a ticket number, …)' }) }),
        response: responses({ 201: Impersonation }),
      },
    },
    async (request, reply) => reply.status(201).send(await service.start(request.body, requestContext(request))),
  );

  app.delete(
    '/api/v1/impersonations/current',
    {
      config: { action: service.useCases.endCurrent.action },
      schema: { tags, summary: 'Stop impersonating; the session is the staff member’s own again', response: responses({ 204: NoContent }) },
    },
    async (request, reply) => {
      await service.endCurrent(requestContext(request));
      return reply.status(204).send(null);
    },
  );
}
