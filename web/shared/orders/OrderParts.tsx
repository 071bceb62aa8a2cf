// Pieces of an order shown in both the portal (my orders) and the admin (order queue): its status
// as a badge, its timeline, and its items with their priced lines and totals. Amounts are formatted
// from the exact strings the API sends (see money.ts).
import type { ReactNode } from 'react';
import type { ChangeKind, Order, OrderItem, OrderStatus, PricePreview, TimelineEntry } from '../api/types.js';
import { formatDateTime } from '../format.js';
import { formatMinor, formatMoney } from '../money.js';
import { intervalText, lineMultiplier, lineRecurs, oneTimeText, quantityEffect, recurringText } from '../pricing-text.js';

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

export function OrderStatusBadge({ status }: { status: OrderStatus }) {
  return (
    <span className={`badge badge-${status}`} data-status={status}>
      {STATUS_LABELS[status]}
    </span>
  );
}

/** Every status the order went through, oldest first, with who moved it (by name) and why. */
export function OrderTimeline({ timeline }: { timeline: TimelineEntry[] }) {
  if (timeline.length === 0) return <p className="muted">No status changes yet.</p>;
  return (
    <ol className="timeline" aria-label="Status changes">
      {timeline.map((entry, index) => (
        <li key={`${entry.status}-${index}`} data-status={entry.status}>
          <div>
            <strong>{STATUS_LABELS[entry.status]}</strong>
          </div>
          <div className="timeline-meta">
            {formatDateTime(entry.at, true)}
            {entry.actorName ? (
              <>
                {' '}
                · by <span>{entry.actorName}</span>
              </>
            ) : entry.actorId ? (
              ' · by a team member'
            ) : null}
          </div>
          {entry.reason && (
            <div className="timeline-meta">
              {entry.reason}
            </div>
          )}
        </li>
      ))}
    </ol>
  );
}

/** An order's amounts in one line for lists: "€40.00 per month + €10.00 once"; months and years apart. */
export function orderAmountsText(order: Pick<Order, 'recurringTotals' | 'oneTimeMinor' | 'currency'>): string {
  const parts = order.recurringTotals.map((total) => recurringText(total.amountMinor, total.interval, order.currency));
  if (order.oneTimeMinor !== '0' || parts.length === 0) parts.push(`${formatMinor(order.oneTimeMinor, order.currency)} once`);
  return parts.join(' + ');
}

/** An order's number for people ("ORD-000042"), or what it is while it has none (a cart). */
export function orderLabel(order: Pick<Order, 'number' | 'status'>): string {
  return order.number ?? (order.status === 'draft' ? 'Cart (not placed yet)' : 'Cancelled cart');
}

/**
 * The lines of one price, each with what it recurs by, "× N" only where the amount is the price
 * times N, and a sentence saying what the quantity did under the line's price model; then what it
 * costs per interval, what it costs once, and what is due now, each on its own row, headed by its
 * name. `label` names the table ("Quote").
 */
export function PriceLines({ price, label }: { price: PricePreview; label: string }) {
  const recurs = price.interval !== 'one_time';
  return (
    <table className="table" aria-label={label}>
      <tbody>
        {price.lines.map((line, index) => {
          const multiplier = lineMultiplier(line);
          return (
            <tr key={index} data-kind={line.kind}>
              <td>
                {line.description}
                {multiplier && (
                  <span className="muted">
                    {' '}
                    {multiplier}
                  </span>
                )}
                {line.priceModel && (
                  <div className="muted">
                    {quantityEffect(line.priceModel, line.quantity, line.amount, price.currency)}
                  </div>
                )}
              </td>
              <td className="amount">
                {formatMoney(line.amount, price.currency)}
                {line.kind !== 'discount' && <div className="muted">{lineRecurs(line, price.interval) ? intervalText(price.interval) : 'once'}</div>}
              </td>
            </tr>
          );
        })}
        {recurs && (
          <tr className="total-row">
            <th scope="row">{intervalText(price.interval).replace(/^per/, 'Per')}</th>
            <td className="amount">{recurringText(price.recurringMinor, price.interval, price.currency)}</td>
          </tr>
        )}
        {(!recurs || price.oneTimeMinor !== '0') && (
          <tr className={recurs ? undefined : 'total-row'}>
            <th scope="row">Once</th>
            <td className="amount">{oneTimeText(price)}</td>
          </tr>
        )}
        <tr>
          <th scope="row" className="muted">
            Due now{price.trialDays > 0 ? ` (${price.trialDays}-day trial)` : ''}
          </th>
          <td className="amount muted">{formatMoney(price.dueNow, price.currency)}</td>
        </tr>
      </tbody>
    </table>
  );
}

/** What a price costs, recurring and once apart: "€40.00 per month" and "€10.00 once (setup)". */
export function ItemPrice({ price }: { price: PricePreview }) {
  const recurs = price.interval !== 'one_time';
  return (
    <>
      {recurs && <div>{recurringText(price.recurringMinor, price.interval, price.currency)}</div>}
      {(!recurs || price.oneTimeMinor !== '0') && <div className={recurs ? 'muted' : undefined}>{oneTimeText(price)}</div>}
    </>
  );
}

/** The sentence saying what an item's quantity does under its plan's price model. */
function itemQuantityEffect(item: OrderItem): string | null {
  const line = item.price?.lines.find((candidate) => candidate.kind === 'recurring' || candidate.kind === 'one_time');
  if (!line?.priceModel || !item.price) return null;
  return quantityEffect(line.priceModel, line.quantity, line.amount, item.price.currency);
}

/** An order's totals: per interval (months and years never added together), once, and due now; each row headed by its name. */
export function OrderTotals({ order, colSpan, actions }: { order: Order; colSpan: number; actions: boolean }) {
  return (
    <>
      {order.recurringTotals.map((total) => (
        <tr key={total.interval} className="total-row">
          <th scope="row" colSpan={colSpan}>
            Total {intervalText(total.interval)}
          </th>
          <td className="amount">{recurringText(total.amountMinor, total.interval, order.currency)}</td>
          {actions && <td />}
        </tr>
      ))}
      {(order.oneTimeMinor !== '0' || order.recurringTotals.length === 0) && (
        <tr className="total-row">
          <th scope="row" colSpan={colSpan}>
            Total once
          </th>
          <td className="amount">{formatMinor(order.oneTimeMinor, order.currency)} once</td>
          {actions && <td />}
        </tr>
      )}
      <tr>
        <th scope="row" colSpan={colSpan} className="muted">
          Due now
        </th>
        <td className="amount muted">{formatMinor(order.dueNowMinor, order.currency)}</td>
        {actions && <td />}
      </tr>
    </>
  );
}

/**
 * An order's items: product, version, plan, quantity (with what it does to the price),
 * configuration and price (recurring and once apart), with the order's totals.
 * A cart's items can be removed; `itemAction` adds something else to each row (changing a live item).
 */
export function OrderItemsTable({ order, onRemove, busyItem, itemAction }: { order: Order; onRemove?: (itemId: string) => void; busyItem?: string | null; itemAction?: (item: OrderItem) => ReactNode }) {
  if (order.items.length === 0) return <div className="table-empty">No items.</div>;
  const actions = onRemove !== undefined || itemAction !== undefined;
  return (
    <div className="table-wrap">
      <table className="table" aria-label="Items">
        <thead>
          <tr>
            <th scope="col">Product</th>
            <th scope="col">Plan</th>
            <th scope="col">Quantity</th>
            <th scope="col">Configuration</th>
            <th scope="col" className="amount">
              Price
            </th>
            {actions && <th scope="col" aria-label="Actions" />}
          </tr>
        </thead>
        <tbody>
          {order.items.map((item) => {
            const effect = itemQuantityEffect(item);
            return (
              <tr key={item.id} data-item-id={item.id}>
                <th scope="row">
                  {item.productName} <span className="muted">v{item.version}</span>
                </th>
                <td>{item.pricePlan}</td>
                <td>
                  <span>{item.quantity}</span>
                  {effect && <div className="muted">{effect}</div>}
                </td>
                <td>
                  <ConfigurationSummary item={item} />
                </td>
                <td className="amount">{item.price ? <ItemPrice price={item.price} /> : '—'}</td>
                {actions && (
                  <td>
                    {onRemove && (
                      <button type="button" className="button button-ghost" onClick={() => onRemove(item.id)} disabled={busyItem === item.id}>
                        Remove
                      </button>
                    )}
                    {itemAction?.(item)}
                  </td>
                )}
              </tr>
            );
          })}
          <OrderTotals order={order} colSpan={4} actions={actions} />
        </tbody>
      </table>
    </div>
  );
}

/** A setting's key made readable, for items kept before they carried the schema's titles. */
function readableKey(key: string): string {
  const spaced = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ');
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

/** An item's configuration by the schema's titles, with values in words (never raw keys). */
export function ConfigurationSummary({ item }: { item: Pick<OrderItem, 'configuration' | 'configurationSummary'> }) {
  const entries =
    item.configurationSummary ??
    Object.entries(item.configuration).map(([key, value]) => ({ key, title: readableKey(key), value: typeof value === 'boolean' ? (value ? 'Yes' : 'No') : typeof value === 'string' ? value : JSON.stringify(value) }));
  if (entries.length === 0) return <span className="muted">—</span>;
  return (
    <dl className="config-summary">
      {entries.map((entry) => (
        <div key={entry.key} data-key={entry.key}>
          <dt>{entry.title}</dt>
          <dd>{entry.value}</dd>
        </div>
      ))}
    </dl>
  );
}
