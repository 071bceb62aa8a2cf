// Editing a version's price plans: each plan's code, name, interval, trial and tax category, its
// setup fee and its price per currency in one of the models (flat, per unit, graduated, volume,
// package; tiered models with a tier table). Amounts are kept as the exact strings typed — the
// server checks them (and says where, by pointer, shown under the plan).
import { useState } from 'react';
import type { FieldProblem } from '../../../shared/api/problem.js';
import type { PriceModel, PricePlan } from '../../../shared/api/types.js';
import { isDecimalAmount } from '../../../shared/money.js';

type ModelName = PriceModel['model'];
type Tier = Extract<PriceModel, { tiers: unknown }>['tiers'][number];
const MODELS: { value: ModelName; label: string }[] = [
  { value: 'flat', label: 'Flat' },
  { value: 'per_unit', label: 'Per unit' },
  { value: 'graduated', label: 'Graduated (each tier its own price)' },
  { value: 'volume', label: 'Volume (the reached tier prices all)' },
  { value: 'package', label: 'Package' },
];

export function emptyModel(model: ModelName): PriceModel {
  switch (model) {
    case 'flat':
      return { model, amount: '0' };
    case 'per_unit':
      return { model, unitAmount: '0' };
    case 'package':
      return { model, packageSize: 1, packageAmount: '0' };
    case 'graduated':
    case 'volume':
      return { model, tiers: [{ upTo: null, unitAmount: '0' }] };
  }
}

export function emptyPlan(index: number): PricePlan {
  return { code: index === 0 ? 'monthly' : `plan-${index + 1}`, name: index === 0 ? 'Monthly' : `Plan ${index + 1}`, interval: 'month', trialDays: 0, taxCategory: 'standard', setupFee: {}, prices: { EUR: emptyModel('flat') }, usage: [] };
}

const integerOr = (text: string, fallback: number): number => (/^\d{1,13}$/.test(text.trim()) ? Number(text.trim()) : fallback);

function AmountInput({ id, value, onChange, label }: { id: string; value: string; onChange(value: string): void; label: string }) {
  const invalid = value !== '' && !isDecimalAmount(value);
  return (
    <div className="field">
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      <input id={id} className="input mono" inputMode="decimal" value={value} onChange={(event) => onChange(event.target.value.trim())} aria-invalid={invalid || undefined} aria-describedby={invalid ? `${id}-error` : undefined} />
      {invalid && (
        <span className="field-error" id={`${id}-error`}>
          Not an amount: digits with an optional decimal point, e.g. 12.50.
        </span>
      )}
    </div>
  );
}

function ModelEditor({ id, model, onChange }: { id: string; model: PriceModel; onChange(model: PriceModel): void }) {
  const tiers = 'tiers' in model ? model.tiers : [];
  const setTier = (index: number, tier: Tier) => 'tiers' in model && onChange({ ...model, tiers: tiers.map((existing, i) => (i === index ? tier : existing)) });
  return (
    <div className="stack">
      <div className="inline-fields">
        <div className="field">
          <label className="field-label" htmlFor={`${id}-model`}>
            Model
          </label>
          <select id={`${id}-model`} className="select" value={model.model} onChange={(event) => onChange(emptyModel(event.target.value as ModelName))}>
            {MODELS.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
        </div>
        {model.model === 'flat' && <AmountInput id={`${id}-amount`} label="Amount" value={model.amount} onChange={(amount) => onChange({ ...model, amount })} />}
        {model.model === 'per_unit' && <AmountInput id={`${id}-unitAmount`} label="Per unit" value={model.unitAmount} onChange={(unitAmount) => onChange({ ...model, unitAmount })} />}
        {model.model === 'package' && (
          <>
            <div className="field">
              <label className="field-label" htmlFor={`${id}-packageSize`}>
                Units per package
              </label>
              <input id={`${id}-packageSize`} className="input" inputMode="numeric" value={String(model.packageSize)} onChange={(event) => onChange({ ...model, packageSize: integerOr(event.target.value, 0) })} />
            </div>
            <AmountInput id={`${id}-packageAmount`} label="Per package" value={model.packageAmount} onChange={(packageAmount) => onChange({ ...model, packageAmount })} />
          </>
        )}
      </div>
      {'tiers' in model && (
        <table className="table" aria-label="Tiers">
          <thead>
            <tr>
              <th scope="col">Up to (units, inclusive)</th>
              <th scope="col">Unit amount</th>
              <th scope="col">Flat amount</th>
              <th scope="col" aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {tiers.map((tier, index) => (
              <tr key={index}>
                <td>
                  <input
                    className="input"
                    inputMode="numeric"
                    placeholder="∞ (last tier)"
                    aria-label={`Tier ${index + 1} up to`}
                    value={tier.upTo === null ? '' : String(tier.upTo)}
                    onChange={(event) => setTier(index, { ...tier, upTo: event.target.value.trim() === '' ? null : integerOr(event.target.value, 0) })}
                  />
                </td>
                <td>
                  <input className="input mono" aria-label={`Tier ${index + 1} unit amount`} value={tier.unitAmount} onChange={(event) => setTier(index, { ...tier, unitAmount: event.target.value.trim() })} />
                </td>
                <td>
                  <input
                    className="input mono"
                    placeholder="none"
                    aria-label={`Tier ${index + 1} flat amount`}
                    value={tier.flatAmount ?? ''}
                    onChange={(event) => {
                      const { flatAmount: _dropped, ...rest } = tier;
                      const text = event.target.value.trim();
                      setTier(index, text === '' ? rest : { ...rest, flatAmount: text });
                    }}
                  />
                </td>
                <td>
                  <button type="button" className="button button-ghost" disabled={tiers.length === 1} onClick={() => onChange({ ...model, tiers: tiers.filter((_, i) => i !== index) })} aria-label={`Remove tier ${index + 1}`}>
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <td colSpan={4}>
                <button
                  type="button"
                  className="button"
                  onClick={() => {
                    // The new tier goes before the open-ended last one.
                    const last = tiers[tiers.length - 1];
                    const bounded = last && last.upTo === null ? tiers.slice(0, -1) : tiers;
                    const from = (bounded[bounded.length - 1]?.upTo ?? 0) + 10;
                    onChange({ ...model, tiers: [...bounded, { upTo: from, unitAmount: '0' }, ...(last && last.upTo === null ? [last] : [])] });
                  }}
                >
                  Add tier
                </button>
              </td>
            </tr>
          </tfoot>
        </table>
      )}
    </div>
  );
}

function AddCurrency({ taken, onAdd }: { taken: string[]; onAdd(currency: string): void }) {
  const [code, setCode] = useState('');
  const upper = code.trim().toUpperCase();
  const valid = /^[A-Z]{3}$/.test(upper) && !taken.includes(upper);
  return (
    <div className="inline-fields">
      <input className="input mono" placeholder="USD" maxLength={3} aria-label="Currency code" value={code} onChange={(event) => setCode(event.target.value)} />
      <button
        type="button"
        className="button"
        disabled={!valid}
        onClick={() => {
          onAdd(upper);
          setCode('');
        }}
      >
        Add currency
      </button>
    </div>
  );
}

function PlanEditor({ plan, index, onChange, onRemove, problems }: { plan: PricePlan; index: number; onChange(plan: PricePlan): void; onRemove(): void; problems: FieldProblem[] }) {
  const id = `plan-${index}`;
  const currencies = Object.keys(plan.prices);
  const text = (field: 'code' | 'name' | 'taxCategory', label: string) => (
    <div className="field">
      <label className="field-label" htmlFor={`${id}-${field}`}>
        {label}
      </label>
      <input id={`${id}-${field}`} className="input" value={plan[field]} onChange={(event) => onChange({ ...plan, [field]: event.target.value })} />
    </div>
  );
  return (
    <section className="card" data-plan-index={index} aria-labelledby={`${id}-title`}>
      <div className="card-header">
        <h3 id={`${id}-title`}>
          Plan {index + 1}: {plan.name || plan.code}
        </h3>
        <button type="button" className="button button-danger-outline" onClick={onRemove}>
          Remove plan
        </button>
      </div>
      <div className="card-body stack">
        <div className="inline-fields">
          {text('code', 'Code')}
          {text('name', 'Name')}
          <div className="field">
            <label className="field-label" htmlFor={`${id}-interval`}>
              Billed
            </label>
            <select id={`${id}-interval`} className="select" value={plan.interval} onChange={(event) => onChange({ ...plan, interval: event.target.value as PricePlan['interval'] })}>
              <option value="month">Monthly</option>
              <option value="year">Yearly</option>
              <option value="one_time">Once</option>
            </select>
          </div>
          <div className="field">
            <label className="field-label" htmlFor={`${id}-trialDays`}>
              Trial days
            </label>
            <input id={`${id}-trialDays`} className="input" inputMode="numeric" value={String(plan.trialDays)} onChange={(event) => onChange({ ...plan, trialDays: integerOr(event.target.value, 0) })} />
          </div>
          {text('taxCategory', 'Tax category')}
        </div>
        {currencies.map((currency) => (
          // A group per currency, named by it, so its fields ("Per unit", "Model") are told apart from another currency's.
          <div key={currency} className="card card-body stack" data-currency={currency} role="group" aria-labelledby={`${id}-price-${currency}-title`}>
            <div className="inline-fields">
              <strong id={`${id}-price-${currency}-title`}>{currency}</strong>
              <button
                type="button"
                className="button button-ghost"
                onClick={() => {
                  const { [currency]: _price, ...prices } = plan.prices;
                  const { [currency]: _fee, ...setupFee } = plan.setupFee;
                  onChange({ ...plan, prices, setupFee });
                }}
              >
                Remove {currency}
              </button>
            </div>
            <ModelEditor id={`${id}-price-${currency}`} model={plan.prices[currency]!} onChange={(model) => onChange({ ...plan, prices: { ...plan.prices, [currency]: model } })} />
            <div className="inline-fields">
              <AmountInput
                id={`${id}-setup-${currency}`}
                label="Setup fee (optional)"
                value={plan.setupFee[currency] ?? ''}
                onChange={(amount) => {
                  const { [currency]: _fee, ...rest } = plan.setupFee;
                  onChange({ ...plan, setupFee: amount === '' ? rest : { ...rest, [currency]: amount } });
                }}
              />
            </div>
          </div>
        ))}
        <AddCurrency taken={currencies} onAdd={(currency) => onChange({ ...plan, prices: { ...plan.prices, [currency]: emptyModel('flat') } })} />
        {plan.usage.length > 0 && (
          <p className="muted">
            {plan.usage.length} usage-based component(s) ({plan.usage.map((usage) => usage.metricCode).join(', ')}) are kept as they are; change them through the API.
          </p>
        )}
        {problems.length > 0 && (
          <ul className="field-error" role="alert">
            {problems.map((problem, i) => (
              <li key={i}>
                <span className="mono">{problem.pointer.replace(`/pricePlans/${index}`, '') || '/'}</span>: {problem.message}
              </li>
            ))}
          </ul>
        )}
      </div>
    </section>
  );
}

export function PricingEditor({ plans, onChange, problems }: { plans: PricePlan[]; onChange(plans: PricePlan[]): void; problems: FieldProblem[] }) {
  return (
    <div className="stack">
      {plans.length === 0 && <p className="muted">No price plans: the version cannot be ordered until it has one.</p>}
      {plans.map((plan, index) => (
        <PlanEditor
          key={index}
          plan={plan}
          index={index}
          problems={problems.filter((problem) => problem.pointer === `/pricePlans/${index}` || problem.pointer.startsWith(`/pricePlans/${index}/`))}
          onChange={(next) => onChange(plans.map((existing, i) => (i === index ? next : existing)))}
          onRemove={() => onChange(plans.filter((_, i) => i !== index))}
        />
      ))}
      <div>
        <button type="button" className="button" onClick={() => onChange([...plans, emptyPlan(plans.length)])}>
          Add plan
        </button>
      </div>
    </div>
  );
}
