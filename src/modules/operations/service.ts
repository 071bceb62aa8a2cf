// Use cases of the platform's own operation, for platform staff: the outbox's dead letters (event
// deliveries that failed their last retry), looked through and replayed, and the workflow runs
// (kernel/workflow.ts), looked through. Each replay is recorded (audit entry and event) by the
// use-case pipeline; reading runs changes nothing.
import { DeadLetterReplayed } from './events.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { Tx } from '../../kernel/db/database.js';
import { isId } from '../../kernel/ids.js';
import { decodeCursor, encodeCursor, type Page } from '../../kernel/api/cursor.js';
import { resourceName, PLATFORM } from '../../kernel/authz/authorize.js';
import type { RequestContext } from '../../kernel/context.js';
import { ConflictError, NotFoundError } from '../../kernel/errors.js';
import { defineUseCase, type UseCaseRun } from '../../kernel/use-case.js';
import type { DeadLetter, DeadLetterFilter } from '../../kernel/dead-letters.js';
import type { InspectedRun, WorkflowRunSummary as KernelRunSummary } from '../../kernel/workflow.js';
import type { EventDeadLetter, ListDeadLettersQuery, ListWorkflowRunsQuery, ReplayDeadLettersBody, WorkflowRun, WorkflowRunSummary } from './schemas.js';

const isDeadLetterId = (value: unknown): value is string => typeof value === 'string' && isId('deadLetter', value);
/** Dead letters are platform resources: no tenant role reaches them, and the actions are platform-only. */
const deadLetterResource = (id: string) => resourceName(PLATFORM, 'event-dead-letter', id);

function toView(letter: DeadLetter): EventDeadLetter {
  return { ...letter, failedAt: letter.failedAt.toISOString(), replayedAt: letter.replayedAt ? letter.replayedAt.toISOString() : null };
}

const isWorkflowRunId = (value: unknown): value is string => typeof value === 'string' && isId('workflowRun', value);
/** Workflow runs are the platform's own processes: no tenant role reaches them, and the actions are platform-only. */
const workflowRunResource = (id: string) => resourceName(PLATFORM, 'workflow-run', id);
const iso = (at: Date | null) => (at ? at.toISOString() : null);

function toRunSummary(run: KernelRunSummary): WorkflowRunSummary {
  return { id: run.id, workflow: run.workflow, idempotencyKey: run.idempotencyKey, status: run.status, error: run.error, createdAt: run.createdAt.toISOString(), updatedAt: run.updatedAt.toISOString() };
}

function toRunView(run: InspectedRun): WorkflowRun {
  return {
    ...toRunSummary(run),
    input: run.input,
    currentStep: run.currentStep,
    lease: run.lease ? { owner: run.lease.owner, until: run.lease.until.toISOString() } : null,
    steps: run.steps.map((step) => ({ ...step, completedAt: iso(step.completedAt), failedAt: iso(step.failedAt), compensatedAt: iso(step.compensatedAt) })),
  };
}

export class OperationsService {
  readonly listDeadLettersUseCase = defineUseCase<ListDeadLettersQuery, Page<EventDeadLetter>>({
    name: 'operations.list-dead-letters',
    access: { action: 'operations:dead-letter.list' },
    resource: () => deadLetterResource('*'),
    run: async ({ tx, input }) => {
      const limit = input.limit ?? 25;
      const beforeId = decodeCursor(input.cursor, isDeadLetterId);
      const rows = await this.kernel.events.deadLetters({ state: input.state ?? 'dead', handler: input.handler, eventId: input.eventId, beforeId, limit: limit + 1 }, tx);
      const page = rows.slice(0, limit).map(toView);
      const last = page[page.length - 1];
      return { data: page, nextCursor: rows.length > limit && last ? encodeCursor(last.id) : null };
    },
  });

  readonly replayDeadLetterUseCase = defineUseCase<{ id: string }, EventDeadLetter>({
    name: 'operations.replay-dead-letter',
    access: { action: 'operations:dead-letter.replay' },
    resource: ({ id }) => deadLetterResource(id),
    run: async (run) => {
      const [replayed] = await this.#replay(run, { id: run.input.id });
      if (replayed) return replayed;
      const letter = await this.kernel.events.deadLetter(run.input.id, run.tx);
      if (!letter) throw new NotFoundError('Dead letter', run.input.id);
      throw new ConflictError(`The dead letter ${run.input.id} was replayed already${letter.replayedAt ? ` at ${letter.replayedAt.toISOString()}` : ''}.`, { replayedAt: letter.replayedAt?.toISOString() ?? null });
    },
  });

  readonly replayDeadLettersUseCase = defineUseCase<ReplayDeadLettersBody, { data: EventDeadLetter[] }>({
    name: 'operations.replay-dead-letters',
    access: { action: 'operations:dead-letter.replay' },
    resource: () => deadLetterResource('*'),
    run: async (run) => ({ data: await this.#replay(run, { handler: run.input.handler, eventId: run.input.eventId }) }),
  });

  readonly listWorkflowRunsUseCase = defineUseCase<ListWorkflowRunsQuery, Page<WorkflowRunSummary>>({
    name: 'operations.list-workflow-runs',
    access: { action: 'operations:workflow-run.list' },
    resource: () => workflowRunResource('*'),
    run: async ({ tx, input }) => {
      const limit = input.limit ?? 25;
      const beforeId = decodeCursor(input.cursor, isWorkflowRunId);
      const rows = await this.kernel.workflows.list({ status: input.status, workflow: input.workflow, beforeId, limit: limit + 1 }, tx);
      const page = rows.slice(0, limit).map(toRunSummary);
      const last = page[page.length - 1];
      return { data: page, nextCursor: rows.length > limit && last ? encodeCursor(last.id) : null };
    },
  });

  readonly getWorkflowRunUseCase = defineUseCase<{ id: string }, WorkflowRun>({
    name: 'operations.get-workflow-run',
    access: { action: 'operations:workflow-run.read' },
    resource: ({ id }) => workflowRunResource(id),
    run: async ({ tx, input }) => {
      const run = await this.kernel.workflows.inspect(input.id, tx);
      if (!run) throw new NotFoundError('Workflow run', input.id);
      return toRunView(run);
    },
  });

  constructor(private readonly kernel: Pick<Kernel, 'events' | 'workflows' | 'useCases'>) {}

  listDeadLetters(query: ListDeadLettersQuery, context: RequestContext): Promise<Page<EventDeadLetter>> {
    return this.kernel.useCases.run(this.listDeadLettersUseCase, context, query);
  }

  /** Replays one dead letter; 409 when it was replayed already (and has not died again since). */
  replayDeadLetter(id: string, context: RequestContext): Promise<EventDeadLetter> {
    return this.kernel.useCases.run(this.replayDeadLetterUseCase, context, { id });
  }

  /** Replays every dead letter matching the filter (of a handler, of an event, or all). */
  replayDeadLetters(filter: ReplayDeadLettersBody, context: RequestContext): Promise<{ data: EventDeadLetter[] }> {
    return this.kernel.useCases.run(this.replayDeadLettersUseCase, context, filter);
  }

  /** Workflow runs, newest first: of one status, of one workflow. */
  listWorkflowRuns(query: ListWorkflowRunsQuery, context: RequestContext): Promise<Page<WorkflowRunSummary>> {
    return this.kernel.useCases.run(this.listWorkflowRunsUseCase, context, query);
  }

  /** A workflow run with each of its steps: status, attempts, output, errors, compensation. */
  getWorkflowRun(id: string, context: RequestContext): Promise<WorkflowRun> {
    return this.kernel.useCases.run(this.getWorkflowRunUseCase, context, { id });
  }

  async #replay(run: UseCaseRun<unknown> & { tx: Tx }, filter: DeadLetterFilter): Promise<EventDeadLetter[]> {
    const replayed = await this.kernel.events.replayDeadLetters(filter, { tx: run.tx, replayedBy: run.context.principal?.userId ?? 'system' });
    for (const letter of replayed) {
      const facts = { deadLetterId: letter.id, eventId: letter.eventId, eventType: letter.eventType, handler: letter.handler, attempts: letter.attempts, lastError: letter.lastError };
      run.record({ action: 'operations.dead-letter.replayed', target: { type: 'event-dead-letter', id: letter.id }, after: facts, event: { contract: DeadLetterReplayed, payload: facts } });
    }
    return replayed.map(toView);
  }
}
