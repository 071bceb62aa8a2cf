// The button in a table row that starts a destructive action (it opens a confirmation; it never acts
// by itself).
import type { ReactNode } from 'react';

export function DangerRowButton({ onClick, children }: { onClick(): void; children: ReactNode }) {
  return (
    <button type="button" className="button button-danger-outline" onClick={onClick}>
      {children}
    </button>
  );
}
