// A tenant's audit trail, newest first, a page at a time.
import { api, unwrap } from '../../api/client.js';
import type { AuditEntry } from '../../api/types.js';
import { useCursorPages, type CursorPages } from '../../cursor-pages.js';

/** Key the list by what should start it again from the newest entries (a change made on the page). */
export function useTenantAuditPages(tenantId: string, pageSize = 25): CursorPages<AuditEntry> {
  return useCursorPages<AuditEntry>(async (cursor) => (await unwrap(api.GET('/api/v1/tenants/{id}/audit-events', { params: { path: { id: tenantId }, query: { limit: pageSize, ...(cursor ? { cursor } : {}) } } }))).data);
}
