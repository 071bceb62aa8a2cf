// Unsaved edits are not lost without a word: while `dirty`, leaving the page inside the app (a link,
// the menu, Back) is held and a dialog asks whether to leave or stay, and closing or reloading the
// tab makes the browser ask (beforeunload; browsers show their own text). Staying keeps everything
// as it was; moving within the same page (its query string) is never held.
import { useEffect, type ReactNode } from 'react';
import { useBlocker } from 'react-router';
import { ConfirmDialog } from './components/ConfirmDialog.js';

export function UnsavedChangesGuard({ dirty, title = 'Leave without saving?', children }: { dirty: boolean; title?: string; children?: ReactNode }) {
  const blocker = useBlocker(({ currentLocation, nextLocation }) => dirty && currentLocation.pathname !== nextLocation.pathname);

  useEffect(() => {
    if (!dirty) return;
    const warn = (event: BeforeUnloadEvent) => {
      event.preventDefault();
      // Older browsers ask only when returnValue is set.
      event.returnValue = '';
    };
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);

  // Edits saved (or undone) while the question is open: the navigation may go on.
  useEffect(() => {
    if (blocker.state === 'blocked' && !dirty) blocker.proceed();
  }, [blocker, dirty]);

  return (
    <ConfirmDialog open={blocker.state === 'blocked'} title={title} confirmLabel="Leave" tone="danger" onConfirm={() => blocker.proceed?.()} onCancel={() => blocker.reset?.()}>
      {children ?? <p className="muted">Your changes on this page have not been saved. Cancel to stay and keep them.</p>}
    </ConfirmDialog>
  );
}
