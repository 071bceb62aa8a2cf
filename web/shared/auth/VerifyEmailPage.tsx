// Where an email verification link lands (/<app>/verify-email#token=…): hands the token to the API
// once and says how it went. It needs no session: the link itself proves the mailbox.
import { useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { toApiError, type ApiError } from '../api/problem.js';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { AuthCard } from './AuthCard.js';
import { tokenFromFragment } from './link-token.js';
import { auth } from '../features/identity/use-auth.js';

export function VerifyEmailPage({ appLabel }: { appLabel: string }) {
  const [token] = useState(tokenFromFragment);
  const [outcome, setOutcome] = useState<'working' | 'verified' | ApiError>('working');
  // The token works once: never send it twice, even when React runs the effect twice in development.
  const sent = useRef(false);

  useEffect(() => {
    if (!token || sent.current) return;
    sent.current = true;
    auth
      .verifyEmail(token)
      .then(() => setOutcome('verified'))
      .catch((caught: unknown) => setOutcome(toApiError(caught)));
  }, [token]);

  return (
    <AuthCard appLabel={appLabel} title="Confirm your email address" subtitle="The link from your email proves the address is yours." withSignOut={false}>
      <div className="form">
        {!token && <div className="alert alert-warning">This page needs the link from your verification email.</div>}
        {token && outcome === 'working' && <p className="muted">Confirming…</p>}
        {outcome === 'verified' && (
          <div className="alert alert-success" role="status">
            Your email address is confirmed.
          </div>
        )}
        {typeof outcome === 'object' && (
          <>
            <ErrorAlert error={outcome} />
            <p className="muted">Signed in, you can ask for a new link on your account’s profile page.</p>
          </>
        )}
        <Link className="button button-block" to="/">
          Continue
        </Link>
      </div>
    </AuthCard>
  );
}
