// An app whose sections are announced but not built yet (portal, partner): real sign-in, real
// navigation, and a plain statement per section of what will arrive, with no made-up data.
import { Navigate, Route, Routes } from 'react-router';
import { SessionGate } from '../auth/SessionGate.js';
import { AppShell } from '../components/AppShell.js';
import { ComingSoon } from '../components/ComingSoon.js';
import { PageHeader } from '../components/PageHeader.js';

export interface PlaceholderSection {
  path: string;
  title: string;
  /** What the section will offer once built. */
  description: string;
}

export function PlaceholderSectionsApp({ appLabel, sections }: { appLabel: string; sections: PlaceholderSection[] }) {
  const first = sections[0];
  return (
    <SessionGate appLabel={appLabel}>
      <AppShell appLabel={appLabel} nav={sections.map((section) => ({ to: `/${section.path}`, label: section.title }))}>
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
          <Route path="*" element={<PageHeader title="Page not found" subtitle="Choose a section from the menu." />} />
        </Routes>
      </AppShell>
    </SessionGate>
  );
}
