// Operations: what platform staff need to run the platform itself — today the outbox's dead letters
// (event deliveries that failed their last retry), listed and replayed, each replay audited, and the
// workflow runs with their steps, read. Not here: the outbox and its delivery (kernel/outbox.ts),
// the workflow engine (kernel/workflow.ts), metrics and health (the composition root).
import type { ModuleContext, ModuleInstance } from '../../kernel/module.js';
import type { OperationsPorts } from './module.js';
import { OperationsService } from './service.js';
import { operationsRoutes } from './routes.js';

export type { EventDeadLetter, WorkflowRun, WorkflowRunSummary } from './schemas.js';

export interface OperationsApi {
  service: OperationsService;
}

export function createOperationsModule({ kernel }: ModuleContext<keyof OperationsPorts>): ModuleInstance<OperationsApi> {
  const service = new OperationsService(kernel);
  return {
    api: { service },
    useCases: [service.listDeadLettersUseCase, service.replayDeadLetterUseCase, service.replayDeadLettersUseCase, service.listWorkflowRunsUseCase, service.getWorkflowRunUseCase],
    routes: (app) => operationsRoutes(app, service),
  };
}
