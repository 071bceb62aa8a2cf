// The organisation the session works in wants a new password (the old one outlived its maximum age,
// or does not meet its policy): a new one is required before anything else.
import { useState, type FormEvent } from 'react';
import { toApiError, type ApiError } from '../api/problem.js';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { Field, describedBy } from '../components/Field.js';
import { messagesFor } from '../forms.js';
import { AuthCard } from './AuthCard.js';
import { useSession } from './session.js';
import { useAccountActions } from '../features/identity/use-account.js';

export function PasswordChangePage({ appLabel }: { appLabel: string }) {
  const account = useAccountActions();
  const { refresh } = useSession();
  const [currentPassword, setCurrentPassword] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await account.changePassword(currentPassword, newPassword);
      await refresh();
    } catch (caught) {
      setError(toApiError(caught));
      setBusy(false);
    }
  }

  // A refused new password is explained under its field, rule by rule (failedRules of the problem).
  const wrongCurrent = error?.code === 'PLAT_INVALID_CREDENTIALS' ? 'This is not your current password.' : messagesFor(error, '/currentPassword');
  const newError = messagesFor(error, '/newPassword');
  return (
    <AuthCard appLabel={appLabel} title="Choose a new password" subtitle="Your organisation's password policy asks for a new one: the current password has expired or does not meet it.">
      <form className="form" onSubmit={submit} noValidate>
        {!wrongCurrent && !newError && <ErrorAlert error={error} />}
        <Field id="current-password" label="Current password" error={wrongCurrent}>
          <input id="current-password" className="input" type="password" autoComplete="current-password" value={currentPassword} onChange={(e) => setCurrentPassword(e.target.value)} required aria-invalid={wrongCurrent !== undefined} aria-describedby={describedBy('current-password')} />
        </Field>
        <Field id="new-password" label="New password" error={newError}>
          <input id="new-password" className="input" type="password" autoComplete="new-password" value={newPassword} onChange={(e) => setNewPassword(e.target.value)} required aria-invalid={newError !== undefined} aria-describedby={describedBy('new-password')} />
        </Field>
        <button className="button button-primary button-block" type="submit" disabled={busy || !currentPassword || !newPassword}>
          {busy ? 'Saving…' : 'Change password'}
        </button>
      </form>
    </AuthCard>
  );
}
