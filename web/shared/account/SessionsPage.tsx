// Where you are signed in: every live session of your account, this one marked. Ending another
// session signs that browser out at its next request; ending this one signs you out here.
import { useCallback, useEffect, useState } from 'react';
import { api, unwrap } from '../api/client.js';
import { toApiError, type ApiError } from '../api/problem.js';
import type { SessionSummary } from '../api/types.js';
import { ConfirmDialog } from '../components/ConfirmDialog.js';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { useSession } from '../auth/session.js';
import { formatDateTime } from '../format.js';
import { Loading } from './me.js';

export function SessionsPage() {
  const { signOut } = useSession();
  const [sessions, setSessions] = useState<SessionSummary[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [ending, setEnding] = useState<SessionSummary | null>(null);
  const [endError, setEndError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const { data } = await unwrap(api.GET('/api/v1/me/sessions'));
      setSessions(data.data);
      setError(null);
    } catch (caught) {
      setError(toApiError(caught));
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  async function endSession() {
    if (!ending) return;
    setBusy(true);
    setEndError(null);
    try {
      await unwrap(api.DELETE('/api/v1/me/sessions/{sessionId}', { params: { path: { sessionId: ending.id } } }));
      if (ending.current) {
        // This browser's own session is gone: back to the sign-in page.
        await signOut();
        return;
      }
      setEnding(null);
      setNotice('The session has ended. That browser is signed out.');
      await load();
    } catch (caught) {
      setEndError(toApiError(caught));
    } finally {
      setBusy(false);
    }
  }

  if (error) return <ErrorAlert error={error} />;
  if (!sessions) return <Loading />;
  return (
    <section className="card" data-testid="sessions-page">
      <div className="card-header">
        <h2>Sessions</h2>
        <p>Browsers where your account is signed in.</p>
      </div>
      {notice && (
        <div className="card-body">
          <div className="alert alert-success" data-testid="sessions-notice">
            {notice}
          </div>
        </div>
      )}
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th>Browser</th>
              <th>Address</th>
              <th>Signed in</th>
              <th>Last active</th>
              <th>Expires</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {sessions.map((session) => (
              <tr key={session.id} data-testid="session-row" data-session-id={session.id} data-current={session.current}>
                <td>
                  <span title={session.userAgent ?? undefined}>{describeUserAgent(session.userAgent)}</span>{' '}
                  {session.current && (
                    <span className="badge badge-active" data-testid="session-current">
                      This session
                    </span>
                  )}
                </td>
                <td className="mono">{session.sourceIp ?? '—'}</td>
                <td>{formatDateTime(session.createdAt)}</td>
                <td>{formatDateTime(session.lastSeenAt)}</td>
                <td>{formatDateTime(session.expiresAt)}</td>
                <td>
                  <button
                    type="button"
                    className="button button-danger-outline"
                    onClick={() => {
                      setEndError(null);
                      setEnding(session);
                    }}
                    data-testid="session-revoke"
                  >
                    {session.current ? 'Sign out here' : 'End session'}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ConfirmDialog
        open={ending !== null}
        title="End this session?"
        confirmLabel={ending?.current ? 'End it and sign out' : 'End session'}
        tone="danger"
        busy={busy}
        error={endError}
        testId="session-revoke-dialog"
        onConfirm={() => void endSession()}
        onCancel={() => setEnding(null)}
      >
        {ending?.current ? (
          <p>This is the session you are using: you will be signed out here.</p>
        ) : (
          <p>
            The browser ({describeUserAgent(ending?.userAgent ?? null)}, last active {formatDateTime(ending?.lastSeenAt)}) is signed out at its next request.
          </p>
        )}
      </ConfirmDialog>
    </section>
  );
}

/** "Chrome on Linux" from a user agent string; the whole string is in the tooltip. */
function describeUserAgent(userAgent: string | null): string {
  if (!userAgent) return 'Unknown browser';
  const browser = /Edg\//.test(userAgent) ? 'Edge' : /Firefox\//.test(userAgent) ? 'Firefox' : /Chrom(e|ium)\//.test(userAgent) ? 'Chrome' : /Safari\//.test(userAgent) ? 'Safari' : null;
  const system = /Windows/.test(userAgent) ? 'Windows' : /Android/.test(userAgent) ? 'Android' : /iPhone|iPad/.test(userAgent) ? 'iOS' : /Mac OS X/.test(userAgent) ? 'macOS' : /Linux/.test(userAgent) ? 'Linux' : null;
  if (!browser) return userAgent.length > 40 ? `${userAgent.slice(0, 40)}…` : userAgent;
  return system ? `${browser} on ${system}` : browser;
}
