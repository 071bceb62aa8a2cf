// Starts one of the apps: theme, router under the app's path prefix (the server serves each app's
// index.html for every path below /admin, /portal or /partner) and the session.
import { StrictMode, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { SessionProvider } from '../auth/session.js';
import { applyTheme, type AppName } from '../theme/theme.js';

export function mountApp(app: AppName, root: ReactNode): void {
  applyTheme(app);
  const container = document.getElementById('root');
  if (!container) throw new Error('index.html has no #root element');
  createRoot(container).render(
    <StrictMode>
      <BrowserRouter basename={`/${app}`}>
        <SessionProvider>{root}</SessionProvider>
      </BrowserRouter>
    </StrictMode>,
  );
}
