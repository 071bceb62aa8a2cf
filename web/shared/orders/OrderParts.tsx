// Pieces of an order shown in both the portal (my orders) and the admin (order queue): its status
// as a badge, its timeline, and its items with their priced lines and totals. Amounts are formatted
// from the exact strings the API sends (see money.ts).
import type { ReactNode } from 'react';
import type { ChangeKind, Order, OrderItem, OrderStatus, PricePreview, TimelineEntry } from '../api/types.js';
import { formatDateTime } from '../format.js';
import { formatMinor, formatMoney } from '../money.js';

const STATUS_LABELS: Record<OrderStatus, string> = {
  draft: 'Cart',
  submitted: 'Submitted',
  pending_approval: 'Pending approval',
  awaiting_payment: 'Awaiting payment',
  provisioning: 'Provisioning',
  fulfilled: 'Fulfilled',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

/** What a change of a live item is, in words. */
export const CHANGE_KINDS: Record<ChangeKind, string> = {
  upgrade: 'Upgrade',
  downgrade: 'Downgrade',
  quantity_change: 'Quantity change',
  change: 'Change',
};

export function orderStatusLabel(status: OrderStatus): string {
  return STATUS_LABELS[status];
}

export function OrderStatusBadge({ status, testId }: { status: OrderStatus; testId?: string }) {
  return (
    <span className={`badge badge-${status}`} data-testid={testId} data-status={status}>
      {STATUS_LABELS[status]}
    </span>
  );
}

/** Every status the order went through, oldest first, with who moved it and why. */
export function OrderTimeline({ timeline, actorName }: { timeline: TimelineEntry[]; actorName?: (actorId: string) => string }) {
  if (timeline.length === 0) return <p className="muted">No status changes yet.</p>;
  return (
    <ol className="timeline" data-testid="order-timeline">
      {timeline.map((entry, index) => (
        <li key={`${entry.status}-${index}`} data-testid="timeline-entry" data-status={entry.status}>
          <div>
            <strong>{STATUS_LABELS[entry.status]}</strong>
          </div>
          <div className="timeline-meta">
            {formatDateTime(entry.at, true)}
            {entry.actorId && <> · by {actorName ? actorName(entry.actorId) : <span className="mono">{entry.actorId}</span>}</>}
          </div>
          {entry.reason && (
            <div className="timeline-meta" data-testid="timeline-reason">
              {entry.reason}
            </div>
          )}
        </li>
      ))}
    </ol>
  );
}

/** The lines of one price (recurring, setup, usage estimate, discount) with its total and what is due now. */
export function PriceLines({ price, testId = 'price-lines' }: { price: PricePreview; testId?: string }) {
  return (
    <table className="table" data-testid={testId}>
      <tbody>
        {price.lines.map((line, index) => (
          <tr key={index} data-testid="price-line" data-kind={line.kind}>
            <td>
              {line.description}
              {line.quantity !== '1' && <span className="muted"> × {line.quantity}</span>}
            </td>
            <td className="amount">{formatMoney(line.amount, price.currency)}</td>
          </tr>
        ))}
        <tr className="total-row">
          <td>Total per {price.interval === 'one_time' ? 'order' : price.interval}</td>
          <td className="amount" data-testid={`${testId}-total`}>
            {formatMoney(price.total, price.currency)}
          </td>
        </tr>
        <tr>
          <td className="muted">Due now{price.trialDays > 0 ? ` (${price.trialDays}-day trial)` : ''}</td>
          <td className="amount muted" data-testid={`${testId}-due-now`}>
            {formatMoney(price.dueNow, price.currency)}
          </td>
        </tr>
      </tbody>
    </table>
  );
}

/**
 * An order's items: product, version, plan, quantity, configuration and price, with the order total.
 * A cart's items can be removed; `itemAction` adds something else to each row (changing a live item).
 */
export function OrderItemsTable({ order, onRemove, busyItem, itemAction }: { order: Order; onRemove?: (itemId: string) => void; busyItem?: string | null; itemAction?: (item: OrderItem) => ReactNode }) {
  if (order.items.length === 0) return <div className="table-empty">No items.</div>;
  const actions = onRemove !== undefined || itemAction !== undefined;
  return (
    <div className="table-wrap">
      <table className="table" data-testid="order-items">
        <thead>
          <tr>
            <th>Product</th>
            <th>Plan</th>
            <th>Quantity</th>
            <th>Configuration</th>
            <th className="amount">Price</th>
            {actions && <th aria-label="Actions" />}
          </tr>
        </thead>
        <tbody>
          {order.items.map((item) => (
            <tr key={item.id} data-testid="order-item" data-item-id={item.id}>
              <td>
                {item.productName} <span className="muted">v{item.version}</span>
              </td>
              <td>{item.pricePlan}</td>
              <td>{item.quantity}</td>
              <td>
                <ConfigurationSummary configuration={item.configuration} />
              </td>
              <td className="amount">
                {item.price ? (
                  <>
                    {formatMoney(item.price.total, item.price.currency)}
                    <div className="muted">per {item.price.interval === 'one_time' ? 'order' : item.price.interval}</div>
                  </>
                ) : (
                  '—'
                )}
              </td>
              {actions && (
                <td>
                  {onRemove && (
                    <button type="button" className="button button-ghost" onClick={() => onRemove(item.id)} disabled={busyItem === item.id} data-testid="remove-item">
                      Remove
                    </button>
                  )}
                  {itemAction?.(item)}
                </td>
              )}
            </tr>
          ))}
          <tr className="total-row">
            <td colSpan={4}>Total</td>
            <td className="amount" data-testid="order-total">
              {formatMinor(order.totalMinor, order.currency)}
            </td>
            {actions && <td />}
          </tr>
          <tr>
            <td colSpan={4} className="muted">
              Due now
            </td>
            <td className="amount muted" data-testid="order-due-now">
              {formatMinor(order.dueNowMinor, order.currency)}
            </td>
            {actions && <td />}
          </tr>
        </tbody>
      </table>
    </div>
  );
}

export function ConfigurationSummary({ configuration }: { configuration: Record<string, unknown> }) {
  const entries = Object.entries(configuration);
  if (entries.length === 0) return <span className="muted">—</span>;
  return (
    <span className="mono" data-testid="item-configuration">
      {entries.map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`).join(', ')}
    </span>
  );
}
