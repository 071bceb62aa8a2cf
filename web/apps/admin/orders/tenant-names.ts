// Tenant names for the order pages, which only carry tenant ids: the first 100 tenants (enough for
// the filter); an id that is not among them is shown as the id.
import { useEffect, useState } from 'react';
import { api, unwrap } from '../../../shared/api/client.js';

export function useTenantNames(): Map<string, string> {
  const [names, setNames] = useState<Map<string, string>>(new Map());
  useEffect(() => {
    let cancelled = false;
    unwrap(api.GET('/api/v1/tenants', { params: { query: { limit: 100 } } }))
      .then(({ data }) => !cancelled && setNames(new Map(data.data.map((tenant) => [tenant.id, tenant.organizationName]))))
      // Without names the pages still work with ids.
      .catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, []);
  return names;
}
