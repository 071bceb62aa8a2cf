// Forced enrolment: multi-factor authentication is mandatory for this account (platform staff, or a
// tenant that requires it) and not set up yet. Shows the QR code and the secret, takes a first code,
// then shows the recovery codes exactly once before letting the person in.
import { useEffect, useState, type FormEvent } from 'react';
import { api, unwrap } from '../api/client.js';
import { toApiError, type ApiError } from '../api/problem.js';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { Field } from '../components/Field.js';
import { AuthCard } from './AuthCard.js';
import { useSession } from './session.js';

interface Enrolment {
  secret: string;
  qrCode: string;
}

export function MfaEnrolPage({ appLabel, email }: { appLabel: string; email: string }) {
  const { refresh } = useSession();
  const [enrolment, setEnrolment] = useState<Enrolment | null>(null);
  const [code, setCode] = useState('');
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | null>(null);
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
      setRecoveryCodes(data.recoveryCodes);
    } catch (caught) {
      setError(toApiError(caught));
      setCode('');
    } finally {
      setBusy(false);
    }
  }

  if (recoveryCodes) {
    return (
      <AuthCard appLabel={appLabel} title="Save your recovery codes" subtitle="If you lose your authenticator, each of these codes signs you in once. They are shown only now." testId="recovery-codes-page">
        <ol className="form mono" data-testid="recovery-codes">
          {recoveryCodes.map((recoveryCode) => (
            <li key={recoveryCode} data-testid="recovery-code">
              {recoveryCode}
            </li>
          ))}
        </ol>
        <button className="button button-primary button-block" type="button" onClick={() => void refresh()} data-testid="recovery-codes-done">
          I have saved them — continue
        </button>
      </AuthCard>
    );
  }

  return (
    <AuthCard appLabel={appLabel} title="Set up two-step verification" subtitle={`Two-step verification is required for ${email}. Scan the code with an authenticator app, then enter the code it shows.`} testId="mfa-enrol-page">
      <form className="form" onSubmit={confirm} noValidate>
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
            <button className="button button-primary button-block" type="submit" disabled={busy || code.trim().length !== 6} data-testid="mfa-enrol-submit">
              {busy ? 'Checking…' : 'Turn on two-step verification'}
            </button>
          </>
        )}
      </form>
    </AuthCard>
  );
}
