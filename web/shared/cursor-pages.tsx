// Walking a cursor-paginated list (`{ data, nextCursor }`): the API only walks forward, so the
// cursors of earlier pages are kept to go back. Remount the list (key it by its filters) to start
// again from the first page when the filters change.
import { useEffect, useRef, useState } from 'react';
import { toApiError, type ApiError } from './api/problem.js';

export interface CursorPage<T> {
  data: T[];
  nextCursor: string | null;
}

export interface CursorPages<T> {
  page: CursorPage<T> | null;
  error: ApiError | null;
  loading: boolean;
  pageNumber: number;
  hasPrevious: boolean;
  next(): void;
  previous(): void;
  /** Reads the current page again (after a change made on this page). */
  reload(): void;
}

export function useCursorPages<T>(fetchPage: (cursor: string | undefined) => Promise<CursorPage<T>>): CursorPages<T> {
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const [earlierCursors, setEarlierCursors] = useState<(string | undefined)[]>([]);
  const [page, setPage] = useState<CursorPage<T> | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(true);
  const [reloads, setReloads] = useState(0);
  // The latest fetcher, without making every render a reason to fetch again.
  const fetcher = useRef(fetchPage);
  fetcher.current = fetchPage;

  useEffect(() => {
    let cancelled = false;
    setLoading(true);
    fetcher
      .current(cursor)
      .then((data) => {
        if (cancelled) return;
        setPage(data);
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
  }, [cursor, reloads]);

  return {
    page,
    error,
    loading,
    pageNumber: earlierCursors.length + 1,
    hasPrevious: earlierCursors.length > 0,
    next() {
      if (!page?.nextCursor) return;
      setEarlierCursors((stack) => [...stack, cursor]);
      setCursor(page.nextCursor);
    },
    previous() {
      if (earlierCursors.length === 0) return;
      setCursor(earlierCursors[earlierCursors.length - 1]);
      setEarlierCursors(earlierCursors.slice(0, -1));
    },
    reload() {
      setReloads((n) => n + 1);
    },
  };
}

/** Previous and next for a cursor-paged list; `label` names the navigation (e.g. "Tenants pages"). */
export function Pagination<T>({ pages, label }: { pages: CursorPages<T>; label: string }) {
  return (
    <nav className="pagination" aria-label={label}>
      <span>Page {pages.pageNumber}</span>
      <div className="pagination-buttons">
        <button type="button" className="button" onClick={pages.previous} disabled={pages.loading || !pages.hasPrevious}>
          Previous
        </button>
        <button type="button" className="button" onClick={pages.next} disabled={pages.loading || !pages.page?.nextCursor}>
          Next
        </button>
      </div>
    </nav>
  );
}
