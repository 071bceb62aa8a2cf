// The card every sign-in step is shown in: brand, title, subtitle, and a way out (sign out). Public
// pages (forgot password, links from emails) use it without the sign-out button.
import type { ReactNode } from 'react';
import { BrandMark } from '../components/BrandMark.js';
import { useSession } from './session.js';

export function AuthCard({ appLabel, title, subtitle, withSignOut = true, children }: { appLabel: string; title: string; subtitle: string; withSignOut?: boolean; children: ReactNode }) {
  const { signOut } = useSession();
  return (
    <main className="centered-screen">
      <div className="sign-in-card">
        <BrandMark appLabel={appLabel} />
        <h1>{title}</h1>
        <p className="subtitle">{subtitle}</p>
        {children}
        {withSignOut && (
          <button className="button button-ghost button-block" type="button" onClick={() => void signOut()}>
            Sign out
          </button>
        )}
      </div>
    </main>
  );
}
