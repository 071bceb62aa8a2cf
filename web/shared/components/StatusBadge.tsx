// A tenant's lifecycle status as a coloured pill (pending, active, suspended, terminated).
import type { TenantStatus } from '../api/types.js';

export function StatusBadge({ status, testId }: { status: TenantStatus; testId?: string }) {
  return (
    <span className={`badge badge-${status}`} data-testid={testId} data-status={status}>
      {status}
    </span>
  );
}
