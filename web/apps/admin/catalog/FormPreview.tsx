// The configuration form a version's schema gives customers, previewed in the catalog editor and
// checked as the operator types (the server checks again at order time).
import { useState } from 'react';
import { SchemaForm } from '../../../shared/forms/SchemaForm.js';
import { buildConfiguration, initialValues, type FormModel } from '../../../shared/forms/schema-form-model.js';

/** The form as customers get it, checked as they type (the server checks again at order time). */
export function FormPreview({ model }: { model: FormModel }) {
  const [values, setValues] = useState(() => initialValues(model));
  const [touched, setTouched] = useState<Set<string>>(new Set());
  const errors = Object.fromEntries(Object.entries(buildConfiguration(model, values, true).errors).filter(([name]) => touched.has(name)));
  return (
    <SchemaForm
      model={model}
      values={values}
      onChange={(next) => {
        setTouched((before) => new Set([...before, ...Object.keys(next).filter((name) => next[name] !== values[name])]));
        setValues(next);
      }}
      errors={errors}
      idPrefix="form-preview"
    />
  );
}
