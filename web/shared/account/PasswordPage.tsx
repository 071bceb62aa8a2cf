// Changing your password: the current one, then a new one that meets the strictest policy of your
// organisations (stated above the form; what a refused password misses is shown under its field).
// Every other session of yours ends; this one carries on.
import { useState, type FormEvent } from 'react';
import { toApiError, type ApiError } from '../api/problem.js';
import type { Me } from '../api/types.js';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { Field, describedBy } from '../components/Field.js';
import { messagesFor } from '../forms.js';
import { Loading, useMe } from './me.js';
import { useAccountActions } from '../features/identity/use-account.js';

function describePolicy(policy: Me['passwordPolicy']): string {
  const parts = [`at least ${policy.minLength} characters`];
  if (policy.requireNumbers) parts.push('a number');
  if (policy.requireSpecialChars) parts.push('a special character');
  const needs = parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}` : parts[0];
  const age = policy.maxAge > 0 ? ` It must be changed every ${policy.maxAge} days.` : '';
  return `Your password needs ${needs}, and must not be a common password or contain your email address.${age}`;
}

export function PasswordPage() {
  const account = useAccountActions();
  const { me, error: loadError } = useMe();
  const [currentPassword, setCurrentPassword] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const [repeated, setRepeated] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [changed, setChanged] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setChanged(false);
    setMismatch(newPassword !== repeated);
    if (newPassword !== repeated) return;
    setBusy(true);
    try {
      await account.changePassword(currentPassword, newPassword);
      setChanged(true);
      setCurrentPassword('');
      setNewPassword('');
      setRepeated('');
    } catch (caught) {
      setError(toApiError(caught));
    } finally {
      setBusy(false);
    }
  }

  if (loadError) return <ErrorAlert error={loadError} />;
  if (!me) return <Loading />;
  const wrongCurrent = error?.code === 'PLAT_INVALID_CREDENTIALS' ? 'This is not your current password.' : messagesFor(error, '/currentPassword');
  const newError = messagesFor(error, '/newPassword');
  return (
    <section className="card" aria-labelledby="password-heading">
      <div className="card-header">
        <h2 id="password-heading">Change your password</h2>
      </div>
      <div className="card-body">
        <form className="form" onSubmit={submit} noValidate style={{ maxWidth: 420 }}>
          <p className="muted" id="password-policy">
            {describePolicy(me.passwordPolicy)} Your other sessions end when you change it.
          </p>
          {changed && (
            <div className="alert alert-success" role="status">
              Your password has been changed. Your other sessions have ended.
            </div>
          )}
          {!wrongCurrent && !newError && <ErrorAlert error={error} />}
          <Field id="account-current-password" label="Current password" error={wrongCurrent}>
            <input id="account-current-password" className="input" type="password" autoComplete="current-password" value={currentPassword} onChange={(e) => setCurrentPassword(e.target.value)} required aria-invalid={wrongCurrent !== undefined} aria-describedby={describedBy('account-current-password')} />
          </Field>
          <Field id="account-new-password" label="New password" error={newError}>
            <input id="account-new-password" className="input" type="password" autoComplete="new-password" value={newPassword} onChange={(e) => setNewPassword(e.target.value)} required aria-invalid={newError !== undefined} aria-describedby={`password-policy ${describedBy('account-new-password')}`} />
          </Field>
          <Field id="account-repeat-password" label="New password again" error={mismatch ? 'The two passwords differ.' : undefined}>
            <input id="account-repeat-password" className="input" type="password" autoComplete="new-password" value={repeated} onChange={(e) => setRepeated(e.target.value)} required aria-invalid={mismatch} aria-describedby={describedBy('account-repeat-password')} />
          </Field>
          <div>
            <button className="button button-primary" type="submit" disabled={busy || !currentPassword || !newPassword || !repeated}>
              {busy ? 'Saving…' : 'Change password'}
            </button>
          </div>
        </form>
      </div>
    </section>
  );
}
