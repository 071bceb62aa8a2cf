// HTTP surface of the platform's own operation, for platform staff: schema in, one service call, schema out.
import type { HttpApp } from '../../kernel/api/routes.js';
import { requestContext } from '../../kernel/api/routes.js';
import { responses } from '../../kernel/api/schemas.js';
import { EmptyBody } from '../../kernel/api/schemas.js';
import type { OperationsService } from './service.js';
import {
  DeadLetterIdParams,
  EventDeadLetter,
  EventDeadLetterPage,
  ListDeadLettersQuery,
  ListWorkflowRunsQuery,
  ReplayDeadLettersBody,
  ReplayedDeadLetters,
  WorkflowRun,
  WorkflowRunIdParams,
  WorkflowRunPage,
} from './schemas.js';

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

  app.get(
    '/api/v1/operations/workflows',
    {
      config: { action: service.listWorkflowRunsUseCase.action },
      schema: {
        tags,
        summary: 'List workflow runs, newest first',
        description: 'Platform staff only. Filter by status (e.g. failed: a compensation that needs an operator) and by workflow name.',
        querystring: ListWorkflowRunsQuery,
        response: responses({ 200: WorkflowRunPage }),
      },
    },
    async (request) => service.listWorkflowRuns(request.query, requestContext(request)),
  );

  app.get(
    '/api/v1/operations/workflows/:id',
    {
      config: { action: service.getWorkflowRunUseCase.action },
      schema: {
        tags,
        summary: 'Get a workflow run with its steps',
        description: 'Platform staff only. Each step as it went (status, attempts, output, error, compensation), then the steps still to come.',
        params: WorkflowRunIdParams,
        response: responses({ 200: WorkflowRun }),
      },
    },
    async (request) => service.getWorkflowRun(request.params.id, requestContext(request)),
  );
}
