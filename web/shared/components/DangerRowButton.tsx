// The button in a table row that starts a destructive action (it opens a confirmation; it never acts
// by itself).
import type { ReactNode } from 'react';

export function DangerRowButton({ onClick, testId, children }: { onClick(): void; testId?: string; children: ReactNode }) {
  return (
    <button type="button" className="button button-danger-outline" onClick={onClick} data-testid={testId}>
      {children}
    </button>
  );
}
