// The notifications module's job queues, apart from the code that works them: migration creates
// them without loading the mail transport.
import type { QueueDefinition } from '../../kernel/jobs.js';

/**
 * The delivery queue. Backoff doubles from 2 s (with jitter): ten retries span about half an hour
 * to an hour, enough to ride out a mail server restart or a greylisting delay.
 */
export const MAIL_QUEUE: QueueDefinition = { name: 'notifications-mail', retryLimit: 10, retryDelay: 2, retryBackoff: true };
