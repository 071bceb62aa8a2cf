// Whether the signed-in caller may perform an action, as the server decides it (POST
// /api/v1/authz/explain evaluates the caller's own policies), so pages offer only what will work.
// Undefined while the answer is on its way; false when it cannot be had.
import { useEffect, useState } from 'react';
import { explainAccess } from './features/identity/use-tenant-access.js';

export function useAllowed(action: string, resource: string): boolean | undefined {
  const [allowed, setAllowed] = useState<boolean | undefined>(undefined);
  useEffect(() => {
    let cancelled = false;
    setAllowed(undefined);
    explainAccess(action, resource)
      .then((allowed) => {
        if (!cancelled) setAllowed(allowed);
      })
      .catch(() => {
        if (!cancelled) setAllowed(false);
      });
    return () => {
      cancelled = true;
    };
  }, [action, resource]);
  return allowed;
}
