// The customer's carts (one draft order per currency) with their items and live totals, a coupon
// applied to or removed from a cart (the server prices every item again), and checkout: submitting a cart is confirmed first and sent with an Idempotency-Key that is reused if
// the same submission is retried. What the server refuses (a configuration no longer valid, a quota
// or stock exhausted) is shown on the cart, which stays as it was.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { toApiError, type ApiError } from '../../../shared/api/problem.js';
import type { Order } from '../../../shared/api/types.js';
import { ConfirmDialog } from '../../../shared/components/ConfirmDialog.js';
import { ErrorAlert } from '../../../shared/components/ErrorAlert.js';
import { Field, describedBy } from '../../../shared/components/Field.js';
import { PageHeader } from '../../../shared/components/PageHeader.js';
import { mapFieldErrors } from '../../../shared/forms.js';
import { formatMinor, formatMoney } from '../../../shared/money.js';
import { OrderItemsTable, orderAmountsText } from '../../../shared/orders/OrderParts.js';
import { recurringText } from '../../../shared/pricing-text.js';
import { UnsavedChangesGuard } from '../../../shared/use-unsaved-changes.js';
import { useSubmission } from '../../../shared/use-submission.js';
import { useCartActions, useCarts } from '../../../shared/features/orders/use-orders.js';
import { forgetSubmitKey, submitKeyFor } from './cart.js';

/** The part of an item a problem's pointer names, as people call it: a setting's title, "quantity". */
function partName(item: Order['items'][number], pointer: string): string {
  const setting = /^\/configuration\/([^/]+)/.exec(pointer)?.[1];
  if (setting) return item.configurationSummary?.find((entry) => entry.key === setting)?.title ?? setting.replace(/[_-]+/g, ' ');
  return pointer.slice(1).replace(/\//g, ' ');
}

/** Codes that say the first submission is still being worked on: retry later with the same key. */
const RETRY_WITH_SAME_KEY = new Set(['PLAT_IDEMPOTENCY_KEY_IN_USE', 'NETWORK_ERROR']);

export function CartPage() {
  const carts = useCarts();
  // Carts (by id) with a coupon code typed but not applied: leaving the page asks first.
  const [typedCoupons, setTypedCoupons] = useState<ReadonlySet<string>>(new Set());
  const typing = useCallback((cartId: string, typed: boolean) => {
    setTypedCoupons((before) => {
      if (before.has(cartId) === typed) return before;
      const next = new Set(before);
      if (typed) next.add(cartId);
      else next.delete(cartId);
      return next;
    });
  }, []);
  return (
    <>
      <PageHeader title="Cart" subtitle="One cart per currency. Prices are checked again when you place the order." />
      <UnsavedChangesGuard dirty={typedCoupons.size > 0} title="Leave without applying the coupon?">
        <p className="muted">The coupon code you typed has not been applied to your cart. Cancel to stay and apply it.</p>
      </UnsavedChangesGuard>
      <div className="stack">
        <ErrorAlert error={carts.error} />
        {carts.loading && !carts.data && <div className="table-empty">Loading your cart…</div>}
        {carts.data && carts.data.every((cart) => cart.items.length === 0) && (
          <div className="card table-empty">
            Your cart is empty. <Link to="/products">Browse products</Link>
          </div>
        )}
        {carts.data
          ?.filter((cart) => cart.items.length > 0)
          .map((cart) => (
            <CartCard key={cart.id} cart={cart} onTyping={typing} onChanged={(next) => carts.set((carts.data ?? []).map((other) => (other.id === next.id ? next : other)))} />
          ))}
      </div>
    </>
  );
}

function CartCard({ cart, onChanged, onTyping }: { cart: Order; onChanged(order: Order): void; onTyping(cartId: string, typed: boolean): void }) {
  const navigate = useNavigate();
  const cartActions = useCartActions();
  const [removing, setRemoving] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [submitting, setSubmitting] = useState(false);
  const [submitError, setSubmitError] = useState<ApiError | null>(null);

  async function remove(itemId: string) {
    setRemoving(itemId);
    setError(null);
    try {
      onChanged(await cartActions.removeItem(cart.id, itemId));
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
      const data = await cartActions.submit(cart.id, submitKeyFor(cart.id));
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
    return `${item ? `${item.productName}${match?.[2] ? ` (${partName(item, match[2])})` : ''}` : 'This order'}: ${problem.message}`;
  });

  return (
    <section className="card" data-currency={cart.currency} data-order-id={cart.id} aria-labelledby={`cart-${cart.currency}-title`}>
      <div className="card-header">
        <h2 id={`cart-${cart.currency}-title`}>Cart in {cart.currency}</h2>
        {/* A list, so its parts are read as such; the dots between them are drawn by the stylesheet. */}
        <ul className="muted inline-list" aria-label="Totals">
          {cart.recurringTotals.map((total) => (
            <li key={total.interval}>
              <strong>{recurringText(total.amountMinor, total.interval, cart.currency)}</strong>
            </li>
          ))}
          {(cart.oneTimeMinor !== '0' || cart.recurringTotals.length === 0) && (
            <li>
              <strong>{formatMinor(cart.oneTimeMinor, cart.currency)} once</strong>
            </li>
          )}
          <li>{formatMinor(cart.dueNowMinor, cart.currency)} due now</li>
        </ul>
      </div>
      {error && (
        <div className="card-body">
          <ErrorAlert error={error} />
        </div>
      )}
      <OrderItemsTable order={cart} onRemove={(itemId) => void remove(itemId)} busyItem={removing} />
      <CartCoupon cart={cart} onChanged={onChanged} onTyping={onTyping} />
      {submitError && !confirming && (
        <div className="card-body">
          <ErrorAlert error={submitError} />
          {itemProblems.length > 0 && (
            <ul>
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
        onConfirm={() => {
          void checkout().then(() => setConfirming(false));
        }}
        onCancel={() => setConfirming(false)}
      >
        <p className="muted">
          {cart.items.length} item{cart.items.length === 1 ? '' : 's'}: {orderAmountsText(cart)}; {formatMinor(cart.dueNowMinor, cart.currency)} due now. Orders are invoiced after delivery. Some
          products need an operator’s approval first.
        </p>
      </ConfirmDialog>
    </section>
  );
}

/**
 * The coupon of one cart: a code to apply (a refusal shows under the field), the applied code with
 * Remove, and the discount lines the server priced into the items.
 */
function CartCoupon({ cart, onChanged, onTyping }: { cart: Order; onChanged(order: Order): void; onTyping(cartId: string, typed: boolean): void }) {
  const [code, setCode] = useState('');
  const typed = code.trim() !== '';
  useEffect(() => {
    onTyping(cart.id, typed);
    return () => onTyping(cart.id, false);
  }, [cart.id, typed, onTyping]);
  const cartActions = useCartActions();
  const applying = useSubmission();
  const removing = useSubmission();
  const fieldId = `coupon-code-${cart.currency}`;
  const mapped = applying.error ? mapFieldErrors(applying.error, (pointer) => (pointer === '/couponCode' ? 'couponCode' : undefined), { couponCode: 'A coupon code is 3 to 40 letters, digits, - or _.' }) : null;
  const discounts = cart.items.flatMap((item) =>
    (item.price?.lines ?? []).filter((line) => line.kind === 'discount').map((line) => ({ itemId: item.id, productName: item.productName, description: line.description, amount: line.amount, amountMinor: line.amountMinor, currency: item.price!.currency })),
  );
  const discountMinor = discounts.reduce((sum, line) => sum + BigInt(line.amountMinor), 0n);

  async function apply(event: FormEvent) {
    event.preventDefault();
    // Codes are upper case; people type them any way.
    const couponCode = code.trim().toUpperCase();
    await applying.run(async () => {
      onChanged(await cartActions.applyCoupon(cart.id, couponCode));
      setCode('');
    });
  }

  return (
    <div className="card-body stack">
      {cart.couponCode && (
        <div data-code={cart.couponCode}>
          <div className="inline-fields">
            <span>
              Coupon <strong className="mono">{cart.couponCode}</strong> applied
            </span>
            <button type="button" className="button button-ghost" onClick={() => void removing.run(async () => onChanged(await cartActions.removeCoupon(cart.id)))} disabled={removing.busy} aria-label={`Remove coupon ${cart.couponCode}`}>
              Remove
            </button>
          </div>
          {discounts.length > 0 ? (
            <table className="table" aria-label="Discounts">
              <tbody>
                {discounts.map((line) => (
                  <tr key={line.itemId}>
                    <th scope="row">
                      {line.productName} <span className="muted">· {line.description}</span>
                    </th>
                    <td className="amount">{formatMoney(line.amount, line.currency)}</td>
                  </tr>
                ))}
                <tr className="total-row">
                  <th scope="row">Discount</th>
                  <td className="amount">{formatMinor(discountMinor.toString(), cart.currency)}</td>
                </tr>
              </tbody>
            </table>
          ) : (
            <p className="muted">
              This coupon applies to none of the items in this cart.
            </p>
          )}
          <ErrorAlert error={removing.error} />
        </div>
      )}
      <form className="inline-fields" onSubmit={(event) => void apply(event)} noValidate>
        <Field id={fieldId} label="Coupon code" error={mapped?.byField.couponCode}>
          <input
            id={fieldId}
            className="input mono"
            value={code}
            onChange={(event) => setCode(event.target.value)}
            aria-describedby={describedBy(fieldId)}
            aria-invalid={mapped?.byField.couponCode ? true : undefined}
            autoComplete="off"
          />
        </Field>
        <button type="submit" className="button" disabled={applying.busy || code.trim() === ''}>
          {cart.couponCode ? 'Apply instead' : 'Apply'}
        </button>
      </form>
      {applying.error && (!mapped || mapped.hasUnmatched || !mapped.byField.couponCode) && <ErrorAlert error={applying.error} />}
    </div>
  );
}
