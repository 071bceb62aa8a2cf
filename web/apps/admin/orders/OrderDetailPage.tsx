// One order for operators: the same summary the customer sees (items, prices, timeline) plus the
// tenant, and the actions its status allows — approve or reject (reason required) what waits for
// approval, report delivered or failed (reason required) what is provisioning — each confirmed in a
// dialog. The server enforces the status machine and answers 409 if the order moved on meanwhile.
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, unwrap } from '../../../shared/api/client.js';
import { toApiError, type ApiError } from '../../../shared/api/problem.js';
import type { Order, OrderStatus } from '../../../shared/api/types.js';
import { useResource } from '../../../shared/api/use-resource.js';
import { ConfirmDialog } from '../../../shared/components/ConfirmDialog.js';
import { ErrorAlert } from '../../../shared/components/ErrorAlert.js';
import { Field } from '../../../shared/components/Field.js';
import { PageHeader } from '../../../shared/components/PageHeader.js';
import { OrderStatusBadge, orderLabel } from '../../../shared/orders/OrderParts.js';
import { OrderSummary } from '../../../shared/orders/OrderSummary.js';
import { useTenantNames } from './tenant-names.js';
import { announceOrdersChanged } from './PendingApprovalCount.js';

type Action = 'approve' | 'reject' | 'fulfil' | 'fail';

interface ActionSpec {
  label: string;
  from: OrderStatus;
  title: string;
  explanation: string;
  reason: 'required' | 'optional' | 'none';
  tone: 'primary' | 'danger';
  done: string;
}

const ACTIONS: Record<Action, ActionSpec> = {
  approve: { label: 'Approve', from: 'pending_approval', title: 'Approve this order?', explanation: 'It goes on to payment and provisioning right away.', reason: 'optional', tone: 'primary', done: 'Order approved.' },
  reject: { label: 'Reject', from: 'pending_approval', title: 'Reject this order?', explanation: 'It is cancelled and its quota and stock are given back. The customer sees the reason.', reason: 'required', tone: 'danger', done: 'Order rejected.' },
  fulfil: { label: 'Mark delivered', from: 'provisioning', title: 'Mark this order delivered?', explanation: 'Report that everything in it has been provisioned.', reason: 'none', tone: 'primary', done: 'Order marked delivered.' },
  fail: { label: 'Mark failed', from: 'provisioning', title: 'Mark this order failed?', explanation: 'Report that it could not be delivered; its quota and stock are given back. The customer sees the reason.', reason: 'required', tone: 'danger', done: 'Order marked failed.' },
};

function send(action: Action, id: string, reason: string) {
  const params = { path: { id } };
  switch (action) {
    case 'approve':
      return api.POST('/api/v1/orders/{id}/approve', { params, body: reason ? { reason } : {} });
    case 'reject':
      return api.POST('/api/v1/orders/{id}/reject', { params, body: { reason } });
    case 'fulfil':
      return api.POST('/api/v1/orders/{id}/fulfil', { params, body: {} });
    case 'fail':
      return api.POST('/api/v1/orders/{id}/fail', { params, body: { reason } });
  }
}

export function OrderDetailPage() {
  const { id = '' } = useParams();
  const order = useResource(async () => (await unwrap(api.GET('/api/v1/orders/{id}', { params: { path: { id } } }))).data, [id]);
  const tenants = useTenantNames();
  const [notice, setNotice] = useState<string | null>(null);

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
  return (
    <div data-testid="order-detail" data-order-id={current.id}>
      <PageHeader
        breadcrumb={breadcrumb}
        title={
          <>
            Order <span data-testid="order-title-number">{orderLabel(current)}</span> <OrderStatusBadge status={current.status} testId="order-status" />
          </>
        }
        subtitle={
          <>
            <Link to={`/tenants/${current.tenantId}`}>{tenants.get(current.tenantId) ?? current.tenantId}</Link> · {current.currency}
          </>
        }
        actions={
          <OrderActions
            order={current}
            onDone={(next, message) => {
              order.set(next);
              setNotice(message);
            }}
          />
        }
      />
      {notice && (
        <div className="alert alert-success" role="status" data-testid="order-notice">
          {notice}
        </div>
      )}
      <ErrorAlert error={order.error} />
      <OrderSummary order={current} />
    </div>
  );
}

function OrderActions({ order, onDone }: { order: Order; onDone(order: Order, message: string): void }) {
  const [open, setOpen] = useState<Action | null>(null);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const available = (Object.keys(ACTIONS) as Action[]).filter((action) => ACTIONS[action].from === order.status);
  const spec = open ? ACTIONS[open] : undefined;

  async function confirm() {
    if (!open || !spec) return;
    setBusy(true);
    setError(null);
    try {
      const { data } = await unwrap(send(open, order.id, reason.trim()));
      setOpen(null);
      onDone(data, spec.done);
      announceOrdersChanged();
    } catch (caught) {
      setError(toApiError(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      {available.map((action) => (
        <button
          key={action}
          type="button"
          className={ACTIONS[action].tone === 'danger' ? 'button button-danger-outline' : 'button button-primary'}
          onClick={() => {
            setReason('');
            setError(null);
            setOpen(action);
          }}
          data-testid={`order-action-${action}`}
        >
          {ACTIONS[action].label}
        </button>
      ))}
      <ConfirmDialog
        open={open !== null}
        title={spec?.title ?? ''}
        confirmLabel={spec?.label ?? ''}
        tone={spec?.tone}
        busy={busy}
        confirmDisabled={spec?.reason === 'required' && reason.trim() === ''}
        error={error}
        testId={open ? `${open}-dialog` : 'order-action-dialog'}
        onConfirm={() => void confirm()}
        onCancel={() => setOpen(null)}
      >
        {spec && (
          <>
            <p className="muted">{spec.explanation}</p>
            {spec.reason !== 'none' && (
              <Field id={`${open}-reason`} label="Reason" optional={spec.reason === 'optional'} hint="Up to 1000 characters." error={error?.fieldErrors['/reason']}>
                <textarea id={`${open}-reason`} className="textarea" maxLength={1000} value={reason} onChange={(event) => setReason(event.target.value)} autoFocus data-testid={`${open}-reason`} />
              </Field>
            )}
          </>
        )}
      </ConfirmDialog>
    </>
  );
}
