// One order for the customer: where it is (status and timeline), what it holds and costs, why it
// waits or was refused, and cancelling it while provisioning has not started. The items of a
// fulfilled order are live and can be changed (ChangeItemDialog).
import { useState } from 'react';
import type { Order, OrderItem } from '../../../shared/api/types.js';
import { OrderDetailPage as SharedOrderDetailPage, type OrderActionSpec } from '../../../shared/orders/OrderDetailPage.js';
import { ChangeItemDialog } from './ChangeItemDialog.js';

const CUSTOMER_ACTIONS: readonly OrderActionSpec[] = [
  {
    action: 'cancel',
    label: 'Cancel order',
    // The statuses from which the server lets a customer cancel (before provisioning starts).
    from: ['submitted', 'pending_approval', 'awaiting_payment'],
    title: 'Cancel this order?',
    explanation: 'Nothing will be delivered and nothing charged. This cannot be undone.',
    reason: 'optional',
    tone: 'danger',
    done: 'Order cancelled.',
  },
];

function ChangeItem({ order, item }: { order: Order; item: OrderItem }) {
  const [changing, setChanging] = useState(false);
  return (
    <>
      <button type="button" className="button button-ghost" onClick={() => setChanging(true)} aria-label={`Change ${item.productName}`}>
        Change
      </button>
      {changing && <ChangeItemDialog order={order} item={item} onClose={() => setChanging(false)} />}
    </>
  );
}

export function OrderDetailPage() {
  return <SharedOrderDetailPage actions={CUSTOMER_ACTIONS} refreshable itemActions={(order) => (order.status === 'fulfilled' ? (item) => <ChangeItem order={order} item={item} /> : undefined)} />;
}
