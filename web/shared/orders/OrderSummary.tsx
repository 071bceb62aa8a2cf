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
        <div className="alert alert-warning" role="status">
          Waiting for an operator’s approval: {approval.required.join('; ')}.
        </div>
      )}
      {approval?.decision && (
        <div className={approval.decision === 'approved' ? 'alert alert-success' : 'alert alert-error'} role="status">
          {approval.decision === 'approved' ? 'Approved' : 'Rejected'}
          {approval.reason ? `: ${approval.reason}` : '.'}
        </div>
      )}
      {order.failureReason && (
        <div className="alert alert-error">
          {order.failureReason}
        </div>
      )}
      <section className="card" aria-labelledby="order-items-title">
        <div className="card-header">
          <h2 id="order-items-title">Items</h2>
          <span className="muted">{order.currency}</span>
        </div>
        <OrderItemsTable order={order} itemAction={itemAction} />
      </section>
      <section className="card" aria-labelledby="order-timeline-title">
        <div className="card-header">
          <h2 id="order-timeline-title">Timeline</h2>
        </div>
        <div className="card-body stack">
          <OrderTimeline timeline={order.timeline} />
          <dl className="details">
            <dt>Order number</dt>
            <dd>{orderLabel(order)}</dd>
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
    <section className="card" data-order-id={changeOf.orderId} data-item-id={changeOf.itemId} aria-labelledby="change-of-title">
      <div className="card-header">
        <h2 id="change-of-title">
          Changes {order.items[0]?.productName ?? 'an item'} of order <Link to={`/orders/${changeOf.orderId}`}>{changeOf.orderNumber ?? 'placed earlier'}</Link>
        </h2>
        <span className="muted">{CHANGE_KINDS[changeOf.kind]}</span>
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
            <dd>{formatMinor(proration.dueNowMinor, order.currency)}</dd>
            <dt>New price from</dt>
            <dd>{formatDateTime(proration.newPriceFrom)}</dd>
          </dl>
        </div>
      )}
    </section>
  );
}
