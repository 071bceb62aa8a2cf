// Use cases of the platform's own operation, for platform staff: the outbox's dead letters (event
// deliveries that failed their last retry), looked through and replayed. Each replay is recorded
// (audit entry and event) by the use-case pipeline.
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
import type { EventDeadLetter, ListDeadLettersQuery, ReplayDeadLettersBody } from './schemas.js';

const isDeadLetterId = (value: unknown): value is string => typeof value === 'string' && isId('deadLetter', value);
/** Dead letters are platform resources: no tenant role reaches them, and the actions are platform-only. */
const deadLetterResource = (id: string) => resourceName(PLATFORM, 'event-dead-letter', id);

function toView(letter: DeadLetter): EventDeadLetter {
  return { ...letter, failedAt: letter.failedAt.toISOString(), replayedAt: letter.replayedAt ? letter.replayedAt.toISOString() : null };
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

  constructor(private readonly kernel: Pick<Kernel, 'events' | 'useCases'>) {}

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

  async #replay(run: UseCaseRun<unknown> & { tx: Tx }, filter: DeadLetterFilter): Promise<EventDeadLetter[]> {
    const replayed = await this.kernel.events.replayDeadLetters(filter, { tx: run.tx, replayedBy: run.context.principal?.userId ?? 'system' });
    for (const letter of replayed) {
      const facts = { deadLetterId: letter.id, eventId: letter.eventId, eventType: letter.eventType, handler: letter.handler, attempts: letter.attempts, lastError: letter.lastError };
      run.record({ action: 'operations.dead-letter.replayed', target: { type: 'event-dead-letter', id: letter.id }, after: facts, event: { contract: DeadLetterReplayed, payload: facts } });
    }
    return replayed.map(toView);
  }
}
