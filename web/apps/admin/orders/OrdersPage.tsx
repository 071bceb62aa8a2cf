// The operators' order queue: every tenant's orders, newest first, filtered by status (pending
// approval first by default: that is what waits for someone) and by tenant, or found by its order
// number (numbers are per tenant, so one number may find an order of each tenant). Filters live in the URL.
import { useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, unwrap } from '../../../shared/api/client.js';
import { ORDER_STATUSES, type OrderStatus } from '../../../shared/api/types.js';
import { useResource } from '../../../shared/api/use-resource.js';
import { ErrorAlert } from '../../../shared/components/ErrorAlert.js';
import { PageHeader } from '../../../shared/components/PageHeader.js';
import { formatDateTime } from '../../../shared/format.js';
import { OrderStatusBadge, orderAmountsText, orderLabel, orderStatusLabel } from '../../../shared/orders/OrderParts.js';
import { useTenantNames } from './tenant-names.js';

const PAGE_SIZE = 25;
/** What the API takes as an order number: "ORD-000042", "ord-42" or "42". */
const ORDER_NUMBER = /^([Oo][Rr][Dd]-?)?[0-9]{1,15}$/;

function statusFrom(value: string | null): OrderStatus | undefined {
  return ORDER_STATUSES.find((status) => status === value);
}

export function OrdersPage() {
  const [params, setParams] = useSearchParams();
  // No parameter at all means the default view: what waits for approval.
  const status = params.has('status') ? statusFrom(params.get('status')) : 'pending_approval';
  const tenantId = params.get('tenantId') ?? '';
  const number = params.get('number') ?? '';
  const tenants = useTenantNames();
  const [numberText, setNumberText] = useState(number);

  function apply(next: { status?: OrderStatus | undefined; tenantId?: string; number?: string }) {
    const merged = { status, tenantId, number, ...next };
    const search = new URLSearchParams();
    search.set('status', merged.status ?? '');
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
      <PageHeader title="Orders" subtitle="Every tenant’s orders. Approve or reject what waits for approval; report delivery for what is provisioning." />
      <section className="card">
        <div className="toolbar">
          <label className="visually-hidden" htmlFor="order-status-filter">
            Status
          </label>
          <select id="order-status-filter" className="select" value={status ?? ''} onChange={(event) => apply({ status: statusFrom(event.target.value) })} data-testid="order-status-filter">
            <option value="">All statuses</option>
            {ORDER_STATUSES.map((option) => (
              <option key={option} value={option}>
                {orderStatusLabel(option)}
              </option>
            ))}
          </select>
          <label className="visually-hidden" htmlFor="order-tenant-filter">
            Tenant
          </label>
          <select id="order-tenant-filter" className="select" value={tenantId} onChange={(event) => apply({ tenantId: event.target.value })} data-testid="order-tenant-filter">
            <option value="">All tenants</option>
            {[...tenants.entries()].map(([id, name]) => (
              <option key={id} value={id}>
                {name}
              </option>
            ))}
          </select>
          <form className="inline-fields" role="search" onSubmit={searchNumber} noValidate>
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
              data-testid="order-number-search"
            />
            <button type="submit" className="button" disabled={!numberValid} data-testid="order-number-search-submit">
              Find
            </button>
          </form>
        </div>
        <OrderTable key={`${status ?? ''}|${tenantId}|${number}`} status={status} tenantId={tenantId} number={number} tenantName={(id) => tenants.get(id) ?? id} />
      </section>
    </>
  );
}

function OrderTable({ status, tenantId, number, tenantName }: { status: OrderStatus | undefined; tenantId: string; number: string; tenantName(id: string): string }) {
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const page = useResource(
    async () => (await unwrap(api.GET('/api/v1/orders', { params: { query: { limit: PAGE_SIZE, ...(status ? { status } : {}), ...(tenantId ? { tenantId } : {}), ...(number && ORDER_NUMBER.test(number) ? { number } : {}), ...(cursor ? { cursor } : {}) } } }))).data,
    [status, tenantId, number, cursor],
  );
  return (
    <>
      {page.error && (
        <div className="card-body">
          <ErrorAlert error={page.error} />
        </div>
      )}
      <div className="table-wrap">
        <table className="table" data-testid="order-table" aria-busy={page.loading}>
          <thead>
            <tr>
              <th>Order</th>
              <th>Tenant</th>
              <th>Items</th>
              <th>Status</th>
              <th className="amount">Amount</th>
              <th>Updated</th>
            </tr>
          </thead>
          <tbody>
            {page.data?.data.map((order) => (
              <tr key={order.id} data-testid="order-row" data-order-id={order.id}>
                <td>
                  <Link to={`/orders/${order.id}`} data-testid="order-link">
                    {orderLabel(order)}
                  </Link>
                </td>
                <td>{tenantName(order.tenantId)}</td>
                <td>{order.items.map((item) => `${item.productName} × ${item.quantity}`).join(', ') || '—'}</td>
                <td>
                  <OrderStatusBadge status={order.status} testId="order-row-status" />
                </td>
                <td className="amount">{orderAmountsText(order)}</td>
                <td className="muted">{formatDateTime(order.updatedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {page.data && page.data.data.length === 0 && (
          <div className="table-empty" data-testid="orders-empty">
            No orders match these filters.
          </div>
        )}
        {!page.data && page.loading && <div className="table-empty">Loading orders…</div>}
      </div>
      <div className="pagination">
        <span>Page {cursors.length}</span>
        <div className="pagination-buttons">
          <button type="button" className="button" onClick={() => setCursors(cursors.slice(0, -1))} disabled={page.loading || cursors.length === 1} data-testid="page-previous">
            Previous
          </button>
          <button type="button" className="button" onClick={() => page.data?.nextCursor && setCursors([...cursors, page.data.nextCursor])} disabled={page.loading || !page.data?.nextCursor} data-testid="page-next">
            Next
          </button>
        </div>
      </div>
    </>
  );
}
