// Sending something to the API from a form or a dialog: whether it is under way, and the problem if
// it failed (cleared when it is sent again).
import { useState } from 'react';
import { toApiError, type ApiError } from './api/problem.js';

export interface Submission {
  busy: boolean;
  error: ApiError | null;
  /** Runs `send`, busy meanwhile; a failure becomes `error` instead of being thrown. */
  run(send: () => Promise<void>): Promise<void>;
  /** Forgets an earlier failure (a dialog opened again). */
  clear(): void;
}

export function useSubmission(): Submission {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  async function run(send: () => Promise<void>) {
    setBusy(true);
    setError(null);
    try {
      await send();
    } catch (caught) {
      setError(toApiError(caught));
    } finally {
      setBusy(false);
    }
  }

  return { busy, error, run, clear: () => setError(null) };
}
