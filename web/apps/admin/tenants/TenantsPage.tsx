// The tenants list: free-text search (organization name or domain), a status filter, and cursor
// pagination. Filters live in the URL so a filtered list can be bookmarked and shared.
import { useEffect, useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { TENANT_STATUSES, type TenantStatus } from '../../../shared/api/types.js';
import { ErrorAlert } from '../../../shared/components/ErrorAlert.js';
import { PageHeader } from '../../../shared/components/PageHeader.js';
import { StatusBadge } from '../../../shared/components/StatusBadge.js';
import { Pagination } from '../../../shared/cursor-pages.js';
import { useTenantPages } from '../../../shared/features/tenants/use-tenants.js';
import { formatDateTime } from '../../../shared/format.js';

const PAGE_SIZE = 20;

function statusFrom(value: string | null): TenantStatus | undefined {
  return TENANT_STATUSES.find((status) => status === value);
}

export function TenantsPage() {
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const status = statusFrom(params.get('status'));
  const [searchText, setSearchText] = useState(q);

  useEffect(() => setSearchText(q), [q]);

  function applyFilters(next: { q?: string; status?: TenantStatus | undefined }) {
    const merged = { q, status, ...next };
    const search = new URLSearchParams();
    if (merged.q) search.set('q', merged.q);
    if (merged.status) search.set('status', merged.status);
    setParams(search);
  }

  function submitSearch(event: FormEvent) {
    event.preventDefault();
    applyFilters({ q: searchText.trim() });
  }

  return (
    <>
      <PageHeader
        title="Tenants"
        subtitle="Every organization running on this platform."
        actions={
          <Link to="/tenants/new" className="button button-primary">
            New tenant
          </Link>
        }
      />
      <section className="card">
        <form className="toolbar" role="search" onSubmit={submitSearch}>
          <label className="visually-hidden" htmlFor="tenant-search">
            Search tenants
          </label>
          <input
            id="tenant-search"
            className="input"
            type="search"
            placeholder="Search by name or domain"
            value={searchText}
            maxLength={200}
            onChange={(event) => setSearchText(event.target.value)}
          />
          <button type="submit" className="button">
            Search
          </button>
          <label className="visually-hidden" htmlFor="tenant-status-filter">
            Status
          </label>
          <select
            id="tenant-status-filter"
            className="select"
            value={status ?? ''}
            onChange={(event) => applyFilters({ status: statusFrom(event.target.value) })}
          >
            <option value="">All statuses</option>
            {TENANT_STATUSES.map((option) => (
              <option key={option} value={option}>
                {option.charAt(0).toUpperCase() + option.slice(1)}
              </option>
            ))}
          </select>
          {(q || status) && (
            <button type="button" className="button button-ghost" onClick={() => setParams(new URLSearchParams())}>
              Clear filters
            </button>
          )}
        </form>
        {/* Remounting on a filter change starts pagination again from the first page. */}
        <TenantTable key={`${q}|${status ?? ''}`} q={q} status={status} />
      </section>
    </>
  );
}

function TenantTable({ q, status }: { q: string; status: TenantStatus | undefined }) {
  const pages = useTenantPages({ q, status }, PAGE_SIZE);
  const { page, error, loading } = pages;
  const filtered = Boolean(q || status);
  return (
    <>
      {error && (
        <div className="card-body">
          <ErrorAlert error={error} />
        </div>
      )}
      <div className="table-wrap">
        <table className="table" aria-label="Tenants" aria-busy={loading}>
          <thead>
            <tr>
              <th scope="col">Organization</th>
              <th scope="col">Domain</th>
              <th scope="col">Status</th>
              <th scope="col">Tier</th>
              <th scope="col">Admin email</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {page?.data.map((tenant) => (
              <tr key={tenant.id} data-tenant-id={tenant.id}>
                <td>
                  <Link to={`/tenants/${tenant.id}`}>
                    {tenant.organizationName}
                  </Link>
                </td>
                <td>{tenant.domain}</td>
                <td>
                  <StatusBadge status={tenant.status} />
                </td>
                <td>{tenant.subscription.tier}</td>
                <td>{tenant.adminEmail}</td>
                <td className="muted">{formatDateTime(tenant.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {page && page.data.length === 0 && (
          <div className="table-empty">
            {filtered ? 'No tenants match these filters.' : 'No tenants yet. Create the first one with “New tenant”.'}
          </div>
        )}
        {!page && loading && <div className="table-empty">Loading tenants…</div>}
      </div>
      <Pagination pages={pages} label="Tenants pages" />
    </>
  );
}
