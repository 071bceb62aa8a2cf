// Platform staff roles as people read them: a label, what the role may do, and a badge.
import type { PlatformRole } from '../../../shared/api/types.js';

export const ROLE_LABELS: Record<PlatformRole, string> = {
  'platform-admin': 'Platform admin',
  operator: 'Operator',
  support: 'Support',
  'billing-operator': 'Billing operator',
  'read-only': 'Read-only',
};

export const ROLE_DESCRIPTIONS: Record<PlatformRole, string> = {
  'platform-admin': 'Everything, including managing staff.',
  operator: 'Tenants, users and mail; not staff.',
  support: 'Reads everything and may act as a tenant user.',
  'billing-operator': 'Billing; reads tenants.',
  'read-only': 'Reads everything.',
};

export function RoleBadge({ role, testId }: { role: PlatformRole | null; testId?: string }) {
  if (!role) return <span className="faint" data-testid={testId} data-role="">Not staff</span>;
  return (
    <span className="badge badge-role" data-testid={testId} data-role={role}>
      {ROLE_LABELS[role]}
    </span>
  );
}

export function YesNo({ value, yes = 'Yes', no = 'No', testId }: { value: boolean; yes?: string; no?: string; testId?: string }) {
  return (
    <span className={value ? undefined : 'muted'} data-testid={testId} data-value={String(value)}>
      {value ? yes : no}
    </span>
  );
}
