// Where a password reset link lands (/<app>/reset-password#token=…): choose a new password, which
// must meet the strictest policy of the person's tenants (the server says what is missing, shown
// under the field). Every session of the account ends; the person then signs in with the new one.
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { toApiError, type ApiError } from '../api/problem.js';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { Field, describedBy } from '../components/Field.js';
import { messagesFor } from '../forms.js';
import { AuthCard } from './AuthCard.js';
import { tokenFromFragment } from './link-token.js';
import { auth } from '../features/identity/use-auth.js';

export function ResetPasswordPage({ appLabel }: { appLabel: string }) {
  const [token] = useState(tokenFromFragment);
  const [newPassword, setNewPassword] = useState('');
  const [repeated, setRepeated] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setMismatch(newPassword !== repeated);
    if (newPassword !== repeated) return;
    setBusy(true);
    try {
      await auth.resetPassword(token, newPassword);
      setDone(true);
    } catch (caught) {
      setError(toApiError(caught));
    } finally {
      setBusy(false);
    }
  }

  const passwordError = messagesFor(error, '/newPassword');
  const linkBroken = messagesFor(error, '/token') !== undefined;
  return (
    <AuthCard appLabel={appLabel} title="Choose a new password" subtitle="Signing in again will be needed everywhere: every session of your account ends." withSignOut={false}>
      {!token && (
        <div className="alert alert-warning">
          This page needs the link from your password reset email. <Link to="/forgot-password">Ask for a new link</Link>.
        </div>
      )}
      {done && (
        <div className="form">
          <div className="alert alert-success" role="status">
            Your password has been changed.
          </div>
          <Link className="button button-primary button-block" to="/">
            Sign in
          </Link>
        </div>
      )}
      {token && !done && (
        <form className="form" onSubmit={submit} noValidate>
          {!passwordError && <ErrorAlert error={error} />}
          {linkBroken && (
            <p>
              <Link to="/forgot-password">
                Ask for a new link
              </Link>
            </p>
          )}
          <Field id="reset-new-password" label="New password" error={passwordError}>
            <input id="reset-new-password" className="input" type="password" autoComplete="new-password" value={newPassword} onChange={(e) => setNewPassword(e.target.value)} required autoFocus aria-invalid={passwordError !== undefined} aria-describedby={describedBy('reset-new-password')} />
          </Field>
          <Field id="reset-repeat-password" label="New password again" error={mismatch ? 'The two passwords differ.' : undefined}>
            <input id="reset-repeat-password" className="input" type="password" autoComplete="new-password" value={repeated} onChange={(e) => setRepeated(e.target.value)} required aria-invalid={mismatch} aria-describedby={describedBy('reset-repeat-password')} />
          </Field>
          <button className="button button-primary button-block" type="submit" disabled={busy || !newPassword || !repeated}>
            {busy ? 'Saving…' : 'Set new password'}
          </button>
        </form>
      )}
    </AuthCard>
  );
}
