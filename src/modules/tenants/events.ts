// The events tenants publishes: a tenant created, changed, and each step of its lifecycle.
import { defineEvent } from '../../kernel/events.js';
import type { TenantStatus } from './schemas.js';

export interface TenantChangePayload {
  tenantId: string;
  status: TenantStatus;
  /** The tenant document's version after the change (its ETag). */
  version: number;
  reason?: string;
}

/** Also names who is to own the new tenant: identity invites them, reading no tenant row. */
export interface TenantCreatedPayload extends TenantChangePayload {
  adminEmail: string;
  organizationName: string;
}

export const TenantCreated = defineEvent<TenantCreatedPayload>('tenant.created', { version: 1 });
export const TenantUpdated = defineEvent<TenantChangePayload>('tenant.updated', { version: 1 });
export const TenantActivated = defineEvent<TenantChangePayload>('tenant.activated', { version: 1 });
export const TenantSuspended = defineEvent<TenantChangePayload>('tenant.suspended', { version: 1 });
export const TenantReactivated = defineEvent<TenantChangePayload>('tenant.reactivated', { version: 1 });
export const TenantTerminated = defineEvent<TenantChangePayload>('tenant.terminated', { version: 1 });
