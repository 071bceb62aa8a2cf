// Starts one of the apps: theme, router under the app's path prefix (the server serves each app's
// index.html for every path below /admin, /portal or /partner) and the session. The router is a
// data router (one catch-all route; each app keeps its own <Routes> below it) because only a data
// router can hold back a navigation: pages with unsaved edits ask before they are left
// (use-unsaved-changes.tsx).
import { StrictMode, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { createBrowserRouter, RouterProvider } from 'react-router';
import { SessionProvider } from '../auth/session.js';
import { applyTheme, type AppName } from '../theme/theme.js';

export function mountApp(app: AppName, root: ReactNode): void {
  applyTheme(app);
  const container = document.getElementById('root');
  if (!container) throw new Error('index.html has no #root element');
  const router = createBrowserRouter([{ path: '*', element: <SessionProvider>{root}</SessionProvider> }], { basename: `/${app}` });
  createRoot(container).render(
    <StrictMode>
      <RouterProvider router={router} />
    </StrictMode>,
  );
}
