// Approval rules: orders matching any enabled rule wait for an operator (besides products flagged
// as needing approval). Create (a total above an amount in one currency, certain products, or a
// quantity above a number), list, delete behind a confirmation.
import { useState, type FormEvent } from 'react';
import { toApiError, type ApiError } from '../../../shared/api/problem.js';
import type { ApprovalRule, CreateApprovalRuleInput } from '../../../shared/api/types.js';
import { ConfirmDialog } from '../../../shared/components/ConfirmDialog.js';
import { ErrorAlert } from '../../../shared/components/ErrorAlert.js';
import { Field, describedBy } from '../../../shared/components/Field.js';
import { PageHeader } from '../../../shared/components/PageHeader.js';
import { formatDateTime } from '../../../shared/format.js';
import { formatMoney } from '../../../shared/money.js';
import { CatalogTabs } from './CatalogRoutes.js';
import { useApprovalRules } from '../../../shared/features/catalog/use-catalog.js';

type ConditionType = ApprovalRule['condition']['type'];

function conditionText(rule: ApprovalRule): string {
  const condition = rule.condition;
  switch (condition.type) {
    case 'total_above':
      return `Order total above ${formatMoney(condition.amount, condition.currency)}`;
    case 'products':
      return `Contains ${condition.productIds.join(', ')}`;
    case 'quantity_above':
      return `An item’s quantity above ${condition.quantity}`;
  }
}

export function ApprovalRulesPage() {
  const rules = useApprovalRules();
  const [deleting, setDeleting] = useState<ApprovalRule | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  async function remove() {
    if (!deleting) return;
    setBusy(true);
    setError(null);
    try {
      await rules.remove(deleting.id);
      setDeleting(null);
      await rules.reload();
    } catch (caught) {
      setError(toApiError(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <PageHeader title="Catalog" subtitle="Orders that match an enabled rule wait for an operator’s approval." />
      <CatalogTabs />
      <div className="stack">
        <CreateRuleForm create={rules.create} onCreated={() => void rules.reload()} />
        <section className="card" aria-labelledby="approval-rules-title">
          <div className="card-header">
            <h2 id="approval-rules-title">Approval rules</h2>
          </div>
          <ErrorAlert error={rules.error} />
          <div className="table-wrap">
            <table className="table" aria-label="Approval rules">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Condition</th>
                  <th scope="col">Enabled</th>
                  <th scope="col">Created</th>
                  <th scope="col" aria-label="Actions" />
                </tr>
              </thead>
              <tbody>
                {rules.data?.map((rule) => (
                  <tr key={rule.id} data-rule-id={rule.id}>
                    <th scope="row">{rule.name}</th>
                    <td>{conditionText(rule)}</td>
                    <td>{rule.enabled ? 'Yes' : 'No'}</td>
                    <td className="muted">{formatDateTime(rule.createdAt)}</td>
                    <td>
                      <button type="button" className="button button-danger-outline" onClick={() => setDeleting(rule)} aria-label={`Delete rule ${rule.name}`}>
                        Delete
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {rules.data && rules.data.length === 0 && <div className="table-empty">No rules: only products flagged as needing approval wait for one.</div>}
          </div>
        </section>
      </div>
      <ConfirmDialog open={deleting !== null} title={`Delete the rule “${deleting?.name ?? ''}”?`} confirmLabel="Delete" tone="danger" busy={busy} error={error} onConfirm={() => void remove()} onCancel={() => setDeleting(null)}>
        <p className="muted">Orders submitted from now on are no longer held by it. Orders already waiting stay waiting.</p>
      </ConfirmDialog>
    </>
  );
}

function CreateRuleForm({ create, onCreated }: { create(body: CreateApprovalRuleInput): Promise<void>; onCreated(): void }) {
  const [name, setName] = useState('');
  const [type, setType] = useState<ConditionType>('total_above');
  const [currency, setCurrency] = useState('EUR');
  const [amount, setAmount] = useState('');
  const [productIds, setProductIds] = useState('');
  const [quantity, setQuantity] = useState('');
  const [enabled, setEnabled] = useState(true);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const byPointer = error?.fieldErrors ?? {};
  const under = (prefix: string) => Object.entries(byPointer).find(([pointer]) => pointer === prefix || pointer.startsWith(`${prefix}/`))?.[1];

  // A field says it is invalid and is described by its message (Field shows it), so the message is read with it.
  const problemOn = (id: string, prefix: string) => ({ 'aria-describedby': describedBy(id), 'aria-invalid': under(prefix) ? true : undefined });

  async function submit(event: FormEvent) {
    event.preventDefault();
    const condition: CreateApprovalRuleInput['condition'] =
      type === 'total_above'
        ? { type, currency: currency.trim().toUpperCase(), amount: amount.trim() }
        : type === 'products'
          ? { type, productIds: productIds.split(',').map((id) => id.trim()).filter(Boolean) }
          : { type, quantity: /^\d+$/.test(quantity.trim()) ? Number(quantity.trim()) : 0 };
    setBusy(true);
    setError(null);
    try {
      await create({ name: name.trim(), condition, enabled });
      setName('');
      setAmount('');
      setProductIds('');
      setQuantity('');
      onCreated();
    } catch (caught) {
      setError(toApiError(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card" onSubmit={submit} noValidate aria-labelledby="new-rule-title">
      <div className="card-header">
        <h2 id="new-rule-title">New rule</h2>
      </div>
      <div className="card-body form-grid">
        <Field id="rule-name" label="Name" error={under('/name')} hint="Customers see it as the reason their order waits.">
          <input id="rule-name" className="input" value={name} onChange={(event) => setName(event.target.value)} {...problemOn('rule-name', '/name')} />
        </Field>
        <Field id="rule-type" label="Hold orders when">
          <select id="rule-type" className="select" value={type} onChange={(event) => setType(event.target.value as ConditionType)}>
            <option value="total_above">The total is above an amount</option>
            <option value="products">They contain certain products</option>
            <option value="quantity_above">An item’s quantity is above a number</option>
          </select>
        </Field>
        {type === 'total_above' && (
          <>
            <Field id="rule-currency" label="Currency" error={under('/condition/currency')}>
              <input id="rule-currency" className="input mono" maxLength={3} value={currency} onChange={(event) => setCurrency(event.target.value)} {...problemOn('rule-currency', '/condition/currency')} />
            </Field>
            <Field id="rule-amount" label="Amount" error={under('/condition/amount')} hint="In major units, e.g. 1000.00">
              <input id="rule-amount" className="input mono" inputMode="decimal" value={amount} onChange={(event) => setAmount(event.target.value)} {...problemOn('rule-amount', '/condition/amount')} />
            </Field>
          </>
        )}
        {type === 'products' && (
          <Field id="rule-products" label="Products" error={under('/condition/productIds')} hint="Product ids, comma-separated.">
            <input id="rule-products" className="input mono" value={productIds} onChange={(event) => setProductIds(event.target.value)} {...problemOn('rule-products', '/condition/productIds')} />
          </Field>
        )}
        {type === 'quantity_above' && (
          <Field id="rule-quantity" label="Quantity" error={under('/condition/quantity')}>
            <input id="rule-quantity" className="input" inputMode="numeric" value={quantity} onChange={(event) => setQuantity(event.target.value)} {...problemOn('rule-quantity', '/condition/quantity')} />
          </Field>
        )}
        <label className="checkbox">
          <input type="checkbox" checked={enabled} onChange={(event) => setEnabled(event.target.checked)} /> Enabled
        </label>
        {error && Object.keys(byPointer).length === 0 && <ErrorAlert error={error} />}
        {error && Object.keys(byPointer).length > 0 && !under('/name') && !under('/condition') && <ErrorAlert error={error} />}
      </div>
      <div className="card-footer">
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? 'Creating…' : 'Create rule'}
        </button>
      </div>
    </form>
  );
}
