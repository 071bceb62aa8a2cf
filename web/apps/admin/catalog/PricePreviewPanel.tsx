// The server's quote for a version as it is stored (staff may preview drafts): pick a plan, a
// currency it prices, a quantity and optionally a coupon, and see the exact lines. It asks again
// whenever the inputs change or the draft is saved (`revision`). Prices do not depend on the
// configuration, so none is sent (customers' quotes check theirs).
import { useEffect, useState } from 'react';
import { toApiError, type ApiError } from '../../../shared/api/problem.js';
import type { PricePlan, PricePreview } from '../../../shared/api/types.js';
import { ErrorAlert } from '../../../shared/components/ErrorAlert.js';
import { PriceLines } from '../../../shared/orders/OrderParts.js';
import { usePriceQuote } from '../../../shared/features/catalog/use-catalog.js';

const DELAY_MS = 300;

export function PricePreviewPanel({ productId, version, plans, revision }: { productId: string; version: number; plans: PricePlan[]; revision: string }) {
  const [planCode, setPlanCode] = useState(plans[0]?.code ?? '');
  const plan = plans.find((candidate) => candidate.code === planCode) ?? plans[0];
  const currencies = plan ? Object.keys(plan.prices).sort() : [];
  const [currencyChoice, setCurrency] = useState('');
  const currency = currencies.includes(currencyChoice) ? currencyChoice : (currencies[0] ?? '');
  const [quantity, setQuantity] = useState('1');
  const [coupon, setCoupon] = useState('');
  const [preview, setPreview] = useState<PricePreview | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(false);
  const quote = usePriceQuote();

  useEffect(() => {
    if (!plan || !currency || !/^\d{1,7}$/.test(quantity) || Number(quantity) < 1) {
      setPreview(null);
      return;
    }
    let cancelled = false;
    setLoading(true);
    const timer = setTimeout(() => {
      quote({
        productId,
        version,
        pricePlan: plan.code,
        currency,
        quantity: Number(quantity),
        ...(coupon.trim() ? { couponCode: coupon.trim().toUpperCase() } : {}),
      })
        .then((data) => {
          if (cancelled) return;
          setPreview(data);
          setError(null);
        })
        .catch((caught: unknown) => {
          if (cancelled) return;
          setPreview(null);
          setError(toApiError(caught));
        })
        .finally(() => !cancelled && setLoading(false));
    }, DELAY_MS);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [productId, version, plan, currency, quantity, coupon, revision]);

  if (plans.length === 0) return <p className="muted">Save a price plan to see a quote.</p>;
  return (
    <div className="stack" aria-busy={loading}>
      <div className="inline-fields">
        <div className="field">
          <label className="field-label" htmlFor="preview-plan">
            Plan
          </label>
          <select id="preview-plan" className="select" value={plan?.code ?? ''} onChange={(event) => setPlanCode(event.target.value)}>
            {plans.map((candidate) => (
              <option key={candidate.code} value={candidate.code}>
                {candidate.name} ({candidate.code})
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label className="field-label" htmlFor="preview-currency">
            Currency
          </label>
          <select id="preview-currency" className="select" value={currency} onChange={(event) => setCurrency(event.target.value)}>
            {currencies.map((code) => (
              <option key={code} value={code}>
                {code}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label className="field-label" htmlFor="preview-quantity">
            Quantity
          </label>
          <input id="preview-quantity" className="input" inputMode="numeric" value={quantity} onChange={(event) => setQuantity(event.target.value.trim())} />
        </div>
        <div className="field">
          <label className="field-label" htmlFor="preview-coupon">
            Coupon
          </label>
          <input id="preview-coupon" className="input mono" placeholder="optional" value={coupon} onChange={(event) => setCoupon(event.target.value)} />
        </div>
      </div>
      <ErrorAlert error={error} />
      {error?.problem.errors && error.problem.errors.length > 0 && (
        <ul className="field-error">
          {error.problem.errors.map((problem, index) => (
            <li key={index}>
              <span className="mono">{problem.pointer}</span>: {problem.message}
            </li>
          ))}
        </ul>
      )}
      {preview && <PriceLines price={preview} label="Quote" />}
    </div>
  );
}
