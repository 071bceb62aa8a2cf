// An app whose sections are announced but not built yet (partner): real sign-in, real navigation,
// the person's own account pages, and a plain statement per section of what will arrive, with no
// made-up data. "Forgot password" and the pages of mailed links are public, as in every app.
import { Navigate, Route, Routes } from 'react-router';
import { AccountRoutes } from '../account/AccountRoutes.js';
import { SessionGate } from '../auth/SessionGate.js';
import type { Audience } from '../auth/WrongConsolePage.js';
import { publicAuthRoutes } from '../auth/public-routes.js';
import { AppShell } from '../components/AppShell.js';
import { ComingSoon } from '../components/ComingSoon.js';
import { PageHeader } from '../components/PageHeader.js';

export interface PlaceholderSection {
  path: string;
  title: string;
  /** What the section will offer once built. */
  description: string;
}

export function PlaceholderSectionsApp({ appLabel, audience, sections }: { appLabel: string; audience?: Audience; sections: PlaceholderSection[] }) {
  const first = sections[0];
  return (
    <Routes>
      {publicAuthRoutes(appLabel)}
      <Route
        path="*"
        element={
          <SessionGate appLabel={appLabel} audience={audience}>
            <AppShell appLabel={appLabel} nav={[...sections.map((section) => ({ to: `/${section.path}`, label: section.title })), { to: '/account', label: 'Account' }]}>
              <Routes>
                {first && <Route index element={<Navigate to={`/${first.path}`} replace />} />}
                {sections.map((section) => (
                  <Route
                    key={section.path}
                    path={`/${section.path}`}
                    element={
                      <>
                        <PageHeader title={section.title} />
                        <ComingSoon title={section.title} description={section.description} />
                      </>
                    }
                  />
                ))}
                <Route path="/account/*" element={<AccountRoutes />} />
                <Route path="*" element={<PageHeader title="Page not found" subtitle="Choose a section from the menu." />} />
              </Routes>
            </AppShell>
          </SessionGate>
        }
      />
    </Routes>
  );
}
