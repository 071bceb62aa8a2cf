// The state behind a destructive action that is confirmed first (revoke a key, remove a member): what
// the dialog is about, whether the action is running, and the problem if it failed. The page
// supplies the action; it closes the dialog itself (`close`) where it means to, so a page can keep
// it open (signing out) or close it before reloading its list.
import { useState } from 'react';
import type { ApiError } from '../api/problem.js';
import { useSubmission } from '../use-submission.js';

export interface Confirmation<T> {
  /** What the open dialog is about; null while it is closed. */
  target: T | null;
  /** Opens the dialog about `target`, forgetting an earlier failure. */
  ask(target: T): void;
  /** Props for ConfirmDialog: open, busy, error, onConfirm, onCancel. */
  dialog: {
    open: boolean;
    busy: boolean;
    error: ApiError | null;
    onConfirm(): void;
    onCancel(): void;
  };
}

export function useConfirmation<T>(perform: (target: T, close: () => void) => Promise<void>): Confirmation<T> {
  const [target, setTarget] = useState<T | null>(null);
  const submission = useSubmission();
  const close = () => setTarget(null);

  function confirm() {
    const current = target;
    if (!current) return;
    void submission.run(() => perform(current, close));
  }

  return {
    target,
    ask(next) {
      submission.clear();
      setTarget(next);
    },
    dialog: { open: target !== null, busy: submission.busy, error: submission.error, onConfirm: confirm, onCancel: close },
  };
}
