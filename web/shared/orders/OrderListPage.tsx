// The orders list, one implementation for both consoles: operators see every tenant's orders (a
// tenant column and filter, a search by order number, the queue of what waits for approval first);
// customers see their organisation's orders. Filters live in the URL so a view can be bookmarked;
// a filter change starts the list again from its first page.
import { useState, type FormEvent, type ReactNode } from 'react';
import { Link, useSearchParams } from 'react-router';
import { ORDER_STATUSES, type Order, type OrderStatus } from '../api/types.js';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { PageHeader } from '../components/PageHeader.js';
import { Pagination } from '../cursor-pages.js';
import { useOrderPages } from '../features/orders/use-orders.js';
import { formatDateTime } from '../format.js';
import { OrderStatusBadge, orderAmountsText, orderLabel, orderStatusLabel } from './OrderParts.js';

/** What the API takes as an order number: "ORD-000042", "ord-42" or "42". */
const ORDER_NUMBER = /^([Oo][Rr][Dd]-?)?[0-9]{1,15}$/;

interface OrderListPageProps {
  subtitle: string;
  /** The status shown when the URL names none (operators: what waits for approval). */
  defaultStatus?: OrderStatus;
  /** Statuses offered in the filter. */
  statuses?: readonly OrderStatus[];
  /** The filter's "everything" option. */
  allStatusesLabel: string;
  /** Tenant names by id: shows the tenant column and filter (operators). */
  tenants?: Map<string, string>;
  /** Offers finding an order by its number (operators). */
  numberSearch?: boolean;
  /** Leaves carts (draft orders) out when no status is chosen: they are not orders yet (customers). */
  hideDrafts?: boolean;
  /** Which time the last column shows. */
  timeColumn: 'updated' | 'placed';
  /** What to say when nothing matches; `filtered` when a status is chosen. */
  empty(filtered: boolean): ReactNode;
}

function statusFrom(value: string | null): OrderStatus | undefined {
  return ORDER_STATUSES.find((status) => status === value);
}

export function OrderListPage({ subtitle, defaultStatus, statuses = ORDER_STATUSES, allStatusesLabel, tenants, numberSearch, hideDrafts, timeColumn, empty }: OrderListPageProps) {
  const [params, setParams] = useSearchParams();
  // No parameter at all means the default view; `status=` (empty) means every status.
  const status = params.has('status') ? statusFrom(params.get('status')) : defaultStatus;
  const tenantId = params.get('tenantId') ?? '';
  const number = params.get('number') ?? '';
  const [numberText, setNumberText] = useState(number);
  const [reloads, setReloads] = useState(0);

  function apply(next: { status?: OrderStatus | undefined; tenantId?: string; number?: string }) {
    const merged = { status, tenantId, number, ...next };
    const search = new URLSearchParams();
    if (merged.status || defaultStatus) search.set('status', merged.status ?? '');
    if (merged.tenantId) search.set('tenantId', merged.tenantId);
    if (merged.number) search.set('number', merged.number);
    setParams(search);
  }

  function searchNumber(event: FormEvent) {
    event.preventDefault();
    const typed = numberText.trim();
    // A number is looked up whatever its status: the default view (pending approval) would hide it.
    apply({ number: typed, ...(typed ? { status: undefined } : {}) });
  }
  const numberValid = numberText.trim() === '' || ORDER_NUMBER.test(numberText.trim());

  return (
    <>
      <PageHeader title="Orders" subtitle={subtitle} />
      <section className="card">
        <div className="toolbar">
          <label className="visually-hidden" htmlFor="order-status-filter">
            Status
          </label>
          <select id="order-status-filter" className="select" value={status ?? ''} onChange={(event) => apply({ status: statusFrom(event.target.value) })}>
            <option value="">{allStatusesLabel}</option>
            {statuses.map((option) => (
              <option key={option} value={option}>
                {orderStatusLabel(option)}
              </option>
            ))}
          </select>
          {tenants && (
            <>
              <label className="visually-hidden" htmlFor="order-tenant-filter">
                Tenant
              </label>
              <select id="order-tenant-filter" className="select" value={tenantId} onChange={(event) => apply({ tenantId: event.target.value })}>
                <option value="">All tenants</option>
                {[...tenants.entries()].map(([id, name]) => (
                  <option key={id} value={id}>
                    {name}
                  </option>
                ))}
              </select>
            </>
          )}
          {numberSearch && (
            <form className="inline-fields" role="search" aria-label="Find an order" onSubmit={searchNumber} noValidate>
              <label className="visually-hidden" htmlFor="order-number-search">
                Order number
              </label>
              <input
                id="order-number-search"
                className="input"
                type="search"
                placeholder="Order number, e.g. ORD-000042"
                value={numberText}
                onChange={(event) => setNumberText(event.target.value)}
                aria-invalid={numberValid ? undefined : true}
              />
              <button type="submit" className="button" disabled={!numberValid}>
                Find
              </button>
            </form>
          )}
          {!numberSearch && (
            <button type="button" className="button" onClick={() => setReloads((n) => n + 1)}>
              Refresh
            </button>
          )}
        </div>
        <OrderTable
          key={`${status ?? ''}|${tenantId}|${number}|${reloads}`}
          status={status}
          tenantId={tenantId}
          number={number && ORDER_NUMBER.test(number) ? number : ''}
          tenants={tenants}
          hideDrafts={Boolean(hideDrafts) && !status}
          timeColumn={timeColumn}
          empty={empty(Boolean(status || tenantId || number))}
        />
      </section>
    </>
  );
}

interface OrderTableProps {
  status: OrderStatus | undefined;
  tenantId: string;
  number: string;
  tenants: Map<string, string> | undefined;
  hideDrafts: boolean;
  timeColumn: 'updated' | 'placed';
  empty: ReactNode;
}

function OrderTable({ status, tenantId, number, tenants, hideDrafts, timeColumn, empty }: OrderTableProps) {
  const pages = useOrderPages({ status, tenantId, number });
  const rows: Order[] = (pages.page?.data ?? []).filter((order) => !hideDrafts || order.status !== 'draft');
  return (
    <>
      {pages.error && (
        <div className="card-body">
          <ErrorAlert error={pages.error} />
        </div>
      )}
      <div className="table-wrap">
        <table className="table" aria-label="Orders" aria-busy={pages.loading}>
          <thead>
            <tr>
              <th scope="col">Order</th>
              {tenants && <th scope="col">Tenant</th>}
              <th scope="col">Items</th>
              <th scope="col">Status</th>
              <th scope="col" className="amount">Amount</th>
              <th scope="col">{timeColumn === 'updated' ? 'Updated' : 'Placed'}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((order) => (
              <tr key={order.id} data-order-id={order.id}>
                <td>
                  <Link to={`/orders/${order.id}`}>{orderLabel(order)}</Link>
                </td>
                {tenants && <td>{tenants.get(order.tenantId) ?? order.tenantId}</td>}
                <td>{order.items.map((item) => `${item.productName} × ${item.quantity}`).join(', ') || '—'}</td>
                <td>
                  <OrderStatusBadge status={order.status} />
                </td>
                <td className="amount">{orderAmountsText(order)}</td>
                <td className="muted">{formatDateTime(timeColumn === 'updated' ? order.updatedAt : (order.submittedAt ?? order.createdAt))}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {pages.page && rows.length === 0 && <div className="table-empty">{empty}</div>}
        {!pages.page && pages.loading && <div className="table-empty">Loading orders…</div>}
      </div>
      <Pagination pages={pages} label="Orders pages" />
    </>
  );
}
