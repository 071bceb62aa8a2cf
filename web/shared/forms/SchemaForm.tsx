// A form generated from a product version's configuration schema (see schema-form-model.ts for what
// it understands). Used by the portal's configure step and by the admin's preview of a draft, so
// operators see exactly what customers will fill in. Errors are shown inline under each field, by
// field name: client-side checks and the server's 422 pointers (configurationErrors) alike.
import { describedBy, Field } from '../components/Field.js';
import { constraintHint, inputTypeFor, RAW_CONFIGURATION, type FieldSpec, type FormModel, type FormValues } from './schema-form-model.js';

interface SchemaFormProps {
  model: FormModel;
  values: FormValues;
  onChange(values: FormValues): void;
  errors?: Record<string, string>;
  /** Prefix of the inputs' ids, so two forms can share a page. */
  idPrefix?: string;
  disabled?: boolean;
}

export function SchemaForm({ model, values, onChange, errors = {}, idPrefix = 'config', disabled }: SchemaFormProps) {
  const set = (name: string, value: string | boolean) => onChange({ ...values, [name]: value });

  if (!model.fields) {
    const id = `${idPrefix}-raw`;
    return (
      <div className="stack">
        <div className="alert alert-warning">
          {model.fallback} Enter the configuration as a JSON object instead.
        </div>
        <Field id={id} label="Configuration (JSON)" error={errors[RAW_CONFIGURATION]}>
          <textarea
            id={id}
            className="textarea mono"
            rows={8}
            value={String(values[RAW_CONFIGURATION] ?? '')}
            onChange={(event) => set(RAW_CONFIGURATION, event.target.value)}
            disabled={disabled}
            aria-describedby={describedBy(id)}
            aria-invalid={errors[RAW_CONFIGURATION] ? true : undefined}
          />
        </Field>
      </div>
    );
  }

  if (model.fields.length === 0) {
    return (
      <p className="muted">
        This product has nothing to configure.
      </p>
    );
  }

  return (
    <div className="form-grid">
      {model.fields.map((field) => (
        <SchemaField key={field.name} field={field} id={`${idPrefix}-${field.name}`} value={values[field.name]} error={errors[field.name]} disabled={disabled} onChange={(value) => set(field.name, value)} />
      ))}
      {errors[RAW_CONFIGURATION] && (
        <div className="field-error" role="alert">
          {errors[RAW_CONFIGURATION]}
        </div>
      )}
    </div>
  );
}

interface SchemaFieldProps {
  field: FieldSpec;
  id: string;
  value: string | boolean | undefined;
  error: string | undefined;
  disabled: boolean | undefined;
  onChange(value: string | boolean): void;
}

function SchemaField({ field, id, value, error, disabled, onChange }: SchemaFieldProps) {
  const hint = constraintHint(field);
  const label = field.required ? `${field.label} *` : field.label;
  const common = { id, disabled, 'aria-describedby': describedBy(id), 'aria-invalid': error ? true : undefined } as const;
  const text = typeof value === 'string' ? value : '';

  if (field.kind === 'boolean') {
    return (
      <div className="field">
        <label className="checkbox" htmlFor={id}>
          <input type="checkbox" {...common} checked={value === true} onChange={(event) => onChange(event.target.checked)} /> {field.label}
        </label>
        {hint && !error && (
          <span className="field-hint" id={`${id}-hint`}>
            {hint}
          </span>
        )}
        {error && (
          <span className="field-error" id={`${id}-error`} role="alert">
            {error}
          </span>
        )}
      </div>
    );
  }

  let control;
  if ((field.kind === 'string' || field.kind === 'number') && field.enum) {
    control = (
      <select className="select" {...common} value={text} required={field.required} onChange={(event) => onChange(event.target.value)}>
        {(!field.required || text === '') && <option value="">{field.required ? 'Choose…' : '(default)'}</option>}
        {field.enum.map((option) => (
          <option key={String(option)} value={String(option)}>
            {String(option)}
          </option>
        ))}
      </select>
    );
  } else if (field.kind === 'number') {
    control = (
      <input
        className="input"
        {...common}
        type="text"
        inputMode={field.integer ? 'numeric' : 'decimal'}
        value={text}
        required={field.required}
        onChange={(event) => onChange(event.target.value)}
      />
    );
  } else if (field.kind === 'json') {
    control = <textarea className="textarea mono" rows={4} {...common} value={text} onChange={(event) => onChange(event.target.value)} />;
  } else {
    control = (
      <input
        className="input"
        {...common}
        type={inputTypeFor(field.format)}
        value={text}
        required={field.required}
        maxLength={field.maxLength}
        onChange={(event) => onChange(event.target.value)}
      />
    );
  }
  return (
    <Field id={id} label={label} error={error} hint={hint}>
      {control}
    </Field>
  );
}
