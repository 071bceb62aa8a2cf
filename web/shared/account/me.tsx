// The signed-in person as GET /api/v1/me describes them: account, memberships, MFA state and the
// password policy. Read afresh whenever a page asks (after a change, call reload).
import { useCallback, useEffect, useState } from 'react';
import { toApiError, type ApiError } from '../api/problem.js';
import type { Me } from '../api/types.js';
import { readMe } from '../features/identity/use-account.js';

export function useMe(): { me: Me | null; error: ApiError | null; reload(): void } {
  const [me, setMe] = useState<Me | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    let cancelled = false;
    readMe()
      .then((data) => {
        if (cancelled) return;
        setMe(data);
        setError(null);
      })
      .catch((caught: unknown) => !cancelled && setError(toApiError(caught)));
    return () => {
      cancelled = true;
    };
  }, [generation]);

  const reload = useCallback(() => setGeneration((n) => n + 1), []);
  return { me, error, reload };
}

/** What a section shows while its data is on the way. */
export function Loading() {
  return (
    <p className="muted" role="status">
      Loading…
    </p>
  );
}
