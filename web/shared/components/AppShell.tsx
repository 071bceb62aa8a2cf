// The signed-in frame shared by every app: sidebar with the app's sections, topbar with the
// organisation switcher, the user and the sign-out button (and, while staff impersonate someone, a
// banner saying so), and the page in the middle. The page is rebuilt when the session moves to
// another tenant, so everything it shows is loaded again for that tenant.
import { useState, type ReactNode } from 'react';
import { NavLink } from 'react-router';
import { useSession, useSignedInSession } from '../auth/session.js';
import { BrandMark } from './BrandMark.js';
import { ImpersonationBanner } from './ImpersonationBanner.js';
import { TenantSwitcher } from './TenantSwitcher.js';

export interface NavItem {
  to: string;
  label: string;
  /** Shown after the label, e.g. how many things in that section wait for someone. */
  badge?: ReactNode;
}

export function AppShell({ appLabel, nav, children }: { appLabel: string; nav: NavItem[]; children: ReactNode }) {
  const session = useSignedInSession();
  const { signOut } = useSession();
  const [signingOut, setSigningOut] = useState(false);

  async function handleSignOut() {
    setSigningOut(true);
    try {
      await signOut();
    } finally {
      setSigningOut(false);
    }
  }

  return (
    <div className="shell" data-testid="app-shell">
      <aside className="sidebar">
        <BrandMark appLabel={appLabel} />
        <nav className="nav" aria-label="Main">
          {nav.map((item) => (
            <NavLink key={item.to} to={item.to} className="nav-link" data-testid={`nav-${item.to.replace(/^\//, '')}`}>
              <span className="nav-label">{item.label}</span>
              {item.badge}
            </NavLink>
          ))}
        </nav>
        <div className="sidebar-footer">Open-source control plane</div>
      </aside>
      <div className="main">
        <ImpersonationBanner />
        <header className="topbar">
          <TenantSwitcher />
          <span className="topbar-user" data-testid="signed-in-user">
            {session.user.email}
          </span>
          <button type="button" className="button" onClick={handleSignOut} disabled={signingOut} data-testid="sign-out">
            Sign out
          </button>
        </header>
        <main className="content" key={session.activeTenantId ?? 'no-tenant'}>
          {children}
        </main>
      </div>
    </div>
  );
}
