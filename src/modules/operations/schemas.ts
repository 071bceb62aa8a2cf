// Dead event deliveries and workflow runs as the API shows them to platform staff.
import { Type, type Static, type TSchema } from 'typebox';
import { StrictObject, Id, PageQuery, Page, named } from '../../kernel/api/schemas.js';

const Timestamp = Type.String({ format: 'date-time' });
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const HandlerName = Type.String({ minLength: 1, maxLength: 200, description: 'The subscribed handler’s name (e.g. orders.order-mail)' });

export const EventDeadLetter = Type.Object(
  {
    id: Id('deadLetter'),
    eventId: Id('event'),
    eventType: Type.String({ description: 'The event’s type, e.g. order.submitted' }),
    tenantId: Nullable(Id('tenant')),
    handler: HandlerName,
    attempts: Type.Integer({ minimum: 1, description: 'Delivery attempts made, over every replay' }),
    lastError: Type.String({ description: 'The last attempt’s error' }),
    failedAt: Timestamp,
    replayedAt: Nullable(Timestamp),
    replayedBy: Nullable(Type.String({ description: 'Who replayed it (a user id, or console)' })),
  },
  { title: 'EventDeadLetter', additionalProperties: false },
);
export type EventDeadLetter = Static<typeof EventDeadLetter>;

export const EventDeadLetterPage = Page(EventDeadLetter, 'EventDeadLetterPage');

export const ListDeadLettersQuery = StrictObject({
  ...PageQuery,
  state: Type.Optional(Type.Union([Type.Literal('dead'), Type.Literal('replayed'), Type.Literal('all')], { default: 'dead', description: 'dead (default): waiting for a replay' })),
  handler: Type.Optional(HandlerName),
  eventId: Type.Optional(Id('event')),
});
export type ListDeadLettersQuery = Static<typeof ListDeadLettersQuery>;

export const DeadLetterIdParams = StrictObject({ id: Id('deadLetter') });

export const ReplayDeadLettersBody = StrictObject(
  {
    handler: Type.Optional(HandlerName),
    eventId: Type.Optional(Id('event')),
  },
  { description: 'Which dead deliveries to replay; every dead one when empty' },
);
export type ReplayDeadLettersBody = Static<typeof ReplayDeadLettersBody>;

export const ReplayedDeadLetters = Type.Object({ data: Type.Array(EventDeadLetter, { description: 'The deliveries queued again' }) }, { title: 'ReplayedDeadLetters', additionalProperties: false });
export type ReplayedDeadLetters = Static<typeof ReplayedDeadLetters>;

// ---- workflow runs (kernel/workflow.ts) ----

const WorkflowStatus = named(
  'WorkflowStatus',
  Type.Union([Type.Literal('running'), Type.Literal('completed'), Type.Literal('compensating'), Type.Literal('compensated'), Type.Literal('failed')], {
    description: 'running → completed | compensating → compensated | failed (a compensation failed its last retry: for an operator)',
  }),
);
const WorkflowName = Type.String({ minLength: 1, maxLength: 200, description: 'The workflow’s name, as declared with defineWorkflow' });

export const WorkflowRunSummary = named(
  'WorkflowRunSummary',
  Type.Object(
    {
      id: Id('workflowRun'),
      workflow: WorkflowName,
      idempotencyKey: Type.String({ description: 'The key it was started with: the same key answers the same run' }),
      status: WorkflowStatus,
      error: Nullable(Type.String({ description: 'The last error: of the current step’s latest attempt while it is retried, or what failed the run' })),
      createdAt: Timestamp,
      updatedAt: Timestamp,
    },
    { title: 'WorkflowRunSummary', additionalProperties: false },
  ),
);
export type WorkflowRunSummary = Static<typeof WorkflowRunSummary>;

export const WorkflowRunPage = Page(WorkflowRunSummary, 'WorkflowRunPage');

export const WorkflowStep = named(
  'WorkflowStep',
  Type.Object(
    {
      seq: Type.Integer({ minimum: 0 }),
      name: Type.String(),
      status: Type.Union([Type.Literal('pending'), Type.Literal('completed'), Type.Literal('failed'), Type.Literal('compensated'), Type.Literal('compensation_failed')], {
        description:
          'pending: not reached yet, or being retried (the run’s error is the latest attempt’s); completed; failed: its last retry failed and the steps before it were undone; compensated: undone; compensation_failed: its undo failed its last retry',
      }),
      attempts: Type.Integer({ minimum: 0, description: 'Attempts its run took (0 while pending)' }),
      output: Type.Unknown({ description: 'What it returned (JSON): what later steps and its compensation get' }),
      error: Nullable(Type.String({ description: 'Why it failed, or why its compensation failed' })),
      completedAt: Nullable(Timestamp),
      failedAt: Nullable(Timestamp),
      compensatedAt: Nullable(Timestamp),
      compensable: Nullable(Type.Boolean({ description: 'Whether it can be undone (a step without a compensation is left as it is); null when its workflow is not registered in this process' })),
    },
    { title: 'WorkflowStep', additionalProperties: false },
  ),
);
export type WorkflowStep = Static<typeof WorkflowStep>;

export const WorkflowRun = named(
  'WorkflowRun',
  Type.Object(
    {
      ...WorkflowRunSummary.properties,
      input: Type.Unknown({ description: 'What the run was started with (JSON)' }),
      currentStep: Nullable(Type.Integer({ minimum: 0, description: 'The step it is at (running: the next to run; compensating: the next to undo); null once it ended' })),
      lease: Nullable(Type.Object({ owner: Type.String({ description: 'The worker running its step' }), until: Timestamp }, { additionalProperties: false })),
      steps: Type.Array(WorkflowStep, { description: 'In order: what happened to each step, then the ones still to come' }),
    },
    { title: 'WorkflowRun', additionalProperties: false },
  ),
);
export type WorkflowRun = Static<typeof WorkflowRun>;

export const ListWorkflowRunsQuery = StrictObject({
  ...PageQuery,
  status: Type.Optional(WorkflowStatus),
  workflow: Type.Optional(WorkflowName),
});
export type ListWorkflowRunsQuery = Static<typeof ListWorkflowRunsQuery>;

export const WorkflowRunIdParams = StrictObject({ id: Id('workflowRun') });
