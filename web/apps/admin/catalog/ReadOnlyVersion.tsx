// A published or retired version, read-only: what it sells, the form customers get, its quote and
// its schema; retiring a published version is confirmed first.
import { useMemo, useState } from 'react';
import { toApiError, type ApiError } from '../../../shared/api/problem.js';
import type { PricePlan, ProductVersion } from '../../../shared/api/types.js';
import { ConfirmDialog } from '../../../shared/components/ConfirmDialog.js';
import { ErrorAlert } from '../../../shared/components/ErrorAlert.js';
import { describeSchema } from '../../../shared/forms/schema-form-model.js';
import { describePriceModel, intervalText } from '../../../shared/pricing-text.js';
import { FormPreview } from './FormPreview.js';
import { PricePreviewPanel } from './PricePreviewPanel.js';
import { useVersionActions } from '../../../shared/features/catalog/use-catalog.js';

const list = (items: string[]) => items.join(', ');
const json = (value: unknown) => JSON.stringify(value, null, 2);

export function ReadOnlyVersion({ productId, version, onChanged }: { productId: string; version: ProductVersion; onChanged(version: ProductVersion): void }) {
  const [retiring, setRetiring] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const model = useMemo(() => describeSchema(version.content.configurationSchema), [version]);
  const { content } = version;

  const actions = useVersionActions(productId, version.version);

  async function retire() {
    setBusy(true);
    setError(null);
    try {
      const data = await actions.retire();
      setRetiring(false);
      onChanged(data);
    } catch (caught) {
      setError(toApiError(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="stack">
      {version.status === 'published' && (
        <div className="card card-body inline-fields">
          <span className="muted">Published versions cannot change; start a new draft from the product page.</span>
          <button type="button" className="button button-danger-outline" onClick={() => setRetiring(true)}>
            Retire…
          </button>
        </div>
      )}
      <ErrorAlert error={error} />
      <div className="grid-2">
        <section className="card" aria-labelledby="section-sells-title">
          <div className="card-header">
            <h2 id="section-sells-title">What it sells</h2>
          </div>
          <div className="card-body">
            <dl className="details">
              <dt>Summary</dt>
              <dd>{content.summary || '—'}</dd>
              <dt>Approval</dt>
              <dd>{content.requiresApproval ? 'Orders wait for an operator' : 'Not needed'}</dd>
              <dt>Quantity</dt>
              <dd>
                {content.availability.minQuantity} to {content.availability.maxQuantity ?? 'any'}
              </dd>
              <dt>Regions</dt>
              <dd>{list(content.availability.regions) || 'Anywhere'}</dd>
              <dt>Provisioning</dt>
              <dd className="mono">{content.provisioning ? content.provisioning.capability : 'None'}</dd>
              <dt>Quotas per unit</dt>
              <dd className="mono">{Object.keys(content.quotaConsumption).length ? json(content.quotaConsumption) : 'None'}</dd>
              {content.pricePlans.map((plan) => (
                <PlanSummary key={plan.code} plan={plan} />
              ))}
            </dl>
          </div>
        </section>
        <section className="card" aria-labelledby="section-form-preview-title">
          <div className="card-header">
            <h2 id="section-form-preview-title">The form customers get</h2>
          </div>
          <div className="card-body">
            <FormPreview model={model} />
          </div>
        </section>
      </div>
      {version.status === 'published' && (
        <section className="card" aria-labelledby="section-quote-title">
          <div className="card-header">
            <h2 id="section-quote-title">Quote</h2>
          </div>
          <div className="card-body">
            <PricePreviewPanel productId={productId} version={version.version} plans={content.pricePlans} revision="published" />
          </div>
        </section>
      )}
      <section className="card" aria-labelledby="section-schema-title">
        <div className="card-header">
          <h2 id="section-schema-title">Configuration schema</h2>
        </div>
        <pre className="code-block">{json(content.configurationSchema)}</pre>
      </section>
      <ConfirmDialog open={retiring} title={`Retire v${version.version}?`} confirmLabel="Retire" tone="danger" busy={busy} error={error} onConfirm={() => void retire()} onCancel={() => setRetiring(false)}>
        <p className="muted">No new orders of this version will be taken; existing orders keep it. This cannot be undone.</p>
      </ConfirmDialog>
    </div>
  );
}

function PlanSummary({ plan }: { plan: PricePlan }) {
  return (
    <>
      <dt>
        Plan {plan.name} <span className="mono muted">({plan.code})</span>
      </dt>
      <dd>
        {Object.entries(plan.prices).map(([currency, model]) => (
          <div key={currency}>
            {currency}: {describePriceModel(model, currency)} {intervalText(plan.interval)}
          </div>
        ))}
      </dd>
    </>
  );
}
