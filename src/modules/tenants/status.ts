// The tenant status machine, declared once: the service applies it (nextStatus), the docs render it
// (npm run docs:state-machines) and test/api/state-machines.test.ts holds the database's trigger
// (tenancy.enforce_status_transition) to the same edges.
import { defineStateMachine } from '../../kernel/state-machine.js';
import { TENANT_STATUSES, type TenantStatus } from './schemas.js';

export const TENANT_STATUS_MACHINE = defineStateMachine({
  name: 'tenant',
  states: TENANT_STATUSES,
  initial: ['pending', 'active'],
  transitions: [
    { from: 'pending', to: 'active', action: 'activate', done: 'activated', event: 'tenant.activated' },
    { from: 'active', to: 'suspended', action: 'suspend', done: 'suspended', event: 'tenant.suspended' },
    { from: 'suspended', to: 'active', action: 'reactivate', done: 'reactivated', event: 'tenant.reactivated' },
    { from: ['pending', 'active', 'suspended'], to: 'terminated', action: 'terminate', done: 'terminated', event: 'tenant.terminated' },
  ],
});

export type TenantTransition = (typeof TENANT_STATUS_MACHINE.transitions)[number]['action'];

/** The status a transition leads to, or an InvalidTransitionError naming the current status. */
export function nextStatus(current: TenantStatus, transition: TenantTransition): TenantStatus {
  return TENANT_STATUS_MACHINE.apply(current, transition);
}

export function eventTypeOf(transition: TenantTransition): string {
  return TENANT_STATUS_MACHINE.eventOf(transition);
}
