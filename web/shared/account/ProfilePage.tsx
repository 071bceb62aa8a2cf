// Who you are: the account's email (and whether it is proven, with a way to get a new link), your
// platform role, and the organisations you belong to with your role in each.
import { useState } from 'react';
import { api, unwrap } from '../api/client.js';
import { toApiError, type ApiError } from '../api/problem.js';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { formatDateTime } from '../format.js';
import { Loading, useMe } from './me.js';

export function ProfilePage() {
  const { me, error, reload } = useMe();
  const [sending, setSending] = useState(false);
  const [sent, setSent] = useState(false);
  const [sendError, setSendError] = useState<ApiError | null>(null);

  async function sendVerification() {
    setSending(true);
    setSendError(null);
    try {
      await unwrap(api.POST('/api/v1/me/email-verification', { body: {} }));
      setSent(true);
    } catch (caught) {
      setSendError(toApiError(caught));
      // Already verified meanwhile (from another tab): show what is true now.
      reload();
    } finally {
      setSending(false);
    }
  }

  if (error) return <ErrorAlert error={error} />;
  if (!me) return <Loading />;
  return (
    <div className="stack">
      <section className="card" data-testid="profile">
        <div className="card-header">
          <h2>Profile</h2>
        </div>
        <div className="card-body">
          <dl className="details">
            <dt>Email</dt>
            <dd>
              <span data-testid="profile-email">{me.user.email}</span>{' '}
              {me.emailVerifiedAt ? (
                <span className="badge badge-active" data-testid="email-verified" title={`Verified ${formatDateTime(me.emailVerifiedAt)}`}>
                  Verified
                </span>
              ) : (
                <span className="badge badge-suspended" data-testid="email-unverified">
                  Unverified
                </span>
              )}
            </dd>
            <dt>Platform role</dt>
            <dd data-testid="profile-platform-role">{me.user.platformRole ?? <span className="faint">None (not platform staff)</span>}</dd>
            <dt>Account id</dt>
            <dd className="mono">{me.user.id}</dd>
          </dl>
          {!me.emailVerifiedAt && (
            <div className="form" style={{ marginTop: 16 }}>
              <ErrorAlert error={sendError} testId="email-verification-error" />
              {sent ? (
                <div className="alert alert-success" data-testid="email-verification-sent">
                  A verification link is on its way to {me.user.email}. It works once, for 48 hours; older links no longer work.
                </div>
              ) : (
                <div>
                  <button type="button" className="button" onClick={() => void sendVerification()} disabled={sending} data-testid="send-verification">
                    {sending ? 'Sending…' : 'Send verification link'}
                  </button>
                </div>
              )}
            </div>
          )}
        </div>
      </section>

      <section className="card" data-testid="memberships">
        <div className="card-header">
          <h2>Organisations</h2>
          <p>Switch between them from the top bar.</p>
        </div>
        {me.memberships.length === 0 ? (
          <div className="table-empty">You do not belong to any organisation.</div>
        ) : (
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th>Organisation</th>
                  <th>Your role</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {me.memberships.map((membership) => (
                  <tr key={membership.tenantId} data-testid="membership-row">
                    <td>{membership.organizationName}</td>
                    <td>{membership.role}</td>
                    <td>
                      {membership.tenantId === me.activeTenantId && (
                        <span className="badge badge-active" data-testid="membership-current">
                          Current
                        </span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
