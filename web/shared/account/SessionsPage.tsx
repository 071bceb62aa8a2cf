// Where you are signed in: every live session of your account, this one marked. Ending another
// session signs that browser out at its next request; ending this one signs you out here.
import { useState } from 'react';
import type { SessionSummary } from '../api/types.js';
import { ConfirmDialog } from '../components/ConfirmDialog.js';
import { DangerRowButton } from '../components/DangerRowButton.js';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { useConfirmation } from '../components/use-confirmation.js';
import { useSession } from '../auth/session.js';
import { formatDateTime } from '../format.js';
import { Loading } from './me.js';
import { useMySessions } from '../features/identity/use-account.js';

export function SessionsPage() {
  const { signOut } = useSession();
  const sessions = useMySessions();
  const [notice, setNotice] = useState<string | null>(null);
  const end = useConfirmation<SessionSummary>(async (session, close) => {
    await sessions.end(session.id);
    if (session.current) {
      // This browser's own session is gone: back to the sign-in page.
      await signOut();
      return;
    }
    close();
    setNotice('The session has ended. That browser is signed out.');
    await sessions.reload();
  });

  if (sessions.error) return <ErrorAlert error={sessions.error} />;
  if (!sessions.data) return <Loading />;
  return (
    <section className="card" aria-labelledby="sessions-heading">
      <div className="card-header">
        <h2 id="sessions-heading">Sessions</h2>
        <p>Browsers where your account is signed in.</p>
      </div>
      {notice && (
        <div className="card-body">
          <div className="alert alert-success" role="status">
            {notice}
          </div>
        </div>
      )}
      <div className="table-wrap">
        <table className="table" aria-labelledby="sessions-heading">
          <thead>
            <tr>
              <th scope="col">Browser</th>
              <th scope="col">Address</th>
              <th scope="col">Signed in</th>
              <th scope="col">Last active</th>
              <th scope="col">Expires</th>
              <th scope="col" aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {sessions.data.map((session) => (
              <tr key={session.id}>
                <td>
                  <span title={session.userAgent ?? undefined}>{describeUserAgent(session.userAgent)}</span>{' '}
                  {session.current && (
                    <span className="badge badge-active">
                      This session
                    </span>
                  )}
                </td>
                <td className="mono">{session.sourceIp ?? '—'}</td>
                <td>{formatDateTime(session.createdAt)}</td>
                <td>{formatDateTime(session.lastSeenAt)}</td>
                <td>{formatDateTime(session.expiresAt)}</td>
                <td>
                  <DangerRowButton onClick={() => end.ask(session)}>
                    {session.current ? 'Sign out here' : 'End session'}
                  </DangerRowButton>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ConfirmDialog
        {...end.dialog}
        title="End this session?"
        confirmLabel={end.target?.current ? 'End it and sign out' : 'End session'}
        tone="danger"
      >
        {end.target?.current ? (
          <p>This is the session you are using: you will be signed out here.</p>
        ) : (
          <p>
            The browser ({describeUserAgent(end.target?.userAgent ?? null)}, last active {formatDateTime(end.target?.lastSeenAt)}) is signed out at its next request.
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
