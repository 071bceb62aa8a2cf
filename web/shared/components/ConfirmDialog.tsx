// A modal confirmation built on the native <dialog> element (focus trapping, Escape and the
// backdrop come with it). Opening and closing follow the `open` prop.
import { useEffect, useId, useRef, type FormEvent, type ReactNode } from 'react';
import type { ApiError } from '../api/problem.js';
import { ErrorAlert } from './ErrorAlert.js';

interface ConfirmDialogProps {
  open: boolean;
  title: string;
  confirmLabel: string;
  tone?: 'primary' | 'danger';
  busy?: boolean;
  confirmDisabled?: boolean;
  error?: ApiError | null;
  onConfirm(): void;
  onCancel(): void;
  children?: ReactNode;
}

export function ConfirmDialog({ open, title, confirmLabel, tone = 'primary', busy, confirmDisabled, error, onConfirm, onCancel, children }: ConfirmDialogProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();

  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) element.showModal();
    if (!open && element.open) element.close();
  }, [open]);

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!busy && !confirmDisabled) onConfirm();
  }

  return (
    <dialog
      ref={dialog}
      className="dialog"
      aria-labelledby={titleId}
      // Escape closes a native dialog by itself; keep React's state in step with it.
      onCancel={(event) => {
        event.preventDefault();
        if (!busy) onCancel();
      }}
    >
      {open && (
        <form onSubmit={submit} noValidate>
          <div className="dialog-body">
            <h2 id={titleId}>{title}</h2>
            {children}
            <ErrorAlert error={error ?? null} />
          </div>
          <div className="dialog-footer">
            <button type="button" className="button" onClick={onCancel} disabled={busy}>
              Cancel
            </button>
            <button
              type="submit"
              className={tone === 'danger' ? 'button button-danger' : 'button button-primary'}
              disabled={busy || confirmDisabled}
            >
              {busy ? 'Working…' : confirmLabel}
            </button>
          </div>
        </form>
      )}
    </dialog>
  );
}
