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

export function RoleBadge({ role }: { role: PlatformRole | null }) {
  if (!role) return <span className="faint">Not staff</span>;
  return (
    <span className="badge badge-role">
      {ROLE_LABELS[role]}
    </span>
  );
}

export function YesNo({ value, yes = 'Yes', no = 'No' }: { value: boolean; yes?: string; no?: string }) {
  return (
    <span className={value ? undefined : 'muted'}>
      {value ? yes : no}
    </span>
  );
}
