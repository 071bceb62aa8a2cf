// One order, one implementation for both consoles: the summary (items, prices, timeline) and the
// status changes the console offers — operators approve or reject what waits for approval and report
// delivered or failed what is provisioning; customers cancel before provisioning starts — each
// confirmed in a dialog (with a reason where one is asked). The server enforces the status machine
// and answers 409 if the order moved on meanwhile.
import { useState, type ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import type { Order, OrderItem, OrderStatus } from '../api/types.js';
import { ConfirmDialog } from '../components/ConfirmDialog.js';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { Field } from '../components/Field.js';
import { PageHeader } from '../components/PageHeader.js';
import { useOrder, type OrderTransition } from '../features/orders/use-orders.js';
import { useSubmission } from '../use-submission.js';
import { OrderStatusBadge, orderLabel } from './OrderParts.js';
import { OrderSummary } from './OrderSummary.js';

export interface OrderActionSpec {
  action: OrderTransition;
  /** The button's and the confirmation's label. */
  label: string;
  /** The statuses the server allows it from. */
  from: readonly OrderStatus[];
  title: string;
  explanation: string;
  reason: 'required' | 'optional' | 'none';
  tone: 'primary' | 'danger';
  /** Said once it is done. */
  done: string;
}

interface OrderDetailPageProps {
  actions: readonly OrderActionSpec[];
  /** Under the title, e.g. the order's tenant for operators. */
  subtitle?(order: Order): ReactNode;
  /** Offers reading the order again (customers wait for it to move on). */
  refreshable?: boolean;
  /** What to show beside each item of this order, if anything (changing a live item). */
  itemActions?(order: Order): ((item: OrderItem) => ReactNode) | undefined;
  /** After a status change here (the sidebar's count listens). */
  onTransitioned?(): void;
}

export function OrderDetailPage({ actions, subtitle, refreshable, itemActions, onTransitioned }: OrderDetailPageProps) {
  const { id = '' } = useParams();
  const order = useOrder(id);
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
    <article data-order-id={current.id} aria-labelledby="order-title">
      <PageHeader
        breadcrumb={breadcrumb}
        title={
          <span id="order-title">
            Order <span>{orderLabel(current)}</span> <OrderStatusBadge status={current.status} />
          </span>
        }
        subtitle={subtitle?.(current)}
        actions={
          <>
            {refreshable && (
              <button type="button" className="button" onClick={() => void order.reload()} disabled={order.loading}>
                Refresh
              </button>
            )}
            <OrderActions
              actions={actions.filter((spec) => spec.from.includes(current.status))}
              transition={order.transition}
              onDone={(message) => {
                setNotice(message);
                onTransitioned?.();
              }}
            />
          </>
        }
      />
      {notice && (
        <div className="alert alert-success" role="status">
          {notice}
        </div>
      )}
      <ErrorAlert error={order.error} />
      <OrderSummary order={current} itemAction={itemActions?.(current)} />
    </article>
  );
}

function OrderActions({ actions, transition, onDone }: { actions: readonly OrderActionSpec[]; transition(action: OrderTransition, reason: string): Promise<Order>; onDone(message: string): void }) {
  const [open, setOpen] = useState<OrderActionSpec | null>(null);
  const [reason, setReason] = useState('');
  const submission = useSubmission();

  async function confirm() {
    const spec = open;
    if (!spec) return;
    await submission.run(async () => {
      await transition(spec.action, reason.trim());
      setOpen(null);
      onDone(spec.done);
    });
  }

  const reasonId = `order-${open?.action ?? 'action'}-reason`;
  return (
    <>
      {actions.map((spec) => (
        <button
          key={spec.action}
          type="button"
          className={spec.tone === 'danger' ? 'button button-danger-outline' : 'button button-primary'}
          onClick={() => {
            setReason('');
            submission.clear();
            setOpen(spec);
          }}
        >
          {spec.label}
        </button>
      ))}
      <ConfirmDialog
        open={open !== null}
        title={open?.title ?? ''}
        confirmLabel={open?.label ?? ''}
        tone={open?.tone}
        busy={submission.busy}
        confirmDisabled={open?.reason === 'required' && reason.trim() === ''}
        error={submission.error}
        onConfirm={() => void confirm()}
        onCancel={() => setOpen(null)}
      >
        {open && (
          <>
            <p className="muted">{open.explanation}</p>
            {open.reason !== 'none' && (
              <Field id={reasonId} label="Reason" optional={open.reason === 'optional'} hint="Up to 1000 characters." error={submission.error?.fieldErrors['/reason']}>
                <textarea id={reasonId} className="textarea" maxLength={1000} value={reason} onChange={(event) => setReason(event.target.value)} autoFocus />
              </Field>
            )}
          </>
        )}
      </ConfirmDialog>
    </>
  );
}
