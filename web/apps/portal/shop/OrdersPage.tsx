// The organisation's orders, newest first, with their status; carts (drafts) live on the cart page.
import { Link } from 'react-router';
import { ORDER_STATUSES } from '../../../shared/api/types.js';
import { OrderListPage } from '../../../shared/orders/OrderListPage.js';

const CUSTOMER_STATUSES = ORDER_STATUSES.filter((status) => status !== 'draft');

export function OrdersPage() {
  return (
    <OrderListPage
      subtitle="What your organisation ordered and where each order is."
      statuses={CUSTOMER_STATUSES}
      allStatusesLabel="All orders"
      hideDrafts
      timeColumn="placed"
      empty={(filtered) => (
        <>
          {filtered ? 'No orders with this status.' : 'No orders yet.'} <Link to="/products">Browse products</Link>
        </>
      )}
    />
  );
}
