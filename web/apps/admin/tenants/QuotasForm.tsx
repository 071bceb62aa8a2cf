// Edits a tenant's quotas. The write is conditional (If-Match with the ETag read with the tenant),
// so two administrators cannot silently overwrite each other: a 412 is handed to the page, which
// reloads the tenant and says why.
import { useState, type FormEvent } from 'react';
import { toApiError, type ApiError } from '../../../shared/api/problem.js';
import type { Tenant, TenantQuotas } from '../../../shared/api/types.js';
import type { TenantVersion } from '../../../shared/features/tenants/use-tenants.js';
import { ErrorAlert } from '../../../shared/components/ErrorAlert.js';
import { Field, describedBy } from '../../../shared/components/Field.js';
import { mapFieldErrors, topLevelField } from '../../../shared/forms.js';
import { parseFormValues, toFormValues, type QuotaField, type QuotaFormValues } from './quota-values.js';

interface QuotasFormProps {
  tenant: Tenant;
  /** Writes the quotas if the tenant is still the version shown (If-Match with its ETag). */
  save(quotas: TenantQuotas): Promise<TenantVersion>;
  onSaved(version: TenantVersion): void;
  /** The tenant changed on the server since it was read (412). */
  onConflict(): void;
}

const NUMBER_FIELDS: { field: QuotaField; label: string; hint: string }[] = [
  { field: 'maxUsers', label: 'Users', hint: 'Most user accounts the tenant may have.' },
  { field: 'maxStorage', label: 'Storage (GiB)', hint: 'Total storage, in GiB.' },
  { field: 'maxAPICallsPerMonth', label: 'API calls per month', hint: 'Resets at the start of each month.' },
  { field: 'maxComputeHours', label: 'Compute hours per month', hint: 'Resets at the start of each month.' },
];

function fieldOf(pointer: string): QuotaField | undefined {
  const field = topLevelField(pointer);
  return ['maxUsers', 'maxStorage', 'maxAPICallsPerMonth', 'maxComputeHours', 'features', 'customLimits'].includes(field) ? (field as QuotaField) : undefined;
}

export function QuotasForm({ tenant, save, onSaved, onConflict }: QuotasFormProps) {
  const [values, setValues] = useState<QuotaFormValues>(() => toFormValues(tenant.quotas));
  const [localErrors, setLocalErrors] = useState<Partial<Record<QuotaField, string>>>({});
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const readOnly = tenant.status === 'terminated';

  const serverErrors = error ? mapFieldErrors(error, fieldOf).byField : {};
  const errors: Partial<Record<QuotaField, string>> = { ...serverErrors, ...localErrors };
  const changed = JSON.stringify(values) !== JSON.stringify(toFormValues(tenant.quotas));

  function update(field: QuotaField, value: string) {
    setValues((current) => ({ ...current, [field]: value }));
    setLocalErrors((current) => ({ ...current, [field]: undefined }));
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const parsed = parseFormValues(values);
    if (!parsed.ok) {
      setLocalErrors(parsed.errors);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      onSaved(await save(parsed.quotas));
    } catch (caught) {
      const apiError = toApiError(caught);
      if (apiError.status === 412) onConflict();
      else setError(apiError);
    } finally {
      setBusy(false);
    }
  }

  const control = (field: QuotaField) => ({
    id: `quota-${field}`,
    value: values[field],
    disabled: readOnly || busy,
    'aria-invalid': errors[field] ? true : undefined,
    'aria-describedby': describedBy(`quota-${field}`),
  });

  return (
    <form className="card" onSubmit={submit} noValidate>
      <div className="card-header">
        <div>
          <h2>Quotas</h2>
          <p>{readOnly ? 'A terminated tenant’s quotas can no longer change.' : 'Limits the tenant’s usage is held to.'}</p>
        </div>
      </div>
      <div className="card-body form">
        <ErrorAlert error={error} />
        <div className="form-grid">
          {NUMBER_FIELDS.map(({ field, label, hint }) => (
            <Field key={field} id={`quota-${field}`} label={label} hint={hint} error={errors[field]}>
              <input className="input" inputMode="numeric" onChange={(event) => update(field, event.target.value)} {...control(field)} />
            </Field>
          ))}
          <Field id="quota-features" label="Features" hint="Comma-separated feature flags, e.g. sso, audit-export." error={errors.features} className="span-2">
            <input className="input" onChange={(event) => update('features', event.target.value)} {...control('features')} />
          </Field>
          <Field id="quota-customLimits" label="Custom limits" optional hint="One per line: name = number." error={errors.customLimits} className="span-2">
            <textarea className="textarea mono" rows={3} onChange={(event) => update('customLimits', event.target.value)} {...control('customLimits')} />
          </Field>
        </div>
      </div>
      {!readOnly && (
        <div className="card-footer">
          <button
            type="button"
            className="button"
            disabled={busy || !changed}
            onClick={() => {
              setValues(toFormValues(tenant.quotas));
              setLocalErrors({});
              setError(null);
            }}
          >
            Discard changes
          </button>
          <button type="submit" className="button button-primary" disabled={busy || !changed}>
            {busy ? 'Saving…' : 'Save quotas'}
          </button>
        </div>
      )}
    </form>
  );
}
