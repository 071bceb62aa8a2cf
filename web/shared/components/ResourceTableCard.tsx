// A card holding one list as a table: a heading with what the list is, the problem if it could not be
// read, the column heads, the rows, and what to say when there are none. The page decides when a list
// counts as empty and passes the message only then. The heading names both the card (a region) and
// the table, so assistive technology announces which list it is in.
import { useId, type ReactNode } from 'react';
import type { ApiError } from '../api/problem.js';
import { ErrorAlert } from './ErrorAlert.js';

interface ResourceTableCardProps {
  title: string;
  description: ReactNode;
  /** Beside the heading, e.g. a link to create one. */
  actions?: ReactNode;
  error?: ApiError | null;
  /** aria-busy of the table while a read is under way. */
  busy?: boolean;
  /** Column heads; '' for the column of row actions. */
  columns: readonly string[];
  /** Shown below the table, e.g. "No members yet."; null or false to show nothing. */
  empty?: ReactNode;
  children: ReactNode;
}

export function ResourceTableCard({ title, description, actions, error, busy, columns, empty, children }: ResourceTableCardProps) {
  const titleId = useId();
  return (
    <section className="card" aria-labelledby={titleId}>
      <div className="card-header">
        <div>
          <h2 id={titleId}>{title}</h2>
          <p>{description}</p>
        </div>
        {actions}
      </div>
      {error && (
        <div className="card-body">
          <ErrorAlert error={error} />
        </div>
      )}
      <div className="table-wrap">
        <table className="table" aria-busy={busy} aria-labelledby={titleId}>
          <thead>
            <tr>
              {columns.map((column, index) => (
                // The row actions' column has no visible head; it is still named for screen readers.
                <th key={index} scope="col" aria-label={column === '' ? 'Actions' : undefined}>
                  {column}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>{children}</tbody>
        </table>
        {empty && <div className="table-empty">{empty}</div>}
      </div>
    </section>
  );
}
