// Renders the app only once a session exists; otherwise the sign-in page, at whatever URL the user
// opened, so a deep link still lands on the right page after signing in.
import type { ReactNode } from 'react';
import { LoadingScreen } from '../components/LoadingScreen.js';
import { SignInPage } from './SignInPage.js';
import { useSession } from './session.js';

export function SessionGate({ appLabel, children }: { appLabel: string; children: ReactNode }) {
  const { state } = useSession();
  if (state.status === 'loading') return <LoadingScreen />;
  if (state.status === 'signed-out') return <SignInPage appLabel={appLabel} notice={state.notice} />;
  return <>{children}</>;
}
