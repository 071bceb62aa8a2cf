// Notifications' settings: the outgoing mail server and the sender. Read and validated at boot with
// the rest of the configuration (kernel/config.ts), from the manifest.
import { defineSettings, mailAddress, smtpUrl } from '../../kernel/config.js';

export interface NotificationSettings {
  /** Outgoing mail server (`smtp://` or `smtps://user:pass@host:port`). Absent: mail is stored, not sent. */
  smtpUrl: string | undefined;
  /** The From of outgoing mail: `Name <address>` or an address. */
  mailFrom: string;
}

declare module '../../kernel/config.js' {
  interface ModuleSettings {
    notifications: NotificationSettings;
  }
}

export const NOTIFICATION_SETTINGS = defineSettings<NotificationSettings>({
  read: (source) => ({
    smtpUrl: smtpUrl(source, 'SMTP_URL'),
    mailFrom: mailAddress(source, 'MAIL_FROM', 'Platforma <no-reply@localhost>'),
  }),
  variables: {
    smtpUrl: { variable: 'SMTP_URL', show: 'url-password' },
    mailFrom: { variable: 'MAIL_FROM' },
  },
});
