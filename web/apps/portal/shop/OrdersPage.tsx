// The organisation's orders, newest first, with their status; carts (drafts) live on the cart page.
import { useState } from 'react';
import { Link } from 'react-router';
import { api, unwrap } from '../../../shared/api/client.js';
import { ORDER_STATUSES, type Order, type OrderStatus } from '../../../shared/api/types.js';
import { useResource } from '../../../shared/api/use-resource.js';
import { ErrorAlert } from '../../../shared/components/ErrorAlert.js';
import { PageHeader } from '../../../shared/components/PageHeader.js';
import { formatDateTime } from '../../../shared/format.js';
import { OrderStatusBadge, orderAmountsText, orderLabel, orderStatusLabel } from '../../../shared/orders/OrderParts.js';

const PAGE_SIZE = 25;

export function OrdersPage() {
  const [status, setStatus] = useState<OrderStatus | ''>('');
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const page = useResource(async () => (await unwrap(api.GET('/api/v1/orders', { params: { query: { limit: PAGE_SIZE, ...(status ? { status } : {}), ...(cursor ? { cursor } : {}) } } }))).data, [status, cursor]);
  // Without a filter, carts are left out: they are not orders yet.
  const rows: Order[] = (page.data?.data ?? []).filter((order) => status !== '' || order.status !== 'draft');

  return (
    <>
      <PageHeader title="Orders" subtitle="What your organisation ordered and where each order is." />
      <section className="card">
        <div className="toolbar">
          <label className="visually-hidden" htmlFor="order-status-filter">
            Status
          </label>
          <select
            id="order-status-filter"
            className="select"
            value={status}
            onChange={(event) => {
              setStatus(event.target.value as OrderStatus | '');
              setCursors([undefined]);
            }}
            data-testid="order-status-filter"
          >
            <option value="">All orders</option>
            {ORDER_STATUSES.filter((option) => option !== 'draft').map((option) => (
              <option key={option} value={option}>
                {orderStatusLabel(option)}
              </option>
            ))}
          </select>
          <button type="button" className="button" onClick={() => void page.reload()} disabled={page.loading} data-testid="orders-refresh">
            Refresh
          </button>
        </div>
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
                <th>Items</th>
                <th>Status</th>
                <th className="amount">Amount</th>
                <th>Placed</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((order) => (
                <tr key={order.id} data-testid="order-row" data-order-id={order.id}>
                  <td>
                    <Link to={`/orders/${order.id}`} data-testid="order-link">
                      {orderLabel(order)}
                    </Link>
                  </td>
                  <td>{order.items.map((item) => item.productName).join(', ') || '—'}</td>
                  <td>
                    <OrderStatusBadge status={order.status} testId="order-row-status" />
                  </td>
                  <td className="amount">{orderAmountsText(order)}</td>
                  <td className="muted">{formatDateTime(order.submittedAt ?? order.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {page.data && rows.length === 0 && (
            <div className="table-empty" data-testid="orders-empty">
              {status ? 'No orders with this status.' : 'No orders yet.'} <Link to="/products">Browse products</Link>
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
      </section>
    </>
  );
}
