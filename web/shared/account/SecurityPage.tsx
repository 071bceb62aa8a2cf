// Two-step verification for your account: set up an authenticator (QR code, then a first code; the
// recovery codes are shown once), see how many recovery codes are left, and turn it off with a
// current code, unless it is mandatory for you (platform staff, or an organisation that requires it).
import { useState } from 'react';
import { toApiError, type ApiError } from '../api/problem.js';
import { ConfirmDialog } from '../components/ConfirmDialog.js';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { Field } from '../components/Field.js';
import { RecoveryCodeList, TotpEnrolmentForm } from '../auth/TotpEnrolment.js';
import { Loading, useMe } from './me.js';
import { useAccountActions } from '../features/identity/use-account.js';

export function SecurityPage() {
  const account = useAccountActions();
  const { me, error, reload } = useMe();
  const [enrolling, setEnrolling] = useState(false);
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | null>(null);
  const [turningOff, setTurningOff] = useState(false);
  const [code, setCode] = useState('');
  const [offError, setOffError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);

  async function turnOff() {
    setBusy(true);
    setOffError(null);
    try {
      await account.turnOffMfa(code.trim());
      setTurningOff(false);
      setNotice('Two-step verification is off. Signing in now takes only your password.');
      reload();
    } catch (caught) {
      setOffError(toApiError(caught));
      setCode('');
    } finally {
      setBusy(false);
    }
  }

  if (error) return <ErrorAlert error={error} />;
  if (!me) return <Loading />;

  if (recoveryCodes) {
    return (
      <section className="card" aria-labelledby="recovery-codes-heading">
        <div className="card-header">
          <h2 id="recovery-codes-heading">Save your recovery codes</h2>
        </div>
        <div className="card-body form">
          <div className="alert alert-warning">
            Two-step verification is on. If you lose your authenticator, each of these codes signs you in once. <strong>They are shown only now</strong>: store them somewhere safe.
          </div>
          <RecoveryCodeList codes={recoveryCodes} />
          <div>
            <button
              className="button button-primary"
              type="button"
              onClick={() => {
                setRecoveryCodes(null);
                reload();
              }}
            >
              I have saved them
            </button>
          </div>
        </div>
      </section>
    );
  }

  return (
    <section className="card" aria-labelledby="mfa-heading">
      <div className="card-header">
        <h2 id="mfa-heading">Two-step verification</h2>
        {me.mfa.enabled ? <span className="badge badge-active">On</span> : <span className="badge">Off</span>}
      </div>
      <div className="card-body form">
        {notice && (
          <div className="alert alert-success" role="status">
            {notice}
          </div>
        )}
        {me.mfa.enabled ? (
          <>
            <p>
              Signing in asks for a code from your authenticator app after your password. You have <strong>{me.mfa.recoveryCodesLeft}</strong> unused recovery
              codes.
            </p>
            {me.mfa.required ? (
              <p className="muted">
                It is mandatory for your account (platform staff, or an organisation you belong to requires it), so it cannot be turned off.
              </p>
            ) : (
              <div>
                <button
                  type="button"
                  className="button button-danger-outline"
                  onClick={() => {
                    setCode('');
                    setOffError(null);
                    setTurningOff(true);
                  }}
                >
                  Turn off two-step verification
                </button>
              </div>
            )}
          </>
        ) : enrolling ? (
          <>
            <p>Scan the code with an authenticator app (or type the key into it), then enter the code it shows.</p>
            <div style={{ maxWidth: 320 }}>
              <TotpEnrolmentForm
                submitClassName="button button-primary"
                onConfirmed={(codes) => {
                  setEnrolling(false);
                  setNotice(null);
                  setRecoveryCodes(codes);
                }}
              />
            </div>
            <div>
              <button type="button" className="button button-ghost" onClick={() => setEnrolling(false)}>
                Cancel
              </button>
            </div>
          </>
        ) : (
          <>
            <p>Protect your account with a second step at sign-in: a code from an authenticator app on your phone.</p>
            <div>
              <button
                type="button"
                className="button button-primary"
                onClick={() => {
                  setNotice(null);
                  setEnrolling(true);
                }}
              >
                Set up two-step verification
              </button>
            </div>
          </>
        )}
      </div>
      <ConfirmDialog
        open={turningOff}
        title="Turn off two-step verification?"
        confirmLabel="Turn off"
        tone="danger"
        busy={busy}
        confirmDisabled={code.trim().length !== 6}
        error={offError}
        onConfirm={() => void turnOff()}
        onCancel={() => setTurningOff(false)}
      >
        <p>Signing in will then take only your password. Your recovery codes stop working.</p>
        <Field id="mfa-off-code" label="Current code from your authenticator app">
          <input id="mfa-off-code" className="input mono" inputMode="numeric" autoComplete="one-time-code" maxLength={6} value={code} onChange={(e) => setCode(e.target.value)} required />
        </Field>
      </ConfirmDialog>
    </section>
  );
}
