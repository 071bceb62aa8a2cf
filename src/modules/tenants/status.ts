// The tenant status machine. The database enforces the same edges (see the migration's trigger).
import { InvalidTransitionError } from '../../kernel/errors.js';
import type { TenantStatus } from './schemas.js';

export type TenantTransition = 'activate' | 'suspend' | 'reactivate' | 'terminate';

const EDGES: Record<TenantTransition, { from: TenantStatus[]; to: TenantStatus; pastTense: string }> = {
  activate: { from: ['pending'], to: 'active', pastTense: 'activated' },
  suspend: { from: ['active'], to: 'suspended', pastTense: 'suspended' },
  reactivate: { from: ['suspended'], to: 'active', pastTense: 'reactivated' },
  terminate: { from: ['pending', 'active', 'suspended'], to: 'terminated', pastTense: 'terminated' },
};

/** The status a transition leads to, or an InvalidTransitionError naming the current status. */
export function nextStatus(current: TenantStatus, transition: TenantTransition): TenantStatus {
  const edge = EDGES[transition];
  if (!edge.from.includes(current)) throw new InvalidTransitionError('tenant', current, edge.pastTense);
  return edge.to;
}

export function eventTypeOf(transition: TenantTransition): string {
  return `tenant.${EDGES[transition].pastTense}`;
}
