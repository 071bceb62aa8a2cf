// One product for the customer: its current version's plans with prices in the chosen currency (no
// conversion: only currencies the plans price in are offered; the choice is remembered for the
// session), the configuration form generated from the version's schema, a live price quote from the
// server, and "Add to cart" into the cart of that currency. The server checks the configuration
// again and its messages appear under the fields they concern.
import { useEffect, useMemo, useRef, useState } from 'react';
import { Link, useParams } from 'react-router';
import { toApiError, type ApiError } from '../../../shared/api/problem.js';
import type { PricePreview, Product, ProductVersion } from '../../../shared/api/types.js';
import { ErrorAlert } from '../../../shared/components/ErrorAlert.js';
import { Field, describedBy } from '../../../shared/components/Field.js';
import { PageHeader } from '../../../shared/components/PageHeader.js';
import { SchemaForm } from '../../../shared/forms/SchemaForm.js';
import { buildConfiguration, configurationErrors, describeSchema, initialValues, RAW_CONFIGURATION, type FormValues } from '../../../shared/forms/schema-form-model.js';
import { PriceLines } from '../../../shared/orders/OrderParts.js';
import { describePriceModel, intervalText } from '../../../shared/pricing-text.js';
import { UnsavedChangesGuard } from '../../../shared/use-unsaved-changes.js';
import { currenciesOf, preferredCurrency, rememberCurrency } from './cart.js';
import { useOrderableProduct, usePriceQuote } from '../../../shared/features/catalog/use-catalog.js';
import { useCartActions } from '../../../shared/features/orders/use-orders.js';

const PREVIEW_DELAY_MS = 350;

export function ProductPage() {
  const { id = '' } = useParams();
  const loaded = useOrderableProduct(id);

  const breadcrumb = <Link to="/products">Products</Link>;
  if (!loaded.data) {
    return (
      <>
        <PageHeader breadcrumb={breadcrumb} title={loaded.error ? 'Product not available' : 'Loading product…'} />
        <ErrorAlert error={loaded.error} />
      </>
    );
  }
  const { product, version } = loaded.data;
  return (
    <div data-product-id={product.id}>
      <PageHeader breadcrumb={breadcrumb} title={product.name} subtitle={product.category} />
      <div className="stack">
        {product.description && <p>{product.description}</p>}
        {version ? <OrderForm product={product} version={version} /> : <div className="alert alert-warning">This product cannot be ordered at the moment.</div>}
      </div>
    </div>
  );
}

function OrderForm({ product, version }: { product: Product; version: ProductVersion }) {
  const quote = usePriceQuote();
  const cartActions = useCartActions();
  const plans = version.content.pricePlans;
  const currencies = useMemo(() => currenciesOf(plans), [plans]);
  const [currency, setCurrency] = useState<string | undefined>(() => preferredCurrency(currencies));
  const plansInCurrency = plans.filter((plan) => currency !== undefined && plan.prices[currency] !== undefined);
  const [planCode, setPlanCode] = useState<string | undefined>(plansInCurrency[0]?.code);
  const plan = plansInCurrency.find((candidate) => candidate.code === planCode) ?? plansInCurrency[0];
  const { minQuantity, maxQuantity } = version.content.availability;
  const [quantity, setQuantity] = useState(String(minQuantity));

  const model = useMemo(() => describeSchema(version.content.configurationSchema), [version]);
  const [values, setValues] = useState<FormValues>(() => initialValues(model));
  const [touched, setTouched] = useState<Set<string>>(new Set());
  const [attempted, setAttempted] = useState(false);

  const [preview, setPreview] = useState<PricePreview | null>(null);
  const [previewError, setPreviewError] = useState<ApiError | null>(null);
  const [addError, setAddError] = useState<ApiError | null>(null);
  const [adding, setAdding] = useState(false);
  const [added, setAdded] = useState<string | null>(null);
  // Counts edits, so an answer about values the customer has since changed is not shown on them.
  const edits = useRef(0);
  // Edits not yet in a cart: leaving the page asks first.
  const [unsaved, setUnsaved] = useState(false);

  const quantityNumber = /^\d{1,7}$/.test(quantity.trim()) ? Number(quantity.trim()) : undefined;
  const quantityProblem =
    quantityNumber === undefined ? 'Enter a whole number.' : quantityNumber < minQuantity ? `At least ${minQuantity}.` : maxQuantity !== null && quantityNumber > maxQuantity ? `At most ${maxQuantity}.` : undefined;
  const built = buildConfiguration(model, values, false);
  const configurationKey = JSON.stringify(built.configuration);

  // A live quote from the server for what is on the form (the server applies defaults and checks
  // the configuration; its refusal is shown on the fields the customer has touched).
  useEffect(() => {
    if (!currency || !plan || quantityNumber === undefined || Object.keys(built.errors).length > 0) return;
    let cancelled = false;
    const timer = setTimeout(() => {
      quote({ productId: product.id, version: version.version, pricePlan: plan.code, currency, quantity: quantityNumber, configuration: JSON.parse(configurationKey) as Record<string, unknown> })
        .then((data) => {
          if (cancelled) return;
          setPreview(data);
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
    // built.errors follows values, as configurationKey does.
  }, [currency, plan?.code, quantityNumber, configurationKey, product.id, version.version]);

  function chooseCurrency(next: string) {
    setCurrency(next);
    rememberCurrency(next);
    setAdded(null);
  }

  const serverErrors = configurationErrors(addError ?? previewError, model);
  const clientErrors = attempted ? buildConfiguration(model, values, true).errors : {};
  const shownErrors: Record<string, string> = {};
  for (const [name, message] of Object.entries(serverErrors)) if (addError || attempted || touched.has(name) || name === RAW_CONFIGURATION) shownErrors[name] = message;
  Object.assign(shownErrors, clientErrors);
  // Problems the form has no field for (quantity, currency, plan, availability) are shown above it.
  const otherError = addError && Object.keys(configurationErrors(addError, model)).length === 0 ? addError : null;
  const previewOtherProblem = previewError && Object.keys(serverErrors).length === 0 && !addError ? previewError : null;

  async function addToCart() {
    setAttempted(true);
    setAdded(null);
    const checked = buildConfiguration(model, values, true);
    if (!currency || !plan || quantityNumber === undefined || quantityProblem || Object.keys(checked.errors).length > 0) return;
    setAdding(true);
    setAddError(null);
    const editsAtStart = edits.current;
    try {
      await cartActions.addItem(currency, { productId: product.id, version: version.version, pricePlan: plan.code, quantity: quantityNumber, configuration: checked.configuration });
      setAdded(currency);
      if (edits.current === editsAtStart) setUnsaved(false);
    } catch (caught) {
      if (edits.current === editsAtStart) setAddError(toApiError(caught));
    } finally {
      setAdding(false);
    }
  }

  if (currencies.length === 0 || !currency) return <div className="alert alert-warning">This product has no prices yet.</div>;

  return (
    <div className="grid-2">
      <UnsavedChangesGuard dirty={unsaved} title="Leave without adding to your cart?">
        <p className="muted">
          The plan, quantity and configuration you chose for {product.name} are not in your cart yet. Cancel to stay and add them.
        </p>
      </UnsavedChangesGuard>
      <section className="card" aria-labelledby="plans-title">
        <div className="card-header">
          <h2 id="plans-title">Plans</h2>
          <div className="inline-fields">
            <label className="visually-hidden" htmlFor="currency">
              Currency
            </label>
            <select id="currency" className="select" value={currency} onChange={(event) => chooseCurrency(event.target.value)}>
              {currencies.map((code) => (
                <option key={code} value={code}>
                  {code}
                </option>
              ))}
            </select>
          </div>
        </div>
        <div className="card-body stack">
          {plansInCurrency.length === 0 && <p className="muted">No plan is priced in {currency}.</p>}
          <div className="stack" role="radiogroup" aria-labelledby="plans-title">
            {plansInCurrency.map((candidate) => {
              const price = candidate.prices[currency];
              const setup = candidate.setupFee[currency];
              return (
                <label key={candidate.code} className="checkbox" data-plan={candidate.code}>
                  <input
                    type="radio"
                    name="plan"
                    value={candidate.code}
                    checked={plan?.code === candidate.code}
                    onChange={() => {
                      setPlanCode(candidate.code);
                      setUnsaved(true);
                    }}
                  />
                  <span>
                    <strong>{candidate.name}</strong> — <span>{price ? describePriceModel(price, currency) : '—'}</span> {intervalText(candidate.interval)}
                    {setup && setup !== '0' && <span className="muted"> (setup fee {describePriceModel({ model: 'flat', amount: setup }, currency)})</span>}
                    {candidate.trialDays > 0 && <span className="muted"> · {candidate.trialDays}-day trial</span>}
                  </span>
                </label>
              );
            })}
          </div>
          <Field id="quantity" label="Quantity" error={attempted ? quantityProblem : undefined} hint={maxQuantity !== null ? `From ${minQuantity} to ${maxQuantity}.` : `At least ${minQuantity}.`}>
            <input
              id="quantity"
              className="input"
              inputMode="numeric"
              value={quantity}
              onChange={(event) => {
                setQuantity(event.target.value);
                setUnsaved(true);
              }}
              aria-describedby={describedBy('quantity')}
              aria-invalid={attempted && quantityProblem ? true : undefined}
            />
          </Field>
        </div>
      </section>
      <section className="card" aria-labelledby="configure-title">
        <div className="card-header">
          <h2 id="configure-title">Configure</h2>
        </div>
        <form
          className="card-body stack"
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            void addToCart();
          }}
        >
          <SchemaForm
            model={model}
            values={values}
            errors={shownErrors}
            onChange={(next) => {
              const changed = Object.keys(next).filter((name) => next[name] !== values[name]);
              setTouched((before) => new Set([...before, ...changed]));
              edits.current++;
              setUnsaved(true);
              setValues(next);
              setAddError(null);
            }}
          />
          <ErrorAlert error={otherError ?? previewOtherProblem} />
          {preview ? <PriceLines price={preview} label="Price" /> : <p className="muted">{previewError ? 'No price until the configuration is valid.' : 'Working out the price…'}</p>}
          {added && (
            <div className="alert alert-success" role="status">
              Added to your {added} cart. <Link to="/cart">View cart</Link>
            </div>
          )}
          <div className="form-actions">
            <button type="submit" className="button button-primary" disabled={adding || !plan}>
              {adding ? 'Adding…' : 'Add to cart'}
            </button>
          </div>
        </form>
      </section>
    </div>
  );
}
