// Who you are: the name you choose to be shown by, the account's email (and whether it is proven,
// with a way to get a new link), your platform role, and the organisations you belong to with your
// role in each.
import { useState, type FormEvent } from 'react';
import { toApiError, type ApiError } from '../api/problem.js';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { Field, describedBy } from '../components/Field.js';
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
      <section className="card" aria-labelledby="profile-heading">
        <div className="card-header">
          <h2 id="profile-heading">Profile</h2>
        </div>
        <div className="card-body">
          <dl className="details">
            <dt>Email</dt>
            <dd>
              <span>{me.user.email}</span>{' '}
              {me.emailVerifiedAt ? (
                <span className="badge badge-active" title={`Verified ${formatDateTime(me.emailVerifiedAt)}`}>
                  Verified
                </span>
              ) : (
                <span className="badge badge-suspended">
                  Unverified
                </span>
              )}
            </dd>
            <dt>Name</dt>
            <dd>{me.displayName ?? <span className="faint">Not set</span>}</dd>
            <dt>Platform role</dt>
            <dd>{me.user.platformRole ?? <span className="faint">None (not platform staff)</span>}</dd>
            <dt>Account id</dt>
            <dd className="mono">{me.user.id}</dd>
          </dl>
          <DisplayNameForm me={me} onSaved={reload} />
          {!me.emailVerifiedAt && (
            <div className="form" style={{ marginTop: 16 }}>
              <ErrorAlert error={sendError} />
              {sent ? (
                <div className="alert alert-success" role="status">
                  A verification link is on its way to {me.user.email}. It works once, for 48 hours; older links no longer work.
                </div>
              ) : (
                <div>
                  <button type="button" className="button" onClick={() => void sendVerification()} disabled={sending}>
                    {sending ? 'Sending…' : 'Send verification link'}
                  </button>
                </div>
              )}
            </div>
          )}
        </div>
      </section>

      <section className="card" aria-labelledby="memberships-heading">
        <div className="card-header">
          <h2 id="memberships-heading">Organisations</h2>
          <p>Switch between them from the top bar.</p>
        </div>
        {me.memberships.length === 0 ? (
          <div className="table-empty">You do not belong to any organisation.</div>
        ) : (
          <div className="table-wrap">
            <table className="table" aria-labelledby="memberships-heading">
              <thead>
                <tr>
                  <th scope="col">Organisation</th>
                  <th scope="col">Your role</th>
                  <th scope="col" aria-label="Working in" />
                </tr>
              </thead>
              <tbody>
                {me.memberships.map((membership) => (
                  <tr key={membership.tenantId}>
                    <td>{membership.organizationName}</td>
                    <td>{membership.role}</td>
                    <td>
                      {membership.tenantId === me.activeTenantId && (
                        <span className="badge badge-active">
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
      {!fieldError && <ErrorAlert error={error} />}
      {saved && (
        <div className="alert alert-success" role="status">
          Your name is saved.
        </div>
      )}
      <Field id="display-name" label="Name to be shown by" optional hint="Up to 100 characters. Leave empty to be shown by your email." error={fieldError}>
        <input id="display-name" className="input" value={displayName} maxLength={100} onChange={(e) => setDisplayName(e.target.value)} autoComplete="name" aria-invalid={fieldError !== undefined} aria-describedby={describedBy('display-name')} />
      </Field>
      <div>
        <button type="submit" className="button" disabled={busy || displayName.trim() === (me.displayName ?? '')}>
          {busy ? 'Saving…' : 'Save name'}
        </button>
      </div>
    </form>
  );
}
