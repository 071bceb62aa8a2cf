// The tenant's audit trail, newest first, a page at a time. `reloadKey` changes after every change
// made on the page: the trail starts again from its newest page, so the entry it produced appears right away.
import type { AuditEntry } from '../../../shared/api/types.js';
import { ErrorAlert } from '../../../shared/components/ErrorAlert.js';
import { Pagination } from '../../../shared/cursor-pages.js';
import { useTenantAuditPages } from '../../../shared/features/audit/use-audit.js';
import { formatDateTime } from '../../../shared/format.js';

function actorLabel(entry: AuditEntry): string {
  return entry.actor.label ?? `${entry.actor.type} ${entry.actor.id}`;
}

export function AuditTrail({ tenantId, reloadKey }: { tenantId: string; reloadKey: number }) {
  return (
    <section className="card" aria-labelledby="audit-trail-title">
      <div className="card-header">
        <div>
          <h2 id="audit-trail-title">Audit trail</h2>
          <p>Every change to this tenant, newest first.</p>
        </div>
      </div>
      <AuditEntries key={`${tenantId}|${reloadKey}`} tenantId={tenantId} />
    </section>
  );
}

function AuditEntries({ tenantId }: { tenantId: string }) {
  const pages = useTenantAuditPages(tenantId);
  const entries = pages.page?.data ?? [];
  return (
    <>
      {pages.error && (
        <div className="card-body">
          <ErrorAlert error={pages.error} />
        </div>
      )}
      <div className="table-wrap">
        <table className="table" aria-labelledby="audit-trail-title" aria-busy={pages.loading}>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Actor</th>
              <th scope="col">Action</th>
              <th scope="col">Request id</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => (
              <tr key={entry.id}>
                <td className="muted">{formatDateTime(entry.occurredAt, true)}</td>
                <td>{actorLabel(entry)}</td>
                <td>
                  <code>{entry.action}</code>
                </td>
                <td className="mono faint">{entry.requestId ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {pages.page && entries.length === 0 && !pages.error && <div className="table-empty">No entries yet.</div>}
      </div>
      {(pages.hasPrevious || pages.page?.nextCursor) && <Pagination pages={pages} label="Audit trail pages" />}
    </>
  );
}
