// The roles one can hand out in the tenant (to members, invitations, keys and clients): the
// tenant's own list when the person may read it, else the built-in tenant roles the API documents.
import { useCallback, useEffect, useState } from 'react';
import { listTenantRoles, type Role } from '../features/identity/use-tenant-access.js';

export type { Role };
export type Statement = Role['statements'][number];

/** The API's built-in tenant roles (the members route documents them); used when the list cannot be read. */
export const BUILTIN_TENANT_ROLES = ['owner', 'admin', 'billing', 'developer', 'member', 'read-only'] as const;

export interface TenantRoles {
  roles: Role[] | null;
  options: { value: string; label: string }[];
  /** A role's name for display (custom roles are stored by id). */
  nameOf(role: string | null): string;
  reload(): Promise<void>;
}

export function useTenantRoles(tenantId: string, canList: boolean): TenantRoles {
  const [roles, setRoles] = useState<Role[] | null>(null);

  const reload = useCallback(async () => {
    if (!canList) return;
    setRoles(await listTenantRoles(tenantId));
  }, [tenantId, canList]);

  useEffect(() => {
    // A failed read leaves the built-in roles to choose from; the page's own list reports errors.
    reload().catch(() => setRoles(null));
  }, [reload]);

  const options = roles
    ? roles.map((role) => ({ value: role.id, label: role.builtin ? role.name : `${role.name} (custom)` }))
    : BUILTIN_TENANT_ROLES.map((name) => ({ value: name, label: name }));
  const nameOf = (role: string | null) => (role === null ? '—' : (roles?.find((r) => r.id === role)?.name ?? role));
  return { roles, options, nameOf, reload };
}

/** The role options, plus a member's current role when the list does not have it (it could not be read). */
export function withCurrentRole(options: { value: string; label: string }[], current: string, nameOf: (role: string) => string) {
  return options.some((option) => option.value === current) ? options : [{ value: current, label: nameOf(current) }, ...options];
}
