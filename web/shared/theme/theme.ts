// Theming: every app shares the same tokens and components; only the accent differs, chosen by the
// data-app attribute on <html> (see tokens.css). Set from the app's entry module, not an inline
// script, because the CSP forbids inline scripts.
import './tokens.css';
import './layout.css';
import './components.css';
import './data.css';
import './feedback.css';
import './shop.css';

export type AppName = 'admin' | 'portal' | 'partner';

export function applyTheme(app: AppName): void {
  document.documentElement.dataset.app = app;
}
