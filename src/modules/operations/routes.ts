// HTTP surface of the platform's own operation, for platform staff: schema in, one service call, schema out.
import type { HttpApp } from '../../kernel/api/routes.js';
import { requestContext } from '../../kernel/api/routes.js';
import { responses } from '../../kernel/api/schemas.js';
import { EmptyBody } from '../../kernel/api/schemas.js';
import type { OperationsService } from './service.js';
import { DeadLetterIdParams, EventDeadLetter, EventDeadLetterPage, ListDeadLettersQuery, ReplayDeadLettersBody, ReplayedDeadLetters } from './schemas.js';

const tags = ['operations'];

export function operationsRoutes(app: HttpApp, service: OperationsService): void {
  app.get(
    '/api/v1/event-dead-letters',
    {
      config: { action: service.listDeadLettersUseCase.action },
      schema: {
        tags,
        summary: 'List event deliveries that failed their last retry, newest first',
        description: 'Platform staff only. A dead letter is one (event, handler) delivery; replay it once the handler is fixed.',
        querystring: ListDeadLettersQuery,
        response: responses({ 200: EventDeadLetterPage }),
      },
    },
    async (request) => service.listDeadLetters(request.query, requestContext(request)),
  );

  app.post(
    '/api/v1/event-dead-letters/:id/replay',
    {
      config: { action: service.replayDeadLetterUseCase.action },
      schema: {
        tags,
        summary: 'Replay one dead event delivery',
        description: 'Platform staff only. Queues the delivery again with the handler’s retries; 409 when it was replayed already. A delivery is never handled twice.',
        params: DeadLetterIdParams,
        body: EmptyBody,
        response: responses({ 200: EventDeadLetter }),
      },
    },
    async (request) => service.replayDeadLetter(request.params.id, requestContext(request)),
  );

  app.post(
    '/api/v1/event-dead-letters/replay',
    {
      config: { action: service.replayDeadLettersUseCase.action },
      schema: {
        tags,
        summary: 'Replay the dead event deliveries of a handler, of an event, or all of them',
        description: 'Platform staff only. Each dead letter is replayed once; the answer lists those queued again.',
        body: ReplayDeadLettersBody,
        response: responses({ 200: ReplayedDeadLetters }),
      },
    },
    async (request) => service.replayDeadLetters(request.body, requestContext(request)),
  );
}
