// Where an invitation link lands (/portal/accept-invitation#token=…). The token travels in the URL
// fragment, which browsers never send to servers or in Referer headers; this page hands it to the
// API. It asks for a new password (new account) or the existing account's password; accepting
// signs the person in, so the portal opens at once (at the step the organisation asks for first,
// such as enrolling a second factor).
import { useEffect, useState, type FormEvent } from 'react';
import { toApiError, type ApiError } from '../../shared/api/problem.js';
import { BrandMark } from '../../shared/components/BrandMark.js';
import { ErrorAlert } from '../../shared/components/ErrorAlert.js';
import { Field, describedBy } from '../../shared/components/Field.js';
import { messagesFor } from '../../shared/forms.js';
import { auth } from '../../shared/features/identity/use-auth.js';

interface Preview {
  organizationName: string;
  email: string;
  role: string;
  accountExists: boolean;
}

function tokenFromLocation(): string {
  return new URLSearchParams(window.location.hash.replace(/^#/, '')).get('token') ?? '';
}

export function AcceptInvitationPage() {
  const [token] = useState(tokenFromLocation);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [password, setPassword] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [accepted, setAccepted] = useState(false);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!token) return;
    auth
      .previewInvitation(token)
      .then(setPreview)
      .catch((caught: unknown) => setError(toApiError(caught)));
  }, [token]);

  async function accept(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await auth.acceptInvitation(token, password);
      setAccepted(true);
      // Signed in now: the portal, loaded afresh, finds the session (and whatever step it owes).
      window.location.assign('/portal/');
    } catch (caught) {
      setError(toApiError(caught));
    } finally {
      setBusy(false);
    }
  }

  const passwordError = messagesFor(error, '/password');
  return (
    <main className="centered-screen">
      <div className="sign-in-card">
        <BrandMark appLabel="Customer portal" />
        <h1>Accept your invitation</h1>
        {!token && <div className="alert alert-warning">This page needs the link from your invitation email.</div>}
        {/* A refused new password is explained under its field, rule by rule. */}
        {!passwordError && <ErrorAlert error={error} />}
        {accepted && (
          <div className="alert alert-success" role="status">
            You are now a member of {preview?.organizationName}. <a href="/portal/">Continue to the portal</a>.
          </div>
        )}
        {preview && !accepted && (
          <form className="form" onSubmit={accept} noValidate>
            <p className="subtitle">
              Join <strong>{preview.organizationName}</strong> as <strong>{preview.role}</strong> with {preview.email}.
            </p>
            <Field
              id="accept-password"
              label={preview.accountExists ? 'Your password' : 'Choose a password'}
              hint={preview.accountExists ? 'You already have an account: confirm it is you.' : 'At least 12 characters, not a common password and not your email address.'}
              error={passwordError}
            >
              <input
                id="accept-password"
                className="input"
                type="password"
                autoComplete={preview.accountExists ? 'current-password' : 'new-password'}
                value={password}
                onChange={(event) => setPassword(event.target.value)}
                required
                aria-invalid={passwordError !== undefined}
                aria-describedby={describedBy('accept-password')}
              />
            </Field>
            <button className="button button-primary button-block" type="submit" disabled={busy || !password}>
              {busy ? 'Joining…' : `Join ${preview.organizationName}`}
            </button>
          </form>
        )}
      </div>
    </main>
  );
}
