// The kernel's job queues, apart from the code that works them: migration creates every queue
// (the application role cannot) and needs only their definitions, not the kernel's machinery.
import type { QueueDefinition } from './jobs.js';

/** Delivers each outbox event to each subscribed handler (kernel/outbox.ts). */
export const DELIVERY_QUEUE = 'event-delivery';
/** Housekeeping every 15 minutes (expired sessions, tokens, idempotency records). */
export const MAINTENANCE_QUEUE = 'kernel-maintenance';
/** Records a signed checkpoint of the audit chain heads (docs/adr/0011), on config.auditCheckpointCron. */
export const AUDIT_CHECKPOINT_QUEUE = 'kernel-audit-checkpoint';
/** Runs workflow steps and their compensations, one job per step (kernel/workflow.ts). */
export const WORKFLOW_QUEUE = 'kernel-workflow';

export const KERNEL_QUEUES: QueueDefinition[] = [
  { name: DELIVERY_QUEUE, retryLimit: 10, retryDelay: 1, retryBackoff: true },
  { name: MAINTENANCE_QUEUE, retryLimit: 2 },
  { name: AUDIT_CHECKPOINT_QUEUE, retryLimit: 2 },
  { name: WORKFLOW_QUEUE, retryLimit: 5, retryDelay: 1, retryBackoff: true },
];
