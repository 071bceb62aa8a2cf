// The signed-in person's own account, the same in every app: profile, password, MFA, sessions and
// personal API keys. Mounted under /account by each app; each section is a tab with its own URL.
import { Navigate, NavLink, Route, Routes } from 'react-router';
import { PageHeader } from '../components/PageHeader.js';
import { ProfilePage } from './ProfilePage.js';
import { PasswordPage } from './PasswordPage.js';
import { SecurityPage } from './SecurityPage.js';
import { SessionsPage } from './SessionsPage.js';
import { ApiKeysPage } from './ApiKeysPage.js';

const TABS = [
  { path: 'profile', label: 'Profile' },
  { path: 'password', label: 'Password' },
  { path: 'security', label: 'Two-step verification' },
  { path: 'sessions', label: 'Sessions' },
  { path: 'api-keys', label: 'API keys' },
];

export function AccountRoutes() {
  return (
    <>
      <PageHeader title="Your account" />
      <nav className="tabs" aria-label="Account">
        {TABS.map((tab) => (
          <NavLink key={tab.path} to={`/account/${tab.path}`} className="tab">
            {tab.label}
          </NavLink>
        ))}
      </nav>
      <Routes>
        <Route index element={<Navigate to="profile" replace />} />
        <Route path="profile" element={<ProfilePage />} />
        <Route path="password" element={<PasswordPage />} />
        <Route path="security" element={<SecurityPage />} />
        <Route path="sessions" element={<SessionsPage />} />
        <Route path="api-keys" element={<ApiKeysPage />} />
        <Route path="*" element={<Navigate to="profile" replace />} />
      </Routes>
    </>
  );
}
