// Which parts of tenant administration the signed-in person may use in the tenant they work in, as
// the server decides it (GET /api/v1/me/permissions, the policy engine over their role): the nav,
// the sub-nav, each page and each button follow it. No role names are compared here, so custom
// roles work the same as built-in ones, and the API still refuses whatever slips through.
import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { toApiError, type ApiError } from '../../../shared/api/problem.js';
import { useSignedInSession } from '../../../shared/auth/session.js';
import { readMyPermissions } from '../../../shared/features/identity/use-tenant-access.js';
import { readMe } from '../../../shared/features/identity/use-account.js';

/** Every action the organisation pages may offer; asked about in one request. */
export const ORGANIZATION_ACTIONS = [
  'identity:member.list',
  'identity:member.update',
  'identity:member.delete',
  'identity:invitation.list',
  'identity:invitation.create',
  'identity:invitation.resend',
  'identity:invitation.delete',
  'identity:role.list',
  'identity:role.create',
  'identity:role.update',
  'identity:role.delete',
  'identity:role.simulate',
  'identity:api-key.list',
  'identity:api-key.create',
  'identity:api-key.delete',
  'identity:oauth-client.list',
  'identity:oauth-client.create',
  'identity:oauth-client.delete',
  'identity:identity-provider.list',
  'identity:identity-provider.create',
  'identity:identity-provider.update',
  'identity:identity-provider.delete',
  'identity:action.list',
] as const;

export type OrganizationAction = (typeof ORGANIZATION_ACTIONS)[number];

export interface OrganizationSection {
  path: string;
  label: string;
  /** The action that opens the section (its list). */
  action: OrganizationAction;
}

export const ORGANIZATION_SECTIONS: readonly OrganizationSection[] = [
  { path: 'members', label: 'Members', action: 'identity:member.list' },
  { path: 'invitations', label: 'Invitations', action: 'identity:invitation.list' },
  { path: 'roles', label: 'Roles', action: 'identity:role.list' },
  { path: 'api-keys', label: 'API keys', action: 'identity:api-key.list' },
  { path: 'oauth-clients', label: 'OAuth clients', action: 'identity:oauth-client.list' },
  { path: 'sso', label: 'Single sign-on', action: 'identity:identity-provider.list' },
];

export type OrganizationAccess =
  | { status: 'loading' }
  | { status: 'failed'; error: ApiError }
  | { status: 'loaded'; tenantId: string | null; organizationName: string | null; allowed: ReadonlySet<string> };

interface AccessValue {
  access: OrganizationAccess;
  can(action: OrganizationAction): boolean;
  /** The sections the person may open, in menu order. */
  sections: readonly OrganizationSection[];
}

const AccessContext = createContext<AccessValue | undefined>(undefined);

export function OrganizationAccessProvider({ children }: { children: ReactNode }) {
  const session = useSignedInSession();
  const [access, setAccess] = useState<OrganizationAccess>({ status: 'loading' });

  // Asked again whenever the person or the tenant they work in changes.
  useEffect(() => {
    let cancelled = false;
    setAccess({ status: 'loading' });
    Promise.all([readMyPermissions(ORGANIZATION_ACTIONS), readMe()])
      .then(([permissions, me]) => {
        if (cancelled) return;
        const membership = me.memberships.find((m) => m.tenantId === permissions.tenantId);
        setAccess({
          status: 'loaded',
          tenantId: permissions.tenantId,
          organizationName: membership?.organizationName ?? null,
          allowed: new Set(permissions.data.filter((p) => p.allowed).map((p) => p.action)),
        });
      })
      .catch((caught: unknown) => {
        if (!cancelled) setAccess({ status: 'failed', error: toApiError(caught) });
      });
    return () => {
      cancelled = true;
    };
  }, [session.user.id, session.activeTenantId]);

  const value = useMemo<AccessValue>(() => {
    const can = (action: OrganizationAction) => access.status === 'loaded' && access.tenantId !== null && access.allowed.has(action);
    return { access, can, sections: ORGANIZATION_SECTIONS.filter((section) => can(section.action)) };
  }, [access]);
  return <AccessContext.Provider value={value}>{children}</AccessContext.Provider>;
}

export function useOrganizationAccess(): AccessValue {
  const value = useContext(AccessContext);
  if (!value) throw new Error('useOrganizationAccess must be used inside <OrganizationAccessProvider>');
  return value;
}
