// "Forgot password?": asks for the address and has the server mail a reset link. The answer is the
// same whether or not the address has an account, so the page never says which it was.
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { toApiError, type ApiError } from '../api/problem.js';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { Field, describedBy } from '../components/Field.js';
import { messagesFor } from '../forms.js';
import { AuthCard } from './AuthCard.js';
import { auth } from '../features/identity/use-auth.js';

export function ForgotPasswordPage({ appLabel }: { appLabel: string }) {
  const [email, setEmail] = useState('');
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await auth.requestPasswordReset(email.trim());
      setSentTo(email.trim());
    } catch (caught) {
      setError(toApiError(caught));
    } finally {
      setBusy(false);
    }
  }

  const emailError = messagesFor(error, '/email');
  return (
    <AuthCard appLabel={appLabel} title="Reset your password" subtitle="Enter the email address of your account. We will send you a link to choose a new password." withSignOut={false}>
      {sentTo ? (
        <div className="form">
          <div className="alert alert-success" role="status">
            If an account exists for <strong>{sentTo}</strong>, a reset link is on its way. It works once, for 30 minutes. Check your spam folder if it does not arrive.
          </div>
        </div>
      ) : (
        <form className="form" onSubmit={submit} noValidate>
          {!emailError && <ErrorAlert error={error} />}
          <Field id="forgot-email" label="Email" error={emailError}>
            <input id="forgot-email" className="input" type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} required autoFocus aria-invalid={emailError !== undefined} aria-describedby={describedBy('forgot-email')} />
          </Field>
          <button className="button button-primary button-block" type="submit" disabled={busy || !email.trim()}>
            {busy ? 'Sending…' : 'Send reset link'}
          </button>
        </form>
      )}
      <p className="auth-footer">
        <Link to="/">
          Back to sign in
        </Link>
      </p>
    </AuthCard>
  );
}
