// Renders the app only once a session exists and owes nothing; otherwise the sign-in page or the step
// the session owes (MFA code, MFA enrolment, password change), at whatever URL the user opened, so a
// deep link still lands on the right page after signing in.
import type { ReactNode } from 'react';
import { LoadingScreen } from '../components/LoadingScreen.js';
import { SignInPage } from './SignInPage.js';
import { MfaVerifyPage } from './MfaVerifyPage.js';
import { MfaEnrolPage } from './MfaEnrolPage.js';
import { PasswordChangePage } from './PasswordChangePage.js';
import { useSession } from './session.js';
import { WrongConsolePage, admits, type Audience } from './WrongConsolePage.js';

/** `audience`: who the app is for; a signed-in person outside it gets a page saying where to go. */
export function SessionGate({ appLabel, audience, children }: { appLabel: string; audience?: Audience; children: ReactNode }) {
  const { state } = useSession();
  if (state.status === 'loading') return <LoadingScreen />;
  if (state.status === 'signed-out') return <SignInPage appLabel={appLabel} notice={state.notice} />;
  if (state.status === 'restricted') {
    switch (state.session.restriction) {
      case 'mfa_verify':
        return <MfaVerifyPage appLabel={appLabel} />;
      case 'mfa_enroll':
        return <MfaEnrolPage appLabel={appLabel} email={state.session.user.email} />;
      default:
        return <PasswordChangePage appLabel={appLabel} />;
    }
  }
  if (audience && !admits(audience, state.session)) return <WrongConsolePage appLabel={appLabel} audience={audience} session={state.session} />;
  return <>{children}</>;
}
