// The operators' order queue: every tenant's orders, newest first, filtered by status (pending
// approval first by default: that is what waits for someone) and by tenant, or found by its order
// number (numbers are per tenant, so one number may find an order of each tenant).
import { useTenantNames } from '../../../shared/features/tenants/use-tenants.js';
import { OrderListPage } from '../../../shared/orders/OrderListPage.js';

export function OrdersPage() {
  const tenants = useTenantNames();
  return (
    <OrderListPage
      subtitle="Every tenant’s orders. Approve or reject what waits for approval; report delivery for what is provisioning."
      defaultStatus="pending_approval"
      allStatusesLabel="All statuses"
      tenants={tenants}
      numberSearch
      timeColumn="updated"
      empty={() => 'No orders match these filters.'}
    />
  );
}
