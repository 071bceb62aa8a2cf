// The signed-in frame shared by every app: sidebar with the app's sections, topbar with the
// organisation switcher, the user and the sign-out button (and, while staff impersonate someone, a
// banner saying so), and the page in the middle. The page is rebuilt when the session moves to
// another tenant, so everything it shows is loaded again for that tenant. On narrow screens (phones,
// see layout.css) the sidebar becomes a bar with a menu button that unfolds the sections.
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
  // Only narrow screens fold the navigation away; on wide ones the button is hidden and this is moot.
  const [menuOpen, setMenuOpen] = useState(false);

  async function handleSignOut() {
    setSigningOut(true);
    try {
      await signOut();
    } finally {
      setSigningOut(false);
    }
  }

  return (
    <div className="shell">
      <aside className={menuOpen ? 'sidebar sidebar-open' : 'sidebar'}>
        <div className="sidebar-head">
          <BrandMark appLabel={appLabel} />
          <button type="button" className="nav-menu-toggle" aria-expanded={menuOpen} aria-controls="main-nav" onClick={() => setMenuOpen((open) => !open)}>
            <span className="nav-menu-icon" aria-hidden="true" />
            {menuOpen ? 'Close' : 'Menu'}
          </button>
        </div>
        <nav id="main-nav" className="nav" aria-label="Main">
          {nav.map((item) => (
            <NavLink key={item.to} to={item.to} className="nav-link" onClick={() => setMenuOpen(false)}>
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
          <span className="topbar-user">
            {session.user.email}
          </span>
          <button type="button" className="button" onClick={handleSignOut} disabled={signingOut}>
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
