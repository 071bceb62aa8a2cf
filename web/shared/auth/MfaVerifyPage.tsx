// The second step of signing in: the code from the authenticator app, or one of the recovery codes.
import { useState, type FormEvent } from 'react';
import { toApiError, type ApiError } from '../api/problem.js';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { Field } from '../components/Field.js';
import { AuthCard } from './AuthCard.js';
import { useSession } from './session.js';
import { auth } from '../features/identity/use-auth.js';

export function MfaVerifyPage({ appLabel }: { appLabel: string }) {
  const { refresh } = useSession();
  const [useRecovery, setUseRecovery] = useState(false);
  const [value, setValue] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body = useRecovery ? { recoveryCode: value.trim() } : { code: value.trim() };
      await auth.verifyMfa(body);
      await refresh();
    } catch (caught) {
      setError(toApiError(caught));
      setValue('');
      setBusy(false);
    }
  }

  return (
    <AuthCard appLabel={appLabel} title="Two-step verification" subtitle={useRecovery ? 'Enter one of your recovery codes. Each works once.' : 'Enter the 6-digit code from your authenticator app.'}>
      <form className="form" onSubmit={submit} noValidate>
        <ErrorAlert error={error} />
        <Field id="mfa-code" label={useRecovery ? 'Recovery code' : 'Authentication code'}>
          <input
            id="mfa-code"
            className="input mono"
            inputMode={useRecovery ? 'text' : 'numeric'}
            autoComplete="one-time-code"
            pattern={useRecovery ? undefined : '[0-9]{6}'}
            maxLength={useRecovery ? 20 : 6}
            value={value}
            onChange={(event) => setValue(event.target.value)}
            autoFocus
            required
          />
        </Field>
        <button className="button button-primary button-block" type="submit" disabled={busy || !value.trim()}>
          {busy ? 'Checking…' : 'Verify'}
        </button>
        <button
          className="button button-ghost button-block"
          type="button"
          onClick={() => {
            setUseRecovery(!useRecovery);
            setValue('');
            setError(null);
          }}
        >
          {useRecovery ? 'Use the authenticator app instead' : 'Use a recovery code instead'}
        </button>
      </form>
    </AuthCard>
  );
}
