// HTTP surface of the mail outbox, for platform staff: schema in, one service call, schema out.
import type { HttpApp } from '../../kernel/api/routes.js';
import { responses } from '../../kernel/api/schemas.js';
import { requestContext } from '../../kernel/api/routes.js';
import type { MailService } from './service.js';
import { ListMailQuery, MailIdParams, MailMessage, MailPage } from './schemas.js';

const tags = ['mail'];

export function mailRoutes(app: HttpApp, service: MailService): void {
  app.get(
    '/api/v1/mail',
    {
      config: { action: service.useCases.list.action },
      schema: {
        tags,
        summary: 'List outgoing mail, newest first',
        description: 'Platform staff only. Summaries without bodies; read one message for its text.',
        querystring: ListMailQuery,
        response: responses({ 200: MailPage }),
      },
    },
    async (request) => service.list(request.query, requestContext(request)),
  );

  app.get(
    '/api/v1/mail/:id',
    {
      config: { action: service.useCases.get.action },
      schema: {
        tags,
        summary: 'Get one outgoing message with its body',
        description: 'Platform staff only. Bodies can hold invitation and reset links; each read is recorded in the audit log.',
        params: MailIdParams,
        response: responses({ 200: MailMessage }),
      },
    },
    async (request) => service.get(request.params.id, requestContext(request)),
  );
}
