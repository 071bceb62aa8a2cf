// Setting up an authenticator, shared by the forced enrolment at sign-in and the account's security
// page: starts an enrolment (QR code and the key to type by hand), confirms it with a first code,
// and hands back the recovery codes, which RecoveryCodeList shows exactly once.
import { useEffect, useState, type FormEvent } from 'react';
import { toApiError, type ApiError } from '../api/problem.js';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { Field, describedBy } from '../components/Field.js';
import { useAccountActions } from '../features/identity/use-account.js';

interface Enrolment {
  secret: string;
  qrCode: string;
}

export function TotpEnrolmentForm({ onConfirmed, submitClassName = 'button button-primary button-block' }: { onConfirmed(recoveryCodes: string[]): void; submitClassName?: string }) {
  const account = useAccountActions();
  const [enrolment, setEnrolment] = useState<Enrolment | null>(null);
  const [code, setCode] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  // Starting again resumes the pending enrolment (same secret), so reloading this page never breaks an
  // app that already scanned the code; only "Start over" asks for a new secret.
  useEffect(() => {
    let cancelled = false;
    account
      .enrolTotp()
      .then((data) => !cancelled && setEnrolment(data))
      .catch((caught: unknown) => !cancelled && setError(toApiError(caught)));
    return () => {
      cancelled = true;
    };
  }, []);

  async function startOver() {
    setBusy(true);
    setError(null);
    setCode('');
    try {
      setEnrolment(await account.enrolTotp(true));
    } catch (caught) {
      setError(toApiError(caught));
    } finally {
      setBusy(false);
    }
  }

  async function confirm(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onConfirmed(await account.confirmTotp(code.trim()));
    } catch (caught) {
      setError(toApiError(caught));
      setCode('');
      setBusy(false);
    }
  }

  return (
    <form className="form" onSubmit={confirm} noValidate>
      <ErrorAlert error={error} />
      {enrolment && (
        <>
          <img src={enrolment.qrCode} alt="QR code to scan with an authenticator app" width={200} height={200} />
          {/* A read-only field rather than bare text: its label then names it for screen readers (a label
              cannot name a <code>), and the key is easy to select and copy. */}
          <Field id="mfa-secret" label="Or enter this key by hand">
            <input id="mfa-secret" className="input mono" value={enrolment.secret} readOnly spellCheck={false} autoComplete="off" onFocus={(event) => event.target.select()} />
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
              aria-describedby={describedBy('mfa-enrol-code')}
            />
          </Field>
          <button className={submitClassName} type="submit" disabled={busy || code.trim().length !== 6}>
            {busy ? 'Checking…' : 'Turn on two-step verification'}
          </button>
          <p className="field-hint">
            Scanned it into the wrong app, or someone else saw the key?{' '}
            <button type="button" className="link-button" onClick={() => void startOver()} disabled={busy}>
              Start over with a new key
            </button>
          </p>
        </>
      )}
    </form>
  );
}

/** The file the Download button saves: the codes only, one per line, as shown. */
export const RECOVERY_CODES_FILE_NAME = 'platforma-recovery-codes.txt';

function recoveryCodesText(codes: string[]): string {
  return `${codes.join('\n')}\n`;
}

/**
 * The recovery codes, shown once, with the two ways people actually keep them: the clipboard (for a
 * password manager) and a text file. Both hold exactly the codes on screen, one per line.
 */
export function RecoveryCodeList({ codes }: { codes: string[] }) {
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);

  async function copy() {
    try {
      // The Clipboard API exists only in secure contexts (https or localhost).
      if (!navigator.clipboard) throw new Error('no clipboard');
      await navigator.clipboard.writeText(recoveryCodesText(codes));
      setCopied('yes');
    } catch {
      setCopied('failed');
    }
  }

  function download() {
    const url = URL.createObjectURL(new Blob([recoveryCodesText(codes)], { type: 'text/plain;charset=utf-8' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = RECOVERY_CODES_FILE_NAME;
    document.body.append(link);
    link.click();
    link.remove();
    // Revoked after the click has been handled: revoking at once can cancel the download.
    setTimeout(() => URL.revokeObjectURL(url), 1_000);
  }

  return (
    <div className="recovery-code-sheet">
      <ol className="recovery-codes mono" aria-label="Recovery codes">
        {codes.map((recoveryCode) => (
          <li key={recoveryCode}>
            {recoveryCode}
          </li>
        ))}
      </ol>
      <div className="recovery-code-actions">
        <button type="button" className="button" onClick={() => void copy()}>
          {copied === 'yes' ? 'Copied' : 'Copy'}
        </button>
        <button type="button" className="button" onClick={download}>
          Download .txt
        </button>
      </div>
      {copied === 'failed' && (
        <span className="field-hint" role="status">
          The browser did not allow copying; download the codes or select them and copy them yourself.
        </span>
      )}
    </div>
  );
}
