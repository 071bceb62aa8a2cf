// Every account on the platform: search by email, optionally only staff, newest first, in pages.
// The filters live in the URL so a search can be bookmarked and shared.
import { useEffect, useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { ErrorAlert } from '../../../shared/components/ErrorAlert.js';
import { PageHeader } from '../../../shared/components/PageHeader.js';
import { Pagination } from '../../../shared/cursor-pages.js';
import { formatDateTime } from '../../../shared/format.js';
import { PeopleTabs } from './PeopleTabs.js';
import { RoleBadge, YesNo } from './roles.js';
import { useUserPages } from '../../../shared/features/identity/use-users.js';

const PAGE_SIZE = 20;

export function UsersPage() {
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const staffOnly = params.get('staff') === 'true';
  const [searchText, setSearchText] = useState(q);

  useEffect(() => setSearchText(q), [q]);

  function applyFilters(next: { q?: string; staffOnly?: boolean }) {
    const merged = { q, staffOnly, ...next };
    const search = new URLSearchParams();
    if (merged.q) search.set('q', merged.q);
    if (merged.staffOnly) search.set('staff', 'true');
    setParams(search);
  }

  function submitSearch(event: FormEvent) {
    event.preventDefault();
    applyFilters({ q: searchText.trim() });
  }

  return (
    <>
      <PageHeader title="People" subtitle="Every account on this platform: customers, partners and staff." />
      <PeopleTabs />
      <section className="card">
        <form className="toolbar" role="search" onSubmit={submitSearch}>
          <label className="visually-hidden" htmlFor="user-search">
            Search users by email
          </label>
          <input
            id="user-search"
            className="input"
            type="search"
            placeholder="Search by email"
            value={searchText}
            maxLength={320}
            onChange={(event) => setSearchText(event.target.value)}
          />
          <button type="submit" className="button">
            Search
          </button>
          <label className="checkbox">
            <input type="checkbox" checked={staffOnly} onChange={(event) => applyFilters({ staffOnly: event.target.checked })} /> Staff only
          </label>
          {(q || staffOnly) && (
            <button type="button" className="button button-ghost" onClick={() => setParams(new URLSearchParams())}>
              Clear filters
            </button>
          )}
        </form>
        <UserTable key={`${q}|${staffOnly}`} q={q} staffOnly={staffOnly} />
      </section>
    </>
  );
}

function UserTable({ q, staffOnly }: { q: string; staffOnly: boolean }) {
  const pages = useUserPages({ q, staffOnly }, PAGE_SIZE);
  const { page, loading, error } = pages;
  return (
    <>
      {error && (
        <div className="card-body">
          <ErrorAlert error={error} />
        </div>
      )}
      <div className="table-wrap">
        <table className="table" aria-busy={loading} aria-label="Users">
          <thead>
            <tr>
              <th scope="col">Email</th>
              <th scope="col">Platform role</th>
              <th scope="col">Email verified</th>
              <th scope="col">MFA</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {page?.data.map((user) => (
              <tr key={user.id}>
                <td>
                  <Link to={`/people/users/${user.id}`}>{user.email}</Link>
                </td>
                <td>
                  <RoleBadge role={user.platformRole} />
                </td>
                <td>
                  <YesNo value={user.emailVerified} />
                </td>
                <td>
                  <YesNo value={user.mfaEnabled} yes="On" no="Off" />
                </td>
                <td className="muted">{formatDateTime(user.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {page && page.data.length === 0 && (
          <div className="table-empty">
            {q || staffOnly ? 'No accounts match these filters.' : 'No accounts yet.'}
          </div>
        )}
        {!page && loading && <div className="table-empty">Loading people…</div>}
      </div>
      <Pagination pages={pages} label="Users pages" />
    </>
  );
}
