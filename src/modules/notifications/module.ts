// The notifications module, as the platform knows it (kernel/module.ts): its tables, mail queue and
// settings, read without loading its code.
import { fileURLToPath } from 'node:url';
import { defineModule, type PortsOf } from '../../kernel/module.js';
import { MAIL_QUEUE } from './queues.js';
import { NOTIFICATION_SETTINGS } from './settings.js';
import type { NotificationsApi } from './index.js';

declare module '../../kernel/module.js' {
  interface ModuleApis {
    notifications: NotificationsApi;
  }
}

/** The kernel services notifications' code uses: the mail queue (jobs) and its worker's log. */
const PORTS = ['config', 'clock', 'logger', 'db', 'jobs', 'useCases'] as const;
export type NotificationsPorts = PortsOf<typeof PORTS>;

export const notificationsModule = defineModule({
  name: 'notifications',
  description: 'Outgoing email: queued in the sender’s transaction, sent over SMTP with retries, or kept for staff to read',
  ports: PORTS,
  migrations: fileURLToPath(new URL('./migrations', import.meta.url)),
  queues: [MAIL_QUEUE],
  settings: NOTIFICATION_SETTINGS,
  // The platform's outgoing mail is the operator's to read.
  authorization: { platformOnly: ['notifications:mail.*'] },
  load: async () => (await import('./index.js')).createNotificationsModule,
});
