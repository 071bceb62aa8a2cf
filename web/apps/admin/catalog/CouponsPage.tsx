// Coupons: the list (newest first, archived ones marked), creating one (percent or an amount per
// currency; once, for some periods or forever; optional expiry, redemption limit and products), and
// archiving one behind a confirmation. The server validates; its messages appear by field.
import { useRef, useState, type FormEvent } from 'react';
import { toApiError, type ApiError } from '../../../shared/api/problem.js';
import type { Coupon, CreateCouponInput } from '../../../shared/api/types.js';
import { ConfirmDialog } from '../../../shared/components/ConfirmDialog.js';
import { ErrorAlert } from '../../../shared/components/ErrorAlert.js';
import { Field, describedBy } from '../../../shared/components/Field.js';
import { PageHeader } from '../../../shared/components/PageHeader.js';
import { formatDateTime } from '../../../shared/format.js';
import { newIdempotencyKey } from '../../../shared/forms.js';
import { formatMoney } from '../../../shared/money.js';
import { CatalogTabs } from './CatalogRoutes.js';
import { useCoupons } from '../../../shared/features/catalog/use-catalog.js';
import { Pagination } from '../../../shared/cursor-pages.js';

function discountText(coupon: Coupon): string {
  if (coupon.discount.type === 'percent') return `${coupon.discount.percentOff}% off`;
  return `${Object.entries(coupon.discount.amountOff)
    .map(([currency, amount]) => formatMoney(amount, currency))
    .join(' / ')} off`;
}

function durationText(coupon: Coupon): string {
  return coupon.duration.type === 'repeating' ? `${coupon.duration.periods} periods` : coupon.duration.type;
}

/** "EUR 10.00, USD 12" → { EUR: '10.00', USD: '12' }; anything unreadable is passed on for the server to name. */
function parseAmounts(text: string): Record<string, string> {
  const amounts: Record<string, string> = {};
  for (const part of text.split(',').map((item) => item.trim()).filter(Boolean)) {
    const [currency = '', amount = ''] = part.split(/[\s=:]+/);
    amounts[currency.toUpperCase()] = amount;
  }
  return amounts;
}

export function CouponsPage() {
  const page = useCoupons();
  const [archiving, setArchiving] = useState<Coupon | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  async function archive() {
    if (!archiving) return;
    setBusy(true);
    setError(null);
    try {
      await page.archive(archiving.id);
      setArchiving(null);
      page.reload();
    } catch (caught) {
      setError(toApiError(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <PageHeader title="Catalog" subtitle="Coupons customers can redeem on orders." />
      <CatalogTabs />
      <div className="stack">
        <CreateCouponForm create={page.create} onCreated={page.reload} />
        <section className="card" aria-labelledby="coupons-title">
          <div className="card-header">
            <h2 id="coupons-title">Coupons</h2>
          </div>
          <ErrorAlert error={page.error} />
          <div className="table-wrap">
            <table className="table" aria-label="Coupons">
              <thead>
                <tr>
                  <th scope="col">Code</th>
                  <th scope="col">Name</th>
                  <th scope="col">Discount</th>
                  <th scope="col">Duration</th>
                  <th scope="col">Redeemed</th>
                  <th scope="col">Expires</th>
                  <th scope="col" aria-label="Actions" />
                </tr>
              </thead>
              <tbody>
                {page.page?.data.map((coupon) => (
                  <tr key={coupon.id} data-code={coupon.code} data-archived={coupon.archived}>
                    <th scope="row">
                      <span className="mono">{coupon.code}</span> {coupon.archived && <span className="badge badge-archived">archived</span>}
                    </th>
                    <td>{coupon.name}</td>
                    <td>{discountText(coupon)}</td>
                    <td>{durationText(coupon)}</td>
                    <td>
                      {coupon.redemptions}
                      {coupon.maxRedemptions !== null && ` of ${coupon.maxRedemptions}`}
                    </td>
                    <td className="muted">{coupon.expiresAt ? formatDateTime(coupon.expiresAt) : 'Never'}</td>
                    <td>
                      {!coupon.archived && (
                        <button type="button" className="button button-danger-outline" onClick={() => setArchiving(coupon)} aria-label={`Archive ${coupon.code}`}>
                          Archive
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {page.page && page.page.data.length === 0 && <div className="table-empty">No coupons yet.</div>}
          </div>
          <Pagination pages={page} label="Coupons pages" />
        </section>
      </div>
      <ConfirmDialog open={archiving !== null} title={`Archive ${archiving?.code ?? ''}?`} confirmLabel="Archive" tone="danger" busy={busy} error={error} onConfirm={() => void archive()} onCancel={() => setArchiving(null)}>
        <p className="muted">Customers can no longer redeem it. Orders that already used it keep their discount.</p>
      </ConfirmDialog>
    </>
  );
}

function CreateCouponForm({ create, onCreated }: { create(body: CreateCouponInput, idempotencyKey: string): Promise<Coupon>; onCreated(): void }) {
  const [code, setCode] = useState('');
  const [name, setName] = useState('');
  const [discountType, setDiscountType] = useState<'percent' | 'amount'>('percent');
  const [percent, setPercent] = useState('');
  const [amounts, setAmounts] = useState('');
  const [durationType, setDurationType] = useState<'once' | 'repeating' | 'forever'>('once');
  const [periods, setPeriods] = useState('3');
  const [expiresAt, setExpiresAt] = useState('');
  const [maxRedemptions, setMaxRedemptions] = useState('');
  const [productIds, setProductIds] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<string | null>(null);
  const lastAttempt = useRef<{ body: string; key: string } | null>(null);
  const byPointer = error?.fieldErrors ?? {};
  const under = (prefix: string) => Object.entries(byPointer).find(([pointer]) => pointer === prefix || pointer.startsWith(`${prefix}/`))?.[1];

  async function submit(event: FormEvent) {
    event.preventDefault();
    const body: CreateCouponInput = {
      code: code.trim().toUpperCase(),
      name: name.trim(),
      discount: discountType === 'percent' ? { type: 'percent', percentOff: percent.trim() } : { type: 'amount', amountOff: parseAmounts(amounts) },
      duration: durationType === 'repeating' ? { type: 'repeating', periods: /^\d+$/.test(periods) ? Number(periods) : 0 } : { type: durationType },
      ...(expiresAt ? { expiresAt: new Date(expiresAt).toISOString() } : {}),
      ...(maxRedemptions.trim() ? { maxRedemptions: /^\d+$/.test(maxRedemptions.trim()) ? Number(maxRedemptions.trim()) : 0 } : {}),
      ...(productIds.trim() ? { productIds: productIds.split(',').map((id) => id.trim()).filter(Boolean) } : {}),
    };
    const serialised = JSON.stringify(body);
    if (lastAttempt.current?.body !== serialised) lastAttempt.current = { body: serialised, key: newIdempotencyKey() };
    setBusy(true);
    setError(null);
    setCreated(null);
    try {
      const data = await create(body, lastAttempt.current.key);
      setCreated(data.code);
      setCode('');
      setName('');
      setPercent('');
      setAmounts('');
      onCreated();
    } catch (caught) {
      setError(toApiError(caught));
    } finally {
      setBusy(false);
    }
  }

  const known = ['/code', '/name', '/discount', '/duration', '/expiresAt', '/maxRedemptions', '/productIds'];
  // A field says it is invalid and is described by its message (Field shows it), so the message is read with it.
  const problemOn = (id: string, prefix?: string) => ({ 'aria-describedby': describedBy(id), 'aria-invalid': prefix && under(prefix) ? true : undefined });
  const unmatched = error && (Object.keys(byPointer).length === 0 || Object.keys(byPointer).some((pointer) => !known.some((prefix) => pointer === prefix || pointer.startsWith(`${prefix}/`))));

  return (
    <form className="card" onSubmit={submit} noValidate aria-labelledby="new-coupon-title">
      <div className="card-header">
        <h2 id="new-coupon-title">New coupon</h2>
      </div>
      <div className="card-body form-grid">
        <Field id="coupon-code" label="Code" error={under('/code')} hint="What customers type: upper-case letters, digits, - and _ (3 to 40).">
          <input id="coupon-code" className="input mono" value={code} onChange={(event) => setCode(event.target.value)} {...problemOn('coupon-code', '/code')} />
        </Field>
        <Field id="coupon-name" label="Name" error={under('/name')}>
          <input id="coupon-name" className="input" value={name} onChange={(event) => setName(event.target.value)} {...problemOn('coupon-name', '/name')} />
        </Field>
        <Field id="coupon-discount-type" label="Discount">
          <select id="coupon-discount-type" className="select" value={discountType} onChange={(event) => setDiscountType(event.target.value as 'percent' | 'amount')}>
            <option value="percent">Percent off</option>
            <option value="amount">Amount off, per currency</option>
          </select>
        </Field>
        {discountType === 'percent' ? (
          <Field id="coupon-percent" label="Percent off" error={under('/discount')} hint='e.g. 15 or 12.5'>
            <input id="coupon-percent" className="input" inputMode="decimal" value={percent} onChange={(event) => setPercent(event.target.value)} {...problemOn('coupon-percent', '/discount')} />
          </Field>
        ) : (
          <Field id="coupon-amounts" label="Amounts off" error={under('/discount')} hint="Per currency, e.g. EUR 10.00, USD 12.00">
            <input id="coupon-amounts" className="input mono" value={amounts} onChange={(event) => setAmounts(event.target.value)} {...problemOn('coupon-amounts', '/discount')} />
          </Field>
        )}
        <Field id="coupon-duration" label="Applies" error={under('/duration')}>
          <select id="coupon-duration" className="select" value={durationType} onChange={(event) => setDurationType(event.target.value as 'once' | 'repeating' | 'forever')} {...problemOn('coupon-duration', '/duration')}>
            <option value="once">Once</option>
            <option value="repeating">For some billing periods</option>
            <option value="forever">Forever</option>
          </select>
        </Field>
        {durationType === 'repeating' && (
          <Field id="coupon-periods" label="Periods">
            <input id="coupon-periods" className="input" inputMode="numeric" value={periods} onChange={(event) => setPeriods(event.target.value)} />
          </Field>
        )}
        <Field id="coupon-expires" label="Expires" optional error={under('/expiresAt')}>
          <input id="coupon-expires" className="input" type="datetime-local" value={expiresAt} onChange={(event) => setExpiresAt(event.target.value)} {...problemOn('coupon-expires', '/expiresAt')} />
        </Field>
        <Field id="coupon-max" label="Redemption limit" optional error={under('/maxRedemptions')}>
          <input id="coupon-max" className="input" inputMode="numeric" value={maxRedemptions} onChange={(event) => setMaxRedemptions(event.target.value)} {...problemOn('coupon-max', '/maxRedemptions')} />
        </Field>
        <Field id="coupon-products" label="Only for products" optional error={under('/productIds')} hint="Product ids, comma-separated; empty for any product.">
          <input id="coupon-products" className="input mono" value={productIds} onChange={(event) => setProductIds(event.target.value)} {...problemOn('coupon-products', '/productIds')} />
        </Field>
        {unmatched && <ErrorAlert error={error} />}
        {created && (
          <div className="alert alert-success" role="status">
            Coupon {created} created.
          </div>
        )}
      </div>
      <div className="card-footer">
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? 'Creating…' : 'Create coupon'}
        </button>
      </div>
    </form>
  );
}
