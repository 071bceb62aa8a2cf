// The events the operations module publishes (kernel/events.ts).
import { defineEvent } from '../../kernel/events.js';

/** An operator replayed a dead delivery: the handler will get the event once more. */
export const DeadLetterReplayed = defineEvent<{ deadLetterId: string; eventId: string; eventType: string; handler: string; attempts: number; lastError: string | null }>('operations.dead-letter.replayed', { version: 1 });
