// The mail outbox as the API shows it to platform staff. A list shows summaries only; message
// bodies (which carry invitation and reset links) appear only when one message is read.
import { Type, type Static, type TSchema } from 'typebox';
import { StrictObject, Id, PageQuery, Page, named } from '../../kernel/api/schemas.js';

export const MAIL_STATUSES = ['queued', 'sent', 'failed', 'stored'] as const;
export type MailStatus = (typeof MAIL_STATUSES)[number];

const Status = named(
  'MailStatus',
  Type.Union([Type.Literal('queued'), Type.Literal('sent'), Type.Literal('failed'), Type.Literal('stored')], {
    description: 'queued → sent | failed; stored: no SMTP server is configured, so the message was kept, not sent',
  }),
);
const Timestamp = Type.String({ format: 'date-time' });
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

const summaryProperties = {
  id: Id('mail'),
  tenantId: Nullable(Id('tenant')),
  to: Type.String({ description: 'The recipient address' }),
  subject: Type.String(),
  purpose: Type.String({ description: 'What the message is for, e.g. identity.invitation' }),
  status: Status,
  attempts: Type.Integer({ minimum: 0, description: 'Delivery attempts made so far' }),
  lastError: Nullable(Type.String({ description: 'The last delivery error (SMTP reply or connection error)' })),
  createdAt: Timestamp,
  sentAt: Nullable(Timestamp),
};

export const MailSummary = named('MailSummary', Type.Object(summaryProperties, { title: 'MailSummary', additionalProperties: false }));
export type MailSummary = Static<typeof MailSummary>;

export const MailMessage = named(
  'MailMessage',
  Type.Object(
    {
      ...summaryProperties,
      text: Type.String({ description: 'The plain-text body' }),
      html: Nullable(Type.String({ description: 'The HTML body, if any; untrusted markup, display it sandboxed' })),
    },
    { title: 'MailMessage', additionalProperties: false },
  ),
);
export type MailMessage = Static<typeof MailMessage>;

export const MailPage = Page(MailSummary, 'MailPage');

export const ListMailQuery = StrictObject({
  ...PageQuery,
  status: Type.Optional(Status),
  to: Type.Optional(Type.String({ minLength: 1, maxLength: 320, description: 'Only messages to this address (case-insensitive, exact)' })),
});
export type ListMailQuery = Static<typeof ListMailQuery>;

export const MailIdParams = StrictObject({ id: Id('mail') });

/** What a caller of Mailer.enqueue hands over; checked before it is stored. */
export const OutgoingMailInput = StrictObject({
  to: Type.String({ format: 'email', maxLength: 320 }),
  subject: Type.String({ minLength: 1, maxLength: 998, pattern: '^[^\\r\\n]*$', description: 'One header line' }),
  text: Type.String({ minLength: 1, maxLength: 1_000_000 }),
  html: Type.Optional(Type.String({ maxLength: 1_000_000 })),
  tenantId: Type.Optional(Type.Union([Id('tenant'), Type.Null()])),
  purpose: Type.String({ pattern: '^[a-z][a-z0-9_.-]{0,99}$', description: 'What the mail is for, e.g. identity.invitation' }),
  dedupKey: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: 'Queued at most once per key (e.g. event id and recipient): a repeated enqueue with a taken key queues nothing' })),
});
export type OutgoingMailInput = Static<typeof OutgoingMailInput>;
