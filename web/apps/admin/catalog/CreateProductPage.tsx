// Creates a product (with an empty draft version 1, which the editor opens next). The server
// validates; its field errors appear next to the fields.
import { useRef, useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { toApiError, type ApiError } from '../../../shared/api/problem.js';
import { PRODUCT_KINDS, type CreateProductInput, type ProductKind } from '../../../shared/api/types.js';
import { ErrorAlert } from '../../../shared/components/ErrorAlert.js';
import { Field, describedBy } from '../../../shared/components/Field.js';
import { PageHeader } from '../../../shared/components/PageHeader.js';
import { mapFieldErrors, newIdempotencyKey, topLevelField } from '../../../shared/forms.js';
import { kindLabel } from './ProductsPage.js';
import { useCreateProduct } from '../../../shared/features/catalog/use-catalog.js';

type FormField = 'code' | 'kind' | 'name' | 'category' | 'description' | 'capacity';
const FIELDS: readonly FormField[] = ['code', 'kind', 'name', 'category', 'description', 'capacity'];

const EXPECTATIONS: Partial<Record<FormField, string>> = {
  code: 'Lower-case letters, digits and dashes, 2 to 63 characters, starting with a letter or digit.',
  name: 'Enter a name of up to 200 characters.',
  category: 'Enter a category of up to 100 characters.',
  capacity: 'A whole number of units, or empty for unlimited.',
};

export function CreateProductPage() {
  const navigate = useNavigate();
  const [values, setValues] = useState<Record<FormField, string>>({ code: '', kind: 'compute', name: '', category: '', description: '', capacity: '' });
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const lastAttempt = useRef<{ body: string; key: string } | null>(null);
  const createProduct = useCreateProduct();
  const mapped = error ? mapFieldErrors(error, (pointer) => FIELDS.find((field) => field === topLevelField(pointer)), EXPECTATIONS) : { byField: {}, hasUnmatched: false };
  const fieldErrors: Partial<Record<FormField, string>> = mapped.byField;

  async function submit(event: FormEvent) {
    event.preventDefault();
    const capacity = values.capacity.trim();
    const body: CreateProductInput = {
      code: values.code.trim(),
      kind: values.kind as ProductKind,
      name: values.name.trim(),
      category: values.category.trim(),
      ...(values.description.trim() ? { description: values.description.trim() } : {}),
      ...(capacity ? { capacity: /^\d+$/.test(capacity) ? Number(capacity) : (capacity as unknown as number) } : {}),
    };
    const serialised = JSON.stringify(body);
    if (lastAttempt.current?.body !== serialised) lastAttempt.current = { body: serialised, key: newIdempotencyKey() };
    setBusy(true);
    setError(null);
    try {
      const data = await createProduct(body, lastAttempt.current.key);
      void navigate(`/catalog/products/${data.id}/versions/1`);
    } catch (caught) {
      setError(toApiError(caught));
      setBusy(false);
    }
  }

  const input = (field: FormField, label: string, props: { hint?: string; optional?: boolean; placeholder?: string } = {}) => (
    <Field id={`product-${field}`} label={label} error={fieldErrors[field]} hint={props.hint} optional={props.optional}>
      <input
        id={`product-${field}`}
        className="input"
        placeholder={props.placeholder}
        value={values[field]}
        onChange={(event) => setValues({ ...values, [field]: event.target.value })}
        aria-describedby={describedBy(`product-${field}`)}
      />
    </Field>
  );

  return (
    <>
      <PageHeader breadcrumb={<Link to="/catalog/products">Catalog</Link>} title="New product" subtitle="What is sold (plans, prices, configuration) is set in its versions; version 1 opens as a draft next." />
      <form className="card" onSubmit={submit} noValidate>
        <div className="card-body form-grid">
          {input('code', 'Code', { hint: 'Unique, e.g. vm-small. Cannot be changed later.', placeholder: 'vm-small' })}
          <Field id="product-kind" label="Kind">
            <select id="product-kind" className="select" value={values.kind} onChange={(event) => setValues({ ...values, kind: event.target.value })}>
              {PRODUCT_KINDS.map((kind) => (
                <option key={kind} value={kind}>
                  {kindLabel(kind)}
                </option>
              ))}
            </select>
          </Field>
          {input('name', 'Name')}
          {input('category', 'Category', { hint: 'Customers browse by category.' })}
          <Field id="product-description" label="Description" optional error={fieldErrors.description}>
            <textarea id="product-description" className="textarea" maxLength={5000} value={values.description} onChange={(event) => setValues({ ...values, description: event.target.value })} />
          </Field>
          {input('capacity', 'Stock', { optional: true, hint: 'How many units can be sold in all; empty for unlimited.' })}
          {mapped.hasUnmatched && <ErrorAlert error={error} />}
          {error && !mapped.hasUnmatched && Object.keys(fieldErrors).length === 0 && <ErrorAlert error={error} />}
        </div>
        <div className="card-footer">
          <Link to="/catalog/products" className="button">
            Cancel
          </Link>
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create product'}
          </button>
        </div>
      </form>
    </>
  );
}
