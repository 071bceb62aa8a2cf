// The body of an order's page, shared by the portal and the admin: what it changes (a change
// order), why it waits or stopped, its items and prices, and its timeline.
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import type { Order, OrderItem } from '../api/types.js';
import { formatDateTime } from '../format.js';
import { formatMinor } from '../money.js';
import { CHANGE_KINDS, OrderItemsTable, OrderTimeline, orderLabel } from './OrderParts.js';

export function OrderSummary({ order, itemAction }: { order: Order; itemAction?: (item: OrderItem) => ReactNode }) {
  const approval = order.approval;
  return (
    <div className="stack">
      {order.changeOf && <ChangeOfNotice order={order} />}
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
        <div className="alert alert-error">
          {order.failureReason}
        </div>
      )}
      <section className="card">
        <div className="card-header">
          <h2>Items</h2>
          <span className="muted">{order.currency}</span>
        </div>
        <OrderItemsTable order={order} itemAction={itemAction} />
      </section>
      <section className="card">
        <div className="card-header">
          <h2>Timeline</h2>
        </div>
        <div className="card-body stack">
          <OrderTimeline timeline={order.timeline} />
          <dl className="details">
            <dt>Order number</dt>
            <dd data-testid="order-number">{orderLabel(order)}</dd>
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

/** What a change order changes, and how it settles the current period. */
function ChangeOfNotice({ order }: { order: Order }) {
  const { changeOf, proration } = order;
  if (!changeOf) return null;
  return (
    <section className="card" data-testid="change-of" data-order-id={changeOf.orderId} data-item-id={changeOf.itemId}>
      <div className="card-header">
        <h2>
          Changes {order.items[0]?.productName ?? 'an item'} of order{' '}
          <Link to={`/orders/${changeOf.orderId}`} data-testid="change-of-link">
            {changeOf.orderNumber ?? 'placed earlier'}
          </Link>
        </h2>
        <span className="muted" data-testid="change-of-kind">
          {CHANGE_KINDS[changeOf.kind]}
        </span>
      </div>
      {proration && (
        <div className="card-body">
          <dl className="details">
            {proration.mode === 'prorate_now' && (
              <>
                <dt>Credit</dt>
                <dd>{formatMinor(proration.creditMinor, order.currency)} for the unused part of the period</dd>
                <dt>Charge</dt>
                <dd>{formatMinor(proration.chargeMinor, order.currency)} for the rest of the period</dd>
              </>
            )}
            <dt>Due now</dt>
            <dd data-testid="change-of-due-now">{formatMinor(proration.dueNowMinor, order.currency)}</dd>
            <dt>New price from</dt>
            <dd>{formatDateTime(proration.newPriceFrom)}</dd>
          </dl>
        </div>
      )}
    </section>
  );
}
