// Single-use links sent by email (password reset, email verification, and a new staff member's
// link to choose a first password, which is a password-reset token that lives longer). The token
// travels only in the mail; the database keeps its SHA-256, so a copy of the table opens nothing.
// The message is queued in the caller's transaction: no token is mailed for a change that rolled back.
// The link opens the page of the app the person uses (staff: the admin console, everyone else: the
// portal) with the token in the URL fragment, which browsers send neither to servers nor in
// Referer headers, so it stays out of access logs (as invitation links do).
import { createHash, randomBytes } from 'node:crypto';
import type { Kernel } from '../../../kernel/kernel.js';
import type { Tx } from '../../../kernel/db/database.js';
import { newId } from '../../../kernel/ids.js';
import type { Mailer } from '../../notifications/index.js';
import { CredentialsRepository, type EmailTokenPurpose, type EmailTokenRow } from './security-repository.js';

export const PASSWORD_RESET_MINUTES = 30;
export const EMAIL_VERIFICATION_HOURS = 48;
export const STAFF_INVITATION_HOURS = 72;

/** What a mail is about; each kind issues a token of one purpose. */
export type EmailTokenMessage = EmailTokenPurpose | 'staff_invitation';

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

interface MessageSpec {
  purpose: EmailTokenPurpose;
  subject: string;
  path: string;
  text: (link: string, details: Record<string, string>) => string;
  lifetimeMs: number;
}

const MESSAGES: Record<EmailTokenMessage, MessageSpec> = {
  password_reset: {
    purpose: 'password_reset',
    subject: 'Reset your Platforma password',
    path: '/reset-password',
    lifetimeMs: PASSWORD_RESET_MINUTES * 60_000,
    text: (link) =>
      `Someone (hopefully you) asked to reset the password of your Platforma account.\n\nChoose a new password here (the link works once, for ${PASSWORD_RESET_MINUTES} minutes):\n${link}\n\nIf it was not you, ignore this message: your password stays as it is.\n`,
  },
  email_verification: {
    purpose: 'email_verification',
    subject: 'Confirm your email address for Platforma',
    path: '/verify-email',
    lifetimeMs: EMAIL_VERIFICATION_HOURS * 3_600_000,
    text: (link) => `Confirm that this address belongs to you (the link works once, for ${EMAIL_VERIFICATION_HOURS} hours):\n${link}\n`,
  },
  // Choosing the first password proves the inbox like any reset link does.
  staff_invitation: {
    purpose: 'password_reset',
    subject: 'You are invited to run Platforma',
    path: '/reset-password',
    lifetimeMs: STAFF_INVITATION_HOURS * 3_600_000,
    text: (link, details) =>
      `${details.invitedBy} added you to the platform staff of Platforma as ${details.role}.\n\n` +
      `Choose your password here (the link works once, for ${STAFF_INVITATION_HOURS} hours):\n${link}\n\n` +
      `Then sign in to the admin console at ${details.adminUrl}. Staff sign-ins need a second factor: you will set up an authenticator app the first time.\n\n` +
      `If you did not expect this, ignore this message.\n`,
  },
};

export class EmailTokens {
  readonly #repository = new CredentialsRepository();

  constructor(
    private readonly kernel: Pick<Kernel, 'config' | 'clock'>,
    private readonly mailer: Mailer,
  ) {}

  /** Issues a token (retiring older ones of the same purpose) and queues the mail carrying it. */
  async send(tx: Tx, user: { id: string; email: string; platform_role: string | null }, kind: EmailTokenMessage, details: Record<string, string> = {}): Promise<void> {
    const now = this.kernel.clock.now();
    const token = randomBytes(32).toString('base64url');
    const message = MESSAGES[kind];
    const purpose = message.purpose;
    await this.#repository.retireEmailTokens(tx, user.id, purpose, now);
    await this.#repository.insertEmailToken(tx, {
      id: newId('emailToken'),
      user_id: user.id,
      purpose,
      email: user.email,
      token_hash: hashToken(token),
      created_at: now,
      expires_at: new Date(now.getTime() + message.lifetimeMs),
      used_at: null,
    });
    const app = user.platform_role ? 'admin' : 'portal';
    const link = `${this.kernel.config.publicUrl}/${app}${message.path}#token=${token}`;
    const text = message.text(link, { ...details, adminUrl: `${this.kernel.config.publicUrl}/admin` });
    await this.mailer.enqueue(tx, { to: user.email, subject: message.subject, text, purpose: `identity.${kind}` });
  }

  /** The live token, without using it up. */
  async peek(tx: Tx, purpose: EmailTokenPurpose, token: string): Promise<EmailTokenRow | undefined> {
    return this.#repository.findLiveEmailToken(tx, purpose, hashToken(token), this.kernel.clock.now());
  }

  /** Uses up a token: the row if it was live, nothing if unknown, used or expired. */
  async consume(tx: Tx, purpose: EmailTokenPurpose, token: string): Promise<EmailTokenRow | undefined> {
    return this.#repository.consumeEmailToken(tx, purpose, hashToken(token), this.kernel.clock.now());
  }
}
