// Dead event deliveries as the API shows them to platform staff.
import { Type, type Static, type TSchema } from 'typebox';
import { StrictObject, Id, PageQuery, Page } from '../../kernel/api/schemas.js';

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
