// The sign-in screen every app shows until the server confirms a session. Identity first: the email
// alone decides the next step (POST /api/v1/auth/discover answers from its domain). An organisation
// whose identity provider is mandatory sends the browser there at once; an optional one is offered
// next to the password; everyone else enters their password. A second factor, if owed, follows as
// before (the session comes back restricted and the gate shows that step).
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { toApiError, type ApiError } from '../api/problem.js';
import { BrandMark } from '../components/BrandMark.js';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { Field } from '../components/Field.js';
import { useSession } from './session.js';
import { auth } from '../features/identity/use-auth.js';

type Step = { kind: 'email' } | { kind: 'password' } | { kind: 'sso'; providerName: string; startUrl: string; passwordAllowed: boolean } | { kind: 'redirecting'; providerName: string };

const APPS = ['admin', 'portal', 'partner'] as const;

/** The app this page belongs to (its first path segment), so single sign-on returns here. */
function currentApp(): (typeof APPS)[number] {
  const segment = window.location.pathname.split('/')[1];
  return APPS.find((app) => app === segment) ?? 'portal';
}

export function SignInPage({ appLabel, notice }: { appLabel: string; notice?: string }) {
  const { signIn } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [step, setStep] = useState<Step>({ kind: 'email' });
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  function goTo(providerName: string, startUrl: string) {
    setStep({ kind: 'redirecting', providerName });
    window.location.assign(startUrl);
  }

  async function discover(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const data = await auth.discover({ email: email.trim(), app: currentApp() });
      if (data.method === 'sso' && data.startUrl && data.providerName) {
        // Platform staff keep their password even where a provider is mandatory (they never sign in
        // through a tenant's provider), so the admin dashboard always offers both.
        if (data.passwordAllowed || currentApp() === 'admin') setStep({ kind: 'sso', providerName: data.providerName, startUrl: data.startUrl, passwordAllowed: true });
        else goTo(data.providerName, data.startUrl);
      } else {
        setStep({ kind: 'password' });
      }
    } catch (caught) {
      setError(toApiError(caught));
    } finally {
      setBusy(false);
    }
  }

  async function submitPassword(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(email.trim(), password);
    } catch (caught) {
      const apiError = toApiError(caught);
      // The organisation requires its identity provider: go there instead of showing a dead end.
      const startUrl = apiError.problem.startUrl;
      const provider = apiError.problem.provider;
      if (apiError.code === 'PLAT_SSO_REQUIRED' && typeof startUrl === 'string' && typeof provider === 'string') {
        goTo(provider, startUrl);
        return;
      }
      setError(apiError);
      setBusy(false);
    }
  }

  function changeEmail() {
    setStep({ kind: 'email' });
    setPassword('');
    setError(null);
  }

  const emailField = (
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
        readOnly={step.kind !== 'email'}
      />
    </Field>
  );

  return (
    <main className="centered-screen">
      <div className="sign-in-card">
        <BrandMark appLabel={appLabel} />
        <h1>Sign in</h1>
        <p className="subtitle">Use your Platforma account to continue to the {appLabel.toLowerCase()}.</p>
        {notice && !error && step.kind === 'email' && (
          <div className="alert alert-warning">
            {notice}
          </div>
        )}
        {step.kind === 'email' && (
          <form className="form" onSubmit={discover} noValidate>
            <ErrorAlert error={error} />
            {emailField}
            <button className="button button-primary button-block" type="submit" disabled={busy || !email.includes('@')}>
              {busy ? 'Checking…' : 'Continue'}
            </button>
          </form>
        )}
        {step.kind === 'password' && (
          <form className="form" onSubmit={submitPassword} noValidate>
            <ErrorAlert error={error} />
            {emailField}
            <Field id="sign-in-password" label="Password">
              <input
                id="sign-in-password"
                className="input"
                type="password"
                autoComplete="current-password"
                value={password}
                onChange={(event) => setPassword(event.target.value)}
                required
                autoFocus
              />
            </Field>
            <button className="button button-primary button-block" type="submit" disabled={busy || !password}>
              {busy ? 'Signing in…' : 'Sign in'}
            </button>
            <button className="button button-ghost button-block" type="button" onClick={changeEmail}>
              Use another email
            </button>
          </form>
        )}
        {step.kind === 'sso' && (
          <div className="form">
            {emailField}
            <p className="subtitle">Your organisation signs in with {step.providerName}.</p>
            <a className="button button-primary button-block" href={step.startUrl} onClick={() => setStep({ kind: 'redirecting', providerName: step.providerName })}>
              Continue with {step.providerName}
            </a>
            {step.passwordAllowed && (
              <button className="button button-ghost button-block" type="button" onClick={() => setStep({ kind: 'password' })}>
                Use my password instead
              </button>
            )}
            <button className="button button-ghost button-block" type="button" onClick={changeEmail}>
              Use another email
            </button>
          </div>
        )}
        {step.kind === 'redirecting' && (
          <div className="alert alert-success" role="status">
            Taking you to {step.providerName}…
          </div>
        )}
        {(step.kind === 'email' || step.kind === 'password') && (
          <p className="auth-footer">
            <Link to="/forgot-password">
              Forgot password?
            </Link>
          </p>
        )}
      </div>
    </main>
  );
}
