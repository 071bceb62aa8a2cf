// One order for operators: the customer's summary plus the tenant, and the decisions operators
// make — approve or reject (reason required) what waits for approval, report delivered or failed
// (reason required) what is provisioning.
import { Link } from 'react-router';
import { useTenantNames } from '../../../shared/features/tenants/use-tenants.js';
import { OrderDetailPage as SharedOrderDetailPage, type OrderActionSpec } from '../../../shared/orders/OrderDetailPage.js';
import { announceOrdersChanged } from './PendingApprovalCount.js';

const OPERATOR_ACTIONS: readonly OrderActionSpec[] = [
  { action: 'approve', label: 'Approve', from: ['pending_approval'], title: 'Approve this order?', explanation: 'It goes on to payment and provisioning right away.', reason: 'optional', tone: 'primary', done: 'Order approved.' },
  { action: 'reject', label: 'Reject', from: ['pending_approval'], title: 'Reject this order?', explanation: 'It is cancelled and its quota and stock are given back. The customer sees the reason.', reason: 'required', tone: 'danger', done: 'Order rejected.' },
  { action: 'fulfil', label: 'Mark delivered', from: ['provisioning'], title: 'Mark this order delivered?', explanation: 'Report that everything in it has been provisioned.', reason: 'none', tone: 'primary', done: 'Order marked delivered.' },
  { action: 'fail', label: 'Mark failed', from: ['provisioning'], title: 'Mark this order failed?', explanation: 'Report that it could not be delivered; its quota and stock are given back. The customer sees the reason.', reason: 'required', tone: 'danger', done: 'Order marked failed.' },
];

export function OrderDetailPage() {
  const tenants = useTenantNames();
  return (
    <SharedOrderDetailPage
      actions={OPERATOR_ACTIONS}
      subtitle={(order) => (
        <>
          <Link to={`/tenants/${order.tenantId}`}>{tenants.get(order.tenantId) ?? order.tenantId}</Link> · {order.currency}
        </>
      )}
      onTransitioned={announceOrdersChanged}
    />
  );
}
