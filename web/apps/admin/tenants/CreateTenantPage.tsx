// Creates a tenant. The server is the validator: its problem document's field errors are shown
// next to the fields they concern, so the rules live in one place (the API's schema).
import { useRef, useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { toApiError, type ApiError } from '../../../shared/api/problem.js';
import type { CreateTenantInput } from '../../../shared/api/types.js';
import { ErrorAlert } from '../../../shared/components/ErrorAlert.js';
import { Field, describedBy } from '../../../shared/components/Field.js';
import { PageHeader } from '../../../shared/components/PageHeader.js';
import { mapFieldErrors, newIdempotencyKey, topLevelField } from '../../../shared/forms.js';
import { useCreateTenant } from '../../../shared/features/tenants/use-tenants.js';

type FormField = 'organizationName' | 'domain' | 'adminEmail' | 'tier';
type FormValues = Record<FormField, string>;

const EMPTY: FormValues = { organizationName: '', domain: '', adminEmail: '', tier: '' };

const EXPECTATIONS: Partial<Record<FormField, string>> = {
  organizationName: 'Enter the organization’s name (up to 200 characters).',
  domain: 'Enter a domain name such as acme.example.com (letters, digits and hyphens, with a dot).',
  adminEmail: 'Enter an email address such as admin@acme.example.com.',
  tier: 'Enter a tier name of up to 50 characters, or leave it empty.',
};

function fieldOf(pointer: string): FormField | undefined {
  if (pointer === '/subscription/tier' || pointer === '/subscription') return 'tier';
  const field = topLevelField(pointer);
  return field === 'organizationName' || field === 'domain' || field === 'adminEmail' ? field : undefined;
}

function toRequestBody(values: FormValues): CreateTenantInput {
  const tier = values.tier.trim();
  return {
    organizationName: values.organizationName,
    domain: values.domain.trim(),
    adminEmail: values.adminEmail.trim(),
    ...(tier ? { subscription: { tier } } : {}),
  };
}

export function CreateTenantPage() {
  const navigate = useNavigate();
  const [values, setValues] = useState<FormValues>(EMPTY);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  // The same body keeps the same Idempotency-Key, so resubmitting after a lost response cannot
  // create the tenant twice; a changed body is a new request and gets a new key.
  const createTenant = useCreateTenant();
  const lastAttempt = useRef<{ body: string; key: string } | null>(null);

  const mapped = error ? mapFieldErrors(error, fieldOf, EXPECTATIONS) : { byField: {}, hasUnmatched: false };
  const fieldErrors: Partial<Record<FormField, string>> = mapped.byField;

  function update(field: FormField, value: string) {
    setValues((current) => ({ ...current, [field]: value }));
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const body = toRequestBody(values);
    const serialised = JSON.stringify(body);
    if (lastAttempt.current?.body !== serialised) lastAttempt.current = { body: serialised, key: newIdempotencyKey() };
    setBusy(true);
    setError(null);
    try {
      const data = await createTenant(body, lastAttempt.current.key);
      navigate(`/tenants/${data.id}`);
    } catch (caught) {
      setError(toApiError(caught));
      setBusy(false);
    }
  }

  const input = (field: FormField, props: { type?: string; placeholder?: string; autoComplete?: string } = {}) => (
    <input
      id={`tenant-${field}`}
      className="input"
      type={props.type ?? 'text'}
      placeholder={props.placeholder}
      autoComplete={props.autoComplete ?? 'off'}
      value={values[field]}
      onChange={(event) => update(field, event.target.value)}
      aria-invalid={fieldErrors[field] ? true : undefined}
      aria-describedby={describedBy(`tenant-${field}`)}
    />
  );

  const hasFieldErrors = Object.keys(fieldErrors).length > 0;
  return (
    <>
      <PageHeader
        breadcrumb={<Link to="/tenants">Tenants</Link>}
        title="New tenant"
        subtitle="The tenant starts active with the default quotas and settings; you can change them afterwards."
      />
      <form className="card" onSubmit={submit} noValidate>
        <div className="card-body form">
          {error && hasFieldErrors && !mapped.hasUnmatched ? (
            <div className="alert alert-error" role="alert">
              Some fields need attention. Correct them and try again.
            </div>
          ) : (
            <ErrorAlert error={error} />
          )}
          <div className="form-grid">
            <Field id="tenant-organizationName" label="Organization name" error={fieldErrors.organizationName} className="span-2">
              {input('organizationName', { placeholder: 'Acme Corporation' })}
            </Field>
            <Field id="tenant-domain" label="Domain" error={fieldErrors.domain} hint="The tenant’s DNS name, e.g. acme.example.com. Must be unique.">
              {input('domain', { placeholder: 'acme.example.com' })}
            </Field>
            <Field id="tenant-adminEmail" label="Administrator email" error={fieldErrors.adminEmail} hint="The tenant’s first administrator.">
              {input('adminEmail', { type: 'email', placeholder: 'admin@acme.example.com' })}
            </Field>
            <Field id="tenant-tier" label="Subscription tier" optional error={fieldErrors.tier} hint="Leave empty for the standard tier.">
              {input('tier', { placeholder: 'standard' })}
            </Field>
          </div>
        </div>
        <div className="card-footer">
          <Link to="/tenants" className="button">
            Cancel
          </Link>
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create tenant'}
          </button>
        </div>
      </form>
    </>
  );
}
