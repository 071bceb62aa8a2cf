// The body of an order's page, shared by the portal and the admin: why it waits or stopped, its
// items and prices, and its timeline.
import type { Order } from '../api/types.js';
import { formatDateTime } from '../format.js';
import { OrderItemsTable, OrderTimeline } from './OrderParts.js';

export function OrderSummary({ order }: { order: Order }) {
  const approval = order.approval;
  return (
    <div className="stack">
      {order.status === 'pending_approval' && approval && (
        <div className="alert alert-warning" data-testid="approval-pending">
          Waiting for an operator’s approval: {approval.required.join('; ')}.
        </div>
      )}
      {approval?.decision && (
        <div className={approval.decision === 'approved' ? 'alert alert-success' : 'alert alert-error'} data-testid="approval-decision">
          {approval.decision === 'approved' ? 'Approved' : 'Rejected'}
          {approval.reason ? `: ${approval.reason}` : '.'}
        </div>
      )}
      {order.failureReason && (
        <div className="alert alert-error" data-testid="failure-reason">
          {order.failureReason}
        </div>
      )}
      <section className="card">
        <div className="card-header">
          <h2>Items</h2>
          <span className="muted">{order.currency}</span>
        </div>
        <OrderItemsTable order={order} />
      </section>
      <section className="card">
        <div className="card-header">
          <h2>Timeline</h2>
        </div>
        <div className="card-body stack">
          <OrderTimeline timeline={order.timeline} />
          <dl className="details">
            <dt>Placed</dt>
            <dd>{formatDateTime(order.submittedAt)}</dd>
            <dt>Payment</dt>
            <dd>Invoiced after delivery</dd>
            {order.couponCode && (
              <>
                <dt>Coupon</dt>
                <dd className="mono">{order.couponCode}</dd>
              </>
            )}
          </dl>
          </div>
      </section>
    </div>
  );
}
