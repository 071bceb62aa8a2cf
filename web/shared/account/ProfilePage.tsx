// Who you are: the name you choose to be shown by, the account's email (and whether it is proven,
// with a way to get a new link), your platform role, and the organisations you belong to with your
// role in each.
import { useState, type FormEvent } from 'react';
import { toApiError, type ApiError } from '../api/problem.js';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { Field } from '../components/Field.js';
import { messagesFor } from '../forms.js';
import type { Me } from '../api/types.js';
import { formatDateTime } from '../format.js';
import { Loading, useMe } from './me.js';
import { useAccountActions } from '../features/identity/use-account.js';

export function ProfilePage() {
  const account = useAccountActions();
  const { me, error, reload } = useMe();
  const [sending, setSending] = useState(false);
  const [sent, setSent] = useState(false);
  const [sendError, setSendError] = useState<ApiError | null>(null);

  async function sendVerification() {
    setSending(true);
    setSendError(null);
    try {
      await account.sendEmailVerification();
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
      <section className="card">
        <div className="card-header">
          <h2>Profile</h2>
        </div>
        <div className="card-body">
          <dl className="details">
            <dt>Email</dt>
            <dd>
              <span>{me.user.email}</span>{' '}
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
            <dt>Name</dt>
            <dd data-testid="profile-display-name">{me.displayName ?? <span className="faint">Not set</span>}</dd>
            <dt>Platform role</dt>
            <dd>{me.user.platformRole ?? <span className="faint">None (not platform staff)</span>}</dd>
            <dt>Account id</dt>
            <dd className="mono">{me.user.id}</dd>
          </dl>
          <DisplayNameForm me={me} onSaved={reload} />
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

function DisplayNameForm({ me, onSaved }: { me: Me; onSaved(): void }) {
  const account = useAccountActions();
  const [displayName, setDisplayName] = useState(me.displayName ?? '');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      await account.updateProfile(displayName.trim() || null);
      setSaved(true);
      onSaved();
    } catch (caught) {
      setError(toApiError(caught));
    } finally {
      setBusy(false);
    }
  }

  const fieldError = messagesFor(error, '/displayName');
  return (
    <form className="form" onSubmit={submit} noValidate style={{ marginTop: 16, maxWidth: 420 }}>
      {!fieldError && <ErrorAlert error={error} testId="display-name-error" />}
      {saved && (
        <div className="alert alert-success" data-testid="display-name-saved">
          Your name is saved.
        </div>
      )}
      <Field id="display-name" label="Name to be shown by" optional hint="Up to 100 characters. Leave empty to be shown by your email." error={fieldError}>
        <input id="display-name" className="input" value={displayName} maxLength={100} onChange={(e) => setDisplayName(e.target.value)} autoComplete="name" data-testid="display-name" />
      </Field>
      <div>
        <button type="submit" className="button" disabled={busy || displayName.trim() === (me.displayName ?? '')} data-testid="display-name-save">
          {busy ? 'Saving…' : 'Save name'}
        </button>
      </div>
    </form>
  );
}
