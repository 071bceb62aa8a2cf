// Setting up an authenticator, shared by the forced enrolment at sign-in and the account's security
// page: starts an enrolment (QR code and the key to type by hand), confirms it with a first code,
// and hands back the recovery codes, which RecoveryCodeList shows exactly once.
import { useEffect, useState, type FormEvent } from 'react';
import { api, unwrap } from '../api/client.js';
import { toApiError, type ApiError } from '../api/problem.js';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { Field } from '../components/Field.js';

interface Enrolment {
  secret: string;
  qrCode: string;
}

export function TotpEnrolmentForm({ onConfirmed, submitClassName = 'button button-primary button-block' }: { onConfirmed(recoveryCodes: string[]): void; submitClassName?: string }) {
  const [enrolment, setEnrolment] = useState<Enrolment | null>(null);
  const [code, setCode] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let cancelled = false;
    unwrap(api.POST('/api/v1/me/mfa/totp', { body: {} }))
      .then(({ data }) => !cancelled && setEnrolment(data))
      .catch((caught: unknown) => !cancelled && setError(toApiError(caught)));
    return () => {
      cancelled = true;
    };
  }, []);

  async function confirm(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { data } = await unwrap(api.POST('/api/v1/me/mfa/totp/confirm', { body: { code: code.trim() } }));
      onConfirmed(data.recoveryCodes);
    } catch (caught) {
      setError(toApiError(caught));
      setCode('');
      setBusy(false);
    }
  }

  return (
    <form className="form" onSubmit={confirm} noValidate data-testid="mfa-enrol-form">
      <ErrorAlert error={error} testId="mfa-enrol-error" />
      {enrolment && (
        <>
          <img src={enrolment.qrCode} alt="QR code to scan with an authenticator app" width={200} height={200} data-testid="mfa-qr" />
          <Field id="mfa-secret" label="Or enter this key by hand">
            <code id="mfa-secret" className="mono" data-testid="mfa-secret">
              {enrolment.secret}
            </code>
          </Field>
          <Field id="mfa-enrol-code" label="Code from the app">
            <input
              id="mfa-enrol-code"
              className="input mono"
              inputMode="numeric"
              autoComplete="one-time-code"
              maxLength={6}
              value={code}
              onChange={(event) => setCode(event.target.value)}
              required
              data-testid="mfa-enrol-code"
            />
          </Field>
          <button className={submitClassName} type="submit" disabled={busy || code.trim().length !== 6} data-testid="mfa-enrol-submit">
            {busy ? 'Checking…' : 'Turn on two-step verification'}
          </button>
        </>
      )}
    </form>
  );
}

export function RecoveryCodeList({ codes }: { codes: string[] }) {
  return (
    <ol className="recovery-codes mono" data-testid="recovery-codes">
      {codes.map((recoveryCode) => (
        <li key={recoveryCode} data-testid="recovery-code">
          {recoveryCode}
        </li>
      ))}
    </ol>
  );
}
