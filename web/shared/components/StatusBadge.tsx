// A tenant's lifecycle status as a coloured pill (pending, active, suspended, terminated).
import type { TenantStatus } from '../api/types.js';

export function StatusBadge({ status }: { status: TenantStatus }) {
  return (
    <span className={`badge badge-${status}`} data-status={status}>
      {status}
    </span>
  );
}
