// The organisation the session works in, in the top bar, and a way to work in another one you
// belong to without signing in again (POST /api/v1/auth/switch-tenant). The app's pages then load
// that organisation's data: AppShell remounts them when the session's tenant changes.
import { useEffect, useState } from 'react';
import { toApiError } from '../api/problem.js';
import type { Membership } from '../api/types.js';
import { useSession, useSignedInSession } from '../auth/session.js';
import { readMe, useAccountActions } from '../features/identity/use-account.js';

export function TenantSwitcher() {
  const session = useSignedInSession();
  const { refresh } = useSession();
  const account = useAccountActions();
  const [memberships, setMemberships] = useState<Membership[] | null>(null);
  const [switching, setSwitching] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    readMe()
      .then((me) => !cancelled && setMemberships(me.memberships))
      // Without the list there is nothing to switch to; the rest of the page still works.
      .catch(() => !cancelled && setMemberships([]));
    return () => {
      cancelled = true;
    };
  }, []);

  // An impersonation is bound to one tenant; staff without memberships have nothing to pick from.
  if (!memberships || memberships.length === 0 || session.impersonatedBy) return null;

  async function switchTo(tenantId: string) {
    setSwitching(true);
    setError(null);
    try {
      await account.switchTenant(tenantId);
      await refresh();
    } catch (caught) {
      setError(toApiError(caught).problem.detail);
    } finally {
      setSwitching(false);
    }
  }

  const active = session.activeTenantId ?? '';
  const known = memberships.some((m) => m.tenantId === active);
  return (
    <div className="tenant-switcher">
      <label htmlFor="tenant-switcher" className="visually-hidden">
        Organisation
      </label>
      <select id="tenant-switcher" className="select" value={active} onChange={(e) => void switchTo(e.target.value)} disabled={switching || memberships.length + (known ? 0 : 1) < 2}>
        {!known && <option value={active}>{active ? `Tenant ${active}` : 'No organisation'}</option>}
        {memberships.map((membership) => (
          <option key={membership.tenantId} value={membership.tenantId}>
            {membership.organizationName} ({membership.role})
          </option>
        ))}
      </select>
      {error && (
        <span className="tenant-switcher-error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
