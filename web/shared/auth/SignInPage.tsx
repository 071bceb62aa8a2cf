// The sign-in screen every app shows until the server confirms a session.
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { toApiError, type ApiError } from '../api/problem.js';
import { BrandMark } from '../components/BrandMark.js';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { Field } from '../components/Field.js';
import { useSession } from './session.js';

export function SignInPage({ appLabel, notice }: { appLabel: string; notice?: string }) {
  const { signIn } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(email.trim(), password);
    } catch (caught) {
      setError(toApiError(caught));
      setBusy(false);
    }
  }

  return (
    <main className="centered-screen">
      <div className="sign-in-card" data-testid="sign-in-page">
        <BrandMark appLabel={appLabel} />
        <h1>Sign in</h1>
        <p className="subtitle">Use your Platforma account to continue to the {appLabel.toLowerCase()}.</p>
        <form className="form" onSubmit={submit} noValidate>
          {notice && !error && <div className="alert alert-warning" data-testid="sign-in-notice">{notice}</div>}
          <ErrorAlert error={error} testId="sign-in-error" />
          <Field id="sign-in-email" label="Email">
            <input
              id="sign-in-email"
              className="input"
              type="email"
              autoComplete="username"
              value={email}
              onChange={(event) => setEmail(event.target.value)}
              required
              autoFocus
              data-testid="sign-in-email"
            />
          </Field>
          <Field id="sign-in-password" label="Password">
            <input
              id="sign-in-password"
              className="input"
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(event) => setPassword(event.target.value)}
              required
              data-testid="sign-in-password"
            />
          </Field>
          <button className="button button-primary button-block" type="submit" disabled={busy || !email || !password} data-testid="sign-in-submit">
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
        <p className="auth-footer">
          <Link to="/forgot-password" data-testid="forgot-password-link">
            Forgot password?
          </Link>
        </p>
      </div>
    </main>
  );
}
