// A product's presentation and reach, edited in place: name, category, description, stock and who
// sees it (every tenant, tenants of some subscription tiers, or listed tenants). What is sold lives
// in versions and is not edited here. The server validates; its messages appear by field.
import { useState, type FormEvent } from 'react';
import { toApiError, type ApiError } from '../../../shared/api/problem.js';
import type { Product, ProductVisibility } from '../../../shared/api/types.js';
import { ErrorAlert } from '../../../shared/components/ErrorAlert.js';
import { Field, describedBy } from '../../../shared/components/Field.js';
import { useProductActions } from '../../../shared/features/catalog/use-catalog.js';

type Mode = ProductVisibility['mode'];

const listOf = (text: string) =>
  text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

export function ProductDetailsForm({ product, onSaved, onCancel }: { product: Product; onSaved(product: Product): void; onCancel(): void }) {
  const actions = useProductActions(product.id);
  const [name, setName] = useState(product.name);
  const [category, setCategory] = useState(product.category);
  const [description, setDescription] = useState(product.description);
  const [capacity, setCapacity] = useState(product.capacity === null ? '' : String(product.capacity));
  const [mode, setMode] = useState<Mode>(product.visibility.mode);
  const [tiers, setTiers] = useState(product.visibility.mode === 'tiers' ? product.visibility.tiers.join(', ') : '');
  const [tenantIds, setTenantIds] = useState(product.visibility.mode === 'private' ? product.visibility.tenantIds.join(', ') : '');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const byPointer = error?.fieldErrors ?? {};
  const under = (prefix: string) => Object.entries(byPointer).find(([pointer]) => pointer === prefix || pointer.startsWith(`${prefix}/`))?.[1];
  const known = ['/name', '/category', '/description', '/capacity', '/visibility'];
  // A field says it is invalid and is described by its message (Field shows it), so the message is read with it.
  const problemOn = (id: string, prefix: string) => ({ 'aria-describedby': describedBy(id), 'aria-invalid': under(prefix) ? true : undefined });
  const unmatched = error && (Object.keys(byPointer).length === 0 || Object.keys(byPointer).some((pointer) => !known.some((prefix) => pointer === prefix || pointer.startsWith(`${prefix}/`))));

  async function submit(event: FormEvent) {
    event.preventDefault();
    const visibility: ProductVisibility = mode === 'public' ? { mode } : mode === 'tiers' ? { mode, tiers: listOf(tiers) } : { mode, tenantIds: listOf(tenantIds) };
    // Stock that is not a whole number goes as -1, so the server's message lands on the field.
    const stock = capacity.trim();
    setBusy(true);
    setError(null);
    try {
      const data = await actions.update({ name: name.trim(), category: category.trim(), description, visibility, capacity: stock === '' ? null : /^\d+$/.test(stock) ? Number(stock) : -1 });
      onSaved(data);
    } catch (caught) {
      setError(toApiError(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} noValidate>
      <div className="card-body form-grid">
        <Field id="details-name" label="Name" error={under('/name')}>
          <input id="details-name" className="input" value={name} onChange={(event) => setName(event.target.value)} {...problemOn('details-name', '/name')} />
        </Field>
        <Field id="details-category" label="Category" error={under('/category')}>
          <input id="details-category" className="input" value={category} onChange={(event) => setCategory(event.target.value)} {...problemOn('details-category', '/category')} />
        </Field>
        <Field id="details-description" label="Description" optional error={under('/description')}>
          <textarea id="details-description" className="textarea" maxLength={5000} value={description} onChange={(event) => setDescription(event.target.value)} {...problemOn('details-description', '/description')} />
        </Field>
        <Field id="details-capacity" label="Stock" optional error={under('/capacity')} hint={`Units that can be sold in all; empty for unlimited. ${product.capacityUsed} sold so far.`}>
          <input id="details-capacity" className="input" inputMode="numeric" value={capacity} onChange={(event) => setCapacity(event.target.value)} {...problemOn('details-capacity', '/capacity')} />
        </Field>
        <Field id="details-visibility" label="Who sees it" error={under('/visibility')}>
          <select id="details-visibility" className="select" value={mode} onChange={(event) => setMode(event.target.value as Mode)} {...problemOn('details-visibility', '/visibility')}>
            <option value="public">Every tenant</option>
            <option value="tiers">Tenants of some subscription tiers</option>
            <option value="private">Only the listed tenants</option>
          </select>
        </Field>
        {mode === 'tiers' && (
          <Field id="details-tiers" label="Tiers" hint="Comma-separated, e.g. standard, enterprise.">
            <input id="details-tiers" className="input" value={tiers} onChange={(event) => setTiers(event.target.value)} aria-describedby={describedBy('details-tiers')} />
          </Field>
        )}
        {mode === 'private' && (
          <Field id="details-tenants" label="Tenants" hint="Tenant ids, comma-separated.">
            <input id="details-tenants" className="input mono" value={tenantIds} onChange={(event) => setTenantIds(event.target.value)} aria-describedby={describedBy('details-tenants')} />
          </Field>
        )}
        {unmatched && <ErrorAlert error={error} />}
      </div>
      <div className="card-footer">
        <button type="button" className="button" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? 'Saving…' : 'Save details'}
        </button>
      </div>
    </form>
  );
}
