// The tenant's audit trail, newest first, with older entries loaded on request. `reloadKey`
// changes after every change made on the page, so the entry it produced appears right away.
import { useEffect, useState } from 'react';
import { api, unwrap } from '../../../shared/api/client.js';
import { toApiError, type ApiError } from '../../../shared/api/problem.js';
import type { AuditEntry } from '../../../shared/api/types.js';
import { ErrorAlert } from '../../../shared/components/ErrorAlert.js';
import { formatDateTime } from '../../../shared/format.js';

const PAGE_SIZE = 25;

function actorLabel(entry: AuditEntry): string {
  return entry.actor.label ?? `${entry.actor.type} ${entry.actor.id}`;
}

export function AuditTrail({ tenantId, reloadKey }: { tenantId: string; reloadKey: number }) {
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(true);

  useEffect(() => {
    let cancelled = false;
    setLoading(true);
    unwrap(api.GET('/api/v1/tenants/{id}/audit-events', { params: { path: { id: tenantId }, query: { limit: PAGE_SIZE } } }))
      .then(({ data }) => {
        if (cancelled) return;
        setEntries(data.data);
        setNextCursor(data.nextCursor);
        setError(null);
      })
      .catch((caught: unknown) => {
        if (!cancelled) setError(toApiError(caught));
      })
      .finally(() => {
        if (!cancelled) setLoading(false);
      });
    return () => {
      cancelled = true;
    };
  }, [tenantId, reloadKey]);

  async function loadOlder() {
    if (!nextCursor) return;
    setLoading(true);
    try {
      const { data } = await unwrap(
        api.GET('/api/v1/tenants/{id}/audit-events', { params: { path: { id: tenantId }, query: { limit: PAGE_SIZE, cursor: nextCursor } } }),
      );
      setEntries((current) => [...current, ...data.data]);
      setNextCursor(data.nextCursor);
    } catch (caught) {
      setError(toApiError(caught));
    } finally {
      setLoading(false);
    }
  }

  return (
    <section className="card" data-testid="audit-trail">
      <div className="card-header">
        <div>
          <h2>Audit trail</h2>
          <p>Every change to this tenant, newest first.</p>
        </div>
      </div>
      {error && (
        <div className="card-body">
          <ErrorAlert error={error} testId="audit-error" />
        </div>
      )}
      <div className="table-wrap">
        <table className="table" aria-busy={loading}>
          <thead>
            <tr>
              <th>Time</th>
              <th>Actor</th>
              <th>Action</th>
              <th>Request id</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => (
              <tr key={entry.id} data-testid="audit-row">
                <td className="muted">{formatDateTime(entry.occurredAt, true)}</td>
                <td>{actorLabel(entry)}</td>
                <td>
                  <code data-testid="audit-action">{entry.action}</code>
                </td>
                <td className="mono faint">{entry.requestId ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {!loading && entries.length === 0 && !error && <div className="table-empty">No entries yet.</div>}
      </div>
      {nextCursor && (
        <div className="pagination">
          <span>Showing the latest {entries.length} entries</span>
          <button type="button" className="button" onClick={loadOlder} disabled={loading} data-testid="audit-load-older">
            Load older entries
          </button>
        </div>
      )}
    </section>
  );
}
