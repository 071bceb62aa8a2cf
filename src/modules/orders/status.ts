// The order status machine, declared once: order-steps.ts checks every step of an order's timeline
// against it before writing, the docs render it (npm run docs:state-machines), and
// test/api/state-machines.test.ts holds the database's guard (orders.is_status_edge, which checks
// each timeline step) to the same edges.
import { defineStateMachine } from '../../kernel/state-machine.js';
import { ORDER_STATUSES } from './schemas.js';

export const ORDER_STATUS_MACHINE = defineStateMachine({
  name: 'order',
  states: ORDER_STATUSES,
  initial: ['draft'],
  transitions: [
    { from: 'draft', to: 'submitted', action: 'submit', done: 'submitted', event: 'order.submitted' },
    { from: 'submitted', to: 'pending_approval', action: 'hold for approval', event: 'order.approval_requested' },
    { from: 'submitted', to: 'awaiting_payment', action: 'await payment', event: 'order.awaiting_payment' },
    { from: 'pending_approval', to: 'awaiting_payment', action: 'approve', done: 'approved', event: 'order.approved' },
    { from: 'pending_approval', to: 'cancelled', action: 'reject', done: 'rejected', event: 'order.rejected' },
    { from: 'awaiting_payment', to: 'provisioning', action: 'provision', done: 'provisioned', event: 'order.provisioning_requested' },
    { from: 'provisioning', to: 'fulfilled', action: 'fulfil', done: 'fulfilled', event: 'order.fulfilled' },
    { from: ['submitted', 'provisioning'], to: 'failed', action: 'fail', done: 'failed', event: 'order.failed' },
    { from: ['draft', 'submitted', 'pending_approval', 'awaiting_payment'], to: 'cancelled', action: 'cancel', done: 'cancelled', event: 'order.cancelled' },
  ],
});
