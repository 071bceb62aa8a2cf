// One order for the customer: where it is (status and timeline), what it holds and costs, why it
// waits or was refused, and cancelling it while provisioning has not started (confirmed first). The
// items of a fulfilled order are live and can be changed (ChangeItemDialog).
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, unwrap } from '../../../shared/api/client.js';
import { toApiError, type ApiError } from '../../../shared/api/problem.js';
import type { OrderItem, OrderStatus } from '../../../shared/api/types.js';
import { useResource } from '../../../shared/api/use-resource.js';
import { ConfirmDialog } from '../../../shared/components/ConfirmDialog.js';
import { ErrorAlert } from '../../../shared/components/ErrorAlert.js';
import { Field } from '../../../shared/components/Field.js';
import { PageHeader } from '../../../shared/components/PageHeader.js';
import { OrderSummary } from '../../../shared/orders/OrderSummary.js';
import { OrderStatusBadge, orderLabel } from '../../../shared/orders/OrderParts.js';
import { ChangeItemDialog } from './ChangeItemDialog.js';

/** Statuses from which the server lets a customer cancel (before provisioning starts). */
const CANCELLABLE: readonly OrderStatus[] = ['submitted', 'pending_approval', 'awaiting_payment'];

export function OrderDetailPage() {
  const { id = '' } = useParams();
  const order = useResource(async () => (await unwrap(api.GET('/api/v1/orders/{id}', { params: { path: { id } } }))).data, [id]);
  const [cancelling, setCancelling] = useState(false);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [changing, setChanging] = useState<OrderItem | null>(null);

  const breadcrumb = <Link to="/orders">Orders</Link>;
  if (!order.data) {
    return (
      <>
        <PageHeader breadcrumb={breadcrumb} title={order.error ? 'Order not available' : 'Loading order…'} />
        <ErrorAlert error={order.error} />
      </>
    );
  }
  const current = order.data;

  async function cancel() {
    setBusy(true);
    setError(null);
    try {
      const { data } = await unwrap(api.POST('/api/v1/orders/{id}/cancel', { params: { path: { id: current.id } }, body: reason.trim() ? { reason: reason.trim() } : {} }));
      order.set(data);
      setCancelling(false);
    } catch (caught) {
      setError(toApiError(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div data-testid="order-detail" data-order-id={current.id}>
      <PageHeader
        breadcrumb={breadcrumb}
        title={
          <>
            Order <span data-testid="order-title-number">{orderLabel(current)}</span> <OrderStatusBadge status={current.status} testId="order-status" />
          </>
        }
        actions={
          <>
            <button type="button" className="button" onClick={() => void order.reload()} disabled={order.loading} data-testid="order-refresh">
              Refresh
            </button>
            {CANCELLABLE.includes(current.status) && (
              <button
                type="button"
                className="button button-danger-outline"
                onClick={() => {
                  setReason('');
                  setError(null);
                  setCancelling(true);
                }}
                data-testid="order-cancel"
              >
                Cancel order
              </button>
            )}
          </>
        }
      />
      <ErrorAlert error={order.error} />
      <OrderSummary
        order={current}
        itemAction={
          current.status === 'fulfilled'
            ? (item) => (
                <button type="button" className="button button-ghost" onClick={() => setChanging(item)} data-testid="change-item">
                  Change
                </button>
              )
            : undefined
        }
      />
      {changing && <ChangeItemDialog key={changing.id} order={current} item={changing} onClose={() => setChanging(null)} />}
      <ConfirmDialog open={cancelling} title="Cancel this order?" confirmLabel="Cancel order" tone="danger" busy={busy} error={error} testId="cancel-dialog" onConfirm={() => void cancel()} onCancel={() => setCancelling(false)}>
        <p className="muted">Nothing will be delivered and nothing charged. This cannot be undone.</p>
        <Field id="cancel-reason" label="Reason" optional hint="Up to 1000 characters.">
          <textarea id="cancel-reason" className="textarea" maxLength={1000} value={reason} onChange={(event) => setReason(event.target.value)} data-testid="cancel-reason" />
        </Field>
      </ConfirmDialog>
    </div>
  );
}
