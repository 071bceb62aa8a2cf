// The customer's carts (one draft order per currency) with their items and live totals, and
// checkout: submitting a cart is confirmed first and sent with an Idempotency-Key that is reused if
// the same submission is retried. What the server refuses (a configuration no longer valid, a quota
// or stock exhausted) is shown on the cart, which stays as it was.
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, unwrap } from '../../../shared/api/client.js';
import { toApiError, type ApiError } from '../../../shared/api/problem.js';
import type { Order } from '../../../shared/api/types.js';
import { useResource } from '../../../shared/api/use-resource.js';
import { ConfirmDialog } from '../../../shared/components/ConfirmDialog.js';
import { ErrorAlert } from '../../../shared/components/ErrorAlert.js';
import { PageHeader } from '../../../shared/components/PageHeader.js';
import { formatMinor } from '../../../shared/money.js';
import { OrderItemsTable } from '../../../shared/orders/OrderParts.js';
import { forgetSubmitKey, listCarts, submitKeyFor } from './cart.js';

/** Codes that say the first submission is still being worked on: retry later with the same key. */
const RETRY_WITH_SAME_KEY = new Set(['PLAT_IDEMPOTENCY_KEY_IN_USE', 'NETWORK_ERROR']);

export function CartPage() {
  const carts = useResource(listCarts, []);
  return (
    <>
      <PageHeader title="Cart" subtitle="One cart per currency. Prices are checked again when you place the order." />
      <div className="stack">
        <ErrorAlert error={carts.error} />
        {carts.loading && !carts.data && <div className="table-empty">Loading your cart…</div>}
        {carts.data && carts.data.every((cart) => cart.items.length === 0) && (
          <div className="card table-empty" data-testid="cart-empty">
            Your cart is empty. <Link to="/products">Browse products</Link>
          </div>
        )}
        {carts.data
          ?.filter((cart) => cart.items.length > 0)
          .map((cart) => (
            <CartCard key={cart.id} cart={cart} onChanged={(next) => carts.set((carts.data ?? []).map((other) => (other.id === next.id ? next : other)))} />
          ))}
      </div>
    </>
  );
}

function CartCard({ cart, onChanged }: { cart: Order; onChanged(order: Order): void }) {
  const navigate = useNavigate();
  const [removing, setRemoving] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [submitting, setSubmitting] = useState(false);
  const [submitError, setSubmitError] = useState<ApiError | null>(null);

  async function remove(itemId: string) {
    setRemoving(itemId);
    setError(null);
    try {
      const { data } = await unwrap(api.DELETE('/api/v1/orders/{id}/items/{itemId}', { params: { path: { id: cart.id, itemId } } }));
      onChanged(data);
    } catch (caught) {
      setError(toApiError(caught));
    } finally {
      setRemoving(null);
    }
  }

  async function checkout() {
    setSubmitting(true);
    setSubmitError(null);
    try {
      const { data } = await unwrap(api.POST('/api/v1/orders/{id}/submit', { params: { path: { id: cart.id }, header: { 'idempotency-key': submitKeyFor(cart.id) } }, body: {} }));
      forgetSubmitKey(cart.id);
      void navigate(`/orders/${data.id}`);
    } catch (caught) {
      const problem = toApiError(caught);
      // A definite answer was stored under this key; a changed cart needs a new one.
      if (!RETRY_WITH_SAME_KEY.has(problem.code) && problem.status < 500) forgetSubmitKey(cart.id);
      setSubmitError(problem);
    } finally {
      setSubmitting(false);
    }
  }

  const itemProblems = (submitError?.problem.errors ?? []).map((problem) => {
    const match = /^\/items\/(\d+)(\/.*)?$/.exec(problem.pointer);
    const item = match ? cart.items[Number(match[1])] : undefined;
    return `${item ? `${item.productName}${match?.[2] ? ` (${match[2].slice(1)})` : ''}` : problem.pointer}: ${problem.message}`;
  });

  return (
    <section className="card" data-testid="cart" data-currency={cart.currency} data-order-id={cart.id}>
      <div className="card-header">
        <h2>Cart in {cart.currency}</h2>
        <span className="muted">
          Total <strong data-testid="cart-total">{formatMinor(cart.totalMinor, cart.currency)}</strong>
        </span>
      </div>
      {error && (
        <div className="card-body">
          <ErrorAlert error={error} />
        </div>
      )}
      <OrderItemsTable order={cart} onRemove={(itemId) => void remove(itemId)} busyItem={removing} />
      {submitError && !confirming && (
        <div className="card-body">
          <ErrorAlert error={submitError} testId="checkout-error" />
          {itemProblems.length > 0 && (
            <ul data-testid="checkout-item-errors">
              {itemProblems.map((text, index) => (
                <li key={index}>{text}</li>
              ))}
            </ul>
          )}
        </div>
      )}
      <div className="card-footer">
        <button
          type="button"
          className="button button-primary"
          onClick={() => {
            setSubmitError(null);
            setConfirming(true);
          }}
          disabled={submitting}
          data-testid="checkout"
        >
          Place order
        </button>
      </div>
      <ConfirmDialog
        open={confirming}
        title="Place this order?"
        confirmLabel="Place order"
        busy={submitting}
        error={submitError}
        testId="checkout-dialog"
        onConfirm={() => {
          void checkout().then(() => setConfirming(false));
        }}
        onCancel={() => setConfirming(false)}
      >
        <p className="muted">
          {cart.items.length} item{cart.items.length === 1 ? '' : 's'}, {formatMinor(cart.totalMinor, cart.currency)} in all, {formatMinor(cart.dueNowMinor, cart.currency)} due now. Orders are invoiced after delivery. Some
          products need an operator’s approval first.
        </p>
      </ConfirmDialog>
    </section>
  );
}
