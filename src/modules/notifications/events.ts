// The events notifications publishes: a member of staff read a message (bodies hold invitation and
// reset links, so each read is audited and announced).
import { defineEvent } from '../../kernel/events.js';

export const MailRead = defineEvent<{ mailId: string }>('mail.read', { version: 1 });
