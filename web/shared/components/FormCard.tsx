// A form that is a card of its own: heading, the problem when the fields cannot show all of it,
// the fields in a grid, and the submit button that says when it is working.
import { useId, type FormEvent, type ReactNode } from 'react';
import type { ApiError } from '../api/problem.js';
import type { MappedFieldErrors } from '../forms.js';
import { ErrorAlert } from './ErrorAlert.js';

interface FormCardProps {
  title: string;
  description: ReactNode;
  error: ApiError | null;
  /** The error placed on the form's fields; the problem's own alert shows only when some of it is not. */
  mapped: MappedFieldErrors<string> | null;
  busy: boolean;
  submitLabel: string;
  busyLabel: string;
  onSubmit(event: FormEvent): void;
  children: ReactNode;
}

export function FormCard({ title, description, error, mapped, busy, submitLabel, busyLabel, onSubmit, children }: FormCardProps) {
  // Named by its heading, so the form is a landmark people can find by name.
  const titleId = useId();
  return (
    <form className="card" onSubmit={onSubmit} noValidate aria-labelledby={titleId}>
      <div className="card-header">
        <div>
          <h2 id={titleId}>{title}</h2>
          <p>{description}</p>
        </div>
      </div>
      <div className="card-body form">
        {error && (!mapped || mapped.hasUnmatched || Object.keys(mapped.byField).length === 0) && <ErrorAlert error={error} />}
        <div className="form-grid">{children}</div>
      </div>
      <div className="card-footer">
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? busyLabel : submitLabel}
        </button>
      </div>
    </form>
  );
}
