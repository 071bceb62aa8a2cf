// Shown on every page while platform staff act as a tenant user: whose account this is, who is
// really behind it and why, and a button to stop (the session is the staff member's own again).
import { useState } from 'react';
import { toApiError } from '../api/problem.js';
import { useSession, useSignedInSession } from '../auth/session.js';
import { stopImpersonating } from '../features/identity/use-account.js';

export function ImpersonationBanner() {
  const session = useSignedInSession();
  const { refresh } = useSession();
  const [stopping, setStopping] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const by = session.impersonatedBy;
  if (!by) return null;

  async function stop() {
    setStopping(true);
    setError(undefined);
    try {
      await stopImpersonating();
      await refresh();
    } catch (failure) {
      setError(toApiError(failure).problem.detail);
    } finally {
      setStopping(false);
    }
  }

  return (
    <div className="impersonation-banner" role="status">
      <span>
        You are acting as <strong>{session.user.email}</strong> (signed in as{' '}
        <strong>{by.email}</strong>; reason: {by.reason}). Passwords, MFA, API keys and sessions cannot be changed.
      </span>
      {error ? <span className="impersonation-error">{error}</span> : null}
      <button type="button" className="button" onClick={stop} disabled={stopping}>
        Stop impersonating
      </button>
    </div>
  );
}
