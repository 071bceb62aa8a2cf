// Changing a live item of a fulfilled order: the customer picks the version, plan and quantity and
// how the current period is settled, sees the server's preview (upgrade, downgrade or quantity
// change; the credit for the unused part, the charge for the rest, what is due now), and confirms.
// Confirming places a change order (sent with an Idempotency-Key that stays the same while the
// change does, so a retry after a lost answer cannot place it twice) and opens it.
import { useEffect, useState } from 'react';
import { useNavigate } from 'react-router';
import { toApiError, type ApiError } from '../../../shared/api/problem.js';
import type { ChangePreview, ItemChangeInput, Order, OrderItem, PricePreview, ProductVersion, ProrationMode } from '../../../shared/api/types.js';
import { ConfirmDialog } from '../../../shared/components/ConfirmDialog.js';
import { ErrorAlert } from '../../../shared/components/ErrorAlert.js';
import { Field, describedBy } from '../../../shared/components/Field.js';
import { formatDateTime } from '../../../shared/format.js';
import { messagesFor, useIdempotencyKey } from '../../../shared/forms.js';
import { formatMinor } from '../../../shared/money.js';
import { usePublishedVersions } from '../../../shared/features/catalog/use-catalog.js';
import { useItemChange } from '../../../shared/features/orders/use-orders.js';
import { CHANGE_KINDS } from '../../../shared/orders/OrderParts.js';
import { recurringText } from '../../../shared/pricing-text.js';

const PREVIEW_DELAY_MS = 300;
/** What a quote recurs at ("€30.00 per month"), or costs once for a one-time plan; a setup fee is never in it. */
const priceText = (price: PricePreview) => (price.interval === 'one_time' ? `${formatMinor(price.oneTimeMinor, price.currency)} once` : recurringText(price.recurringMinor, price.interval, price.currency));

const MODES: { value: ProrationMode; label: string; hint: string }[] = [
  { value: 'prorate_now', label: 'Now, prorated', hint: 'The unused part of this period is credited and the rest charged at the new price now.' },
  { value: 'at_period_end', label: 'At the end of the period', hint: 'Nothing now; the new price applies from the next period.' },
  { value: 'none', label: 'Now, without proration', hint: 'The new price applies from now; this period is neither credited nor charged again.' },
];

export function ChangeItemDialog({ order, item, onClose }: { order: Order; item: OrderItem; onClose(): void }) {
  const navigate = useNavigate();
  const versions = usePublishedVersions(item.productId);
  const change = useItemChange(order.id, item.id);
  const [versionNumber, setVersionNumber] = useState<number | undefined>(undefined);
  const version: ProductVersion | undefined = versions.data?.find((candidate) => candidate.version === versionNumber) ?? versions.data?.find((candidate) => candidate.version === item.version) ?? versions.data?.[0];
  const plans = (version?.content.pricePlans ?? []).filter((plan) => plan.prices[order.currency] !== undefined);
  const [planCode, setPlanCode] = useState(item.pricePlan);
  const plan = plans.find((candidate) => candidate.code === planCode) ?? plans[0];
  const [quantity, setQuantity] = useState(String(item.quantity));
  const [mode, setMode] = useState<ProrationMode>('prorate_now');

  const quantityNumber = /^\d{1,7}$/.test(quantity.trim()) ? Number(quantity.trim()) : undefined;
  const availability = version?.content.availability;
  const quantityProblem =
    quantityNumber === undefined
      ? 'Enter a whole number.'
      : availability && quantityNumber < availability.minQuantity
        ? `At least ${availability.minQuantity}.`
        : availability?.maxQuantity != null && quantityNumber > availability.maxQuantity
          ? `At most ${availability.maxQuantity}.`
          : undefined;
  const body: ItemChangeInput | undefined = version && plan && quantityNumber !== undefined && !quantityProblem ? { version: version.version, pricePlan: plan.code, quantity: quantityNumber, prorationMode: mode } : undefined;
  const bodyKey = JSON.stringify(body ?? null);
  const unchanged = body !== undefined && body.version === item.version && body.pricePlan === item.pricePlan && body.quantity === item.quantity;

  const [preview, setPreview] = useState<{ key: string; value: ChangePreview } | null>(null);
  const [previewError, setPreviewError] = useState<ApiError | null>(null);
  useEffect(() => {
    if (!body || unchanged) return;
    let cancelled = false;
    const timer = setTimeout(() => {
      change
        .preview(body)
        .then((data) => {
          if (cancelled) return;
          setPreview({ key: bodyKey, value: data });
          setPreviewError(null);
        })
        .catch((caught: unknown) => {
          if (cancelled) return;
          setPreview(null);
          setPreviewError(toApiError(caught));
        });
    }, PREVIEW_DELAY_MS);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
    // body is described completely by bodyKey.
  }, [bodyKey, unchanged, order.id, item.id]);
  const current = preview && preview.key === bodyKey && !unchanged ? preview.value : null;

  const keyFor = useIdempotencyKey();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  async function confirm() {
    if (!body || !current) return;
    setBusy(true);
    setError(null);
    try {
      const data = await change.place(body, keyFor({ orderId: order.id, itemId: item.id, body }));
      onClose();
      void navigate(`/orders/${data.id}`);
    } catch (caught) {
      setError(toApiError(caught));
    } finally {
      setBusy(false);
    }
  }

  const problem = error ?? previewError;
  const quantityError = quantityProblem ?? messagesFor(problem, '/quantity');
  const planError = messagesFor(problem, '/pricePlan');
  return (
    <ConfirmDialog
      open
      title={`Change ${item.productName}`}
      confirmLabel="Place change order"
      busy={busy}
      confirmDisabled={!current}
      error={problem && !quantityError && !planError ? problem : null}
      onConfirm={() => void confirm()}
      onCancel={onClose}
    >
      <p className="muted">
        Now: {item.pricePlan}, quantity {item.quantity}, version {item.version}
        {item.price && <> · {priceText(item.price)}</>}
      </p>
      <ErrorAlert error={versions.error} />
      {versions.data && versions.data.length === 0 && <div className="alert alert-warning">{item.productName} can no longer be ordered, so it cannot be changed.</div>}
      {version && (
        <div className="stack">
          {versions.data && versions.data.length > 1 && (
            <Field id="change-version" label="Version">
              <select id="change-version" className="select" value={version.version} onChange={(event) => setVersionNumber(Number(event.target.value))}>
                {versions.data.map((candidate) => (
                  <option key={candidate.version} value={candidate.version}>
                    Version {candidate.version}
                    {candidate.version === item.version ? ' (yours)' : ''}
                  </option>
                ))}
              </select>
            </Field>
          )}
          <Field id="change-plan" label="Plan" error={planError}>
            <select id="change-plan" className="select" value={plan?.code ?? ''} onChange={(event) => setPlanCode(event.target.value)} aria-describedby={describedBy('change-plan')}>
              {plans.map((candidate) => (
                <option key={candidate.code} value={candidate.code}>
                  {candidate.name}
                </option>
              ))}
            </select>
          </Field>
          <Field id="change-quantity" label="Quantity" error={quantityError} hint={availability?.maxQuantity != null ? `From ${availability.minQuantity} to ${availability.maxQuantity}.` : `At least ${availability?.minQuantity ?? 1}.`}>
            <input id="change-quantity" className="input" inputMode="numeric" value={quantity} onChange={(event) => setQuantity(event.target.value)} aria-describedby={describedBy('change-quantity')} />
          </Field>
          <Field id="change-mode" label="Takes effect" hint={MODES.find((candidate) => candidate.value === mode)?.hint}>
            <select id="change-mode" className="select" value={mode} onChange={(event) => setMode(event.target.value as ProrationMode)} aria-describedby={describedBy('change-mode')}>
              {MODES.map((candidate) => (
                <option key={candidate.value} value={candidate.value}>
                  {candidate.label}
                </option>
              ))}
            </select>
          </Field>
          {unchanged && <p className="muted">Choose what to change.</p>}
          {current && <ChangePreviewSummary preview={current} currency={order.currency} />}
        </div>
      )}
    </ConfirmDialog>
  );
}

/** What a change does to the price: per period before and after, and how this period is settled. */
function ChangePreviewSummary({ preview, currency }: { preview: ChangePreview; currency: string }) {
  const { proration } = preview;
  return (
    <dl className="details" data-kind={preview.kind}>
      <dt>Change</dt>
      <dd>{CHANGE_KINDS[preview.kind]}</dd>
      <dt>Price</dt>
      <dd>
        {priceText(preview.current)} → <strong>{priceText(preview.proposed)}</strong>
      </dd>
      {proration.mode === 'prorate_now' && (
        <>
          <dt>Credit</dt>
          <dd>{formatMinor(proration.creditMinor, currency)} for the unused part of this period</dd>
          <dt>Charge</dt>
          <dd>{formatMinor(proration.chargeMinor, currency)} for the rest of this period</dd>
        </>
      )}
      <dt>Due now</dt>
      <dd>{formatMinor(proration.dueNowMinor, currency)}</dd>
      <dt>New price from</dt>
      <dd>{formatDateTime(proration.newPriceFrom)}</dd>
    </dl>
  );
}
