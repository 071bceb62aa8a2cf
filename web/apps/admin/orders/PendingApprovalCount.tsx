// The number of orders waiting for an operator's approval, shown beside "Orders" in the sidebar
// (the Orders page opens on exactly that list). Counted by the server (GET /api/v1/orders/count):
// asked again when the console moves to another page, when an operator decides an order here
// (ordersChanged), and every minute for orders placed meanwhile. Nothing is shown while none wait.
import { useEffect } from 'react';
import { useLocation } from 'react-router';
import { useOrderCount } from '../../../shared/features/orders/use-orders.js';

const ORDERS_CHANGED = 'platforma:orders-changed';
const REFRESH_MS = 60_000;

/** Tells the count an order's status changed on this page (approved, rejected…). */
export function announceOrdersChanged(): void {
  window.dispatchEvent(new Event(ORDERS_CHANGED));
}

export function PendingApprovalCount() {
  const { pathname } = useLocation();
  const pending = useOrderCount('pending_approval', [pathname]);
  const { reload } = pending;

  useEffect(() => {
    const refresh = () => void reload();
    window.addEventListener(ORDERS_CHANGED, refresh);
    const timer = window.setInterval(refresh, REFRESH_MS);
    return () => {
      window.removeEventListener(ORDERS_CHANGED, refresh);
      window.clearInterval(timer);
    };
  }, [reload]);

  const count = pending.data ?? 0;
  if (count === 0) return null;
  const label = count === 1 ? '1 order waits for approval' : `${count} orders wait for approval`;
  return (
    <span className="nav-count" data-count={count} title={label}>
      <span aria-hidden="true">{count}</span>
      <span className="visually-hidden">{label}</span>
    </span>
  );
}
