// The mail outbox for platform staff: every message the platform sent or, with no SMTP server
// configured, kept instead (recipient, subject, status, date), and one message with its body.
// Bodies carry invitation and reset links: reading one is recorded in the audit log by the server.
// An HTML body is untrusted markup, so it is shown in a sandboxed frame that may run no script and
// has no access to this page (its own origin is opaque); the page's strict CSP applies inside too.
import { useEffect, useId, useState, type FormEvent } from 'react';
import { Link, Route, Routes, useParams, useSearchParams } from 'react-router';
import { MAIL_STATUSES, type MailStatus } from '../../../shared/api/types.js';
import { ErrorAlert } from '../../../shared/components/ErrorAlert.js';
import { PageHeader } from '../../../shared/components/PageHeader.js';
import { Pagination } from '../../../shared/cursor-pages.js';
import { formatDateTime } from '../../../shared/format.js';
import { useMailMessage, useMailPages } from '../../../shared/features/mail/use-mail.js';

const PAGE_SIZE = 25;

export function MailOutboxRoutes() {
  return (
    <Routes>
      <Route index element={<MailListPage />} />
      <Route path=":id" element={<MailMessagePage />} />
    </Routes>
  );
}

function statusFrom(value: string | null): MailStatus | undefined {
  return MAIL_STATUSES.find((status) => status === value);
}

export function MailStatusBadge({ status }: { status: MailStatus }) {
  return (
    <span className={`badge badge-${status}`}>
      {status}
    </span>
  );
}

function MailListPage() {
  const [params, setParams] = useSearchParams();
  const to = params.get('to') ?? '';
  const status = statusFrom(params.get('status'));
  const [recipient, setRecipient] = useState(to);

  useEffect(() => setRecipient(to), [to]);

  function applyFilters(next: { to?: string; status?: MailStatus | undefined }) {
    const merged = { to, status, ...next };
    const search = new URLSearchParams();
    if (merged.to) search.set('to', merged.to);
    if (merged.status) search.set('status', merged.status);
    setParams(search);
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    applyFilters({ to: recipient.trim() });
  }

  return (
    <>
      <PageHeader title="Mail outbox" subtitle="Mail the platform sent, is sending, or kept because no SMTP server is configured. Newest first." />
      <section className="card">
        <form className="toolbar" role="search" onSubmit={submit}>
          <label className="visually-hidden" htmlFor="mail-recipient">
            Recipient
          </label>
          <input
            id="mail-recipient"
            className="input"
            type="search"
            placeholder="Recipient’s full address"
            value={recipient}
            maxLength={320}
            onChange={(event) => setRecipient(event.target.value)}
          />
          <button type="submit" className="button">
            Filter
          </button>
          <label className="visually-hidden" htmlFor="mail-status-filter">
            Status
          </label>
          <select id="mail-status-filter" className="select" value={status ?? ''} onChange={(event) => applyFilters({ status: statusFrom(event.target.value) })}>
            <option value="">All statuses</option>
            {MAIL_STATUSES.map((option) => (
              <option key={option} value={option}>
                {option.charAt(0).toUpperCase() + option.slice(1)}
              </option>
            ))}
          </select>
          {(to || status) && (
            <button type="button" className="button button-ghost" onClick={() => setParams(new URLSearchParams())}>
              Clear filters
            </button>
          )}
        </form>
        <MailTable key={`${to}|${status ?? ''}`} to={to} status={status} />
      </section>
    </>
  );
}

function MailTable({ to, status }: { to: string; status: MailStatus | undefined }) {
  const pages = useMailPages({ to, status }, PAGE_SIZE);
  const { page, loading, error } = pages;
  return (
    <>
      {error && (
        <div className="card-body">
          <ErrorAlert error={error} />
        </div>
      )}
      <div className="table-wrap">
        <table className="table" aria-busy={loading} aria-label="Messages">
          <thead>
            <tr>
              <th scope="col">Recipient</th>
              <th scope="col">Subject</th>
              <th scope="col">Purpose</th>
              <th scope="col">Status</th>
              <th scope="col">Date</th>
            </tr>
          </thead>
          <tbody>
            {page?.data.map((mail) => (
              <tr key={mail.id}>
                <td>{mail.to}</td>
                <td>
                  <Link to={`/mail/${mail.id}`}>{mail.subject}</Link>
                </td>
                <td className="mono muted">{mail.purpose}</td>
                <td>
                  <MailStatusBadge status={mail.status} />
                </td>
                <td className="muted">{formatDateTime(mail.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {page && page.data.length === 0 && <div className="table-empty">{to || status ? 'No mail matches these filters.' : 'No mail yet.'}</div>}
        {!page && loading && <div className="table-empty">Loading mail…</div>}
      </div>
      <Pagination pages={pages} label="Mail pages" />
    </>
  );
}

function MailMessagePage() {
  const { id = '' } = useParams();
  const message = useMailMessage(id);
  // While another message loads, the one before is not shown as if it were it.
  const mail = message.data?.id === id ? message.data : null;
  const { error } = message;
  const [view, setView] = useState<'html' | 'text'>('html');
  const bodyTitleId = useId();

  const breadcrumb = <Link to="/mail">Mail outbox</Link>;
  if (!mail) {
    return (
      <>
        <PageHeader breadcrumb={breadcrumb} title={error ? 'Message not available' : 'Loading message…'} />
        <ErrorAlert error={error} />
      </>
    );
  }

  const showHtml = mail.html !== null && view === 'html';
  return (
    <div>
      <PageHeader breadcrumb={breadcrumb} title={<span>{mail.subject}</span>} subtitle={`To ${mail.to}`} />
      <div className="stack">
        <section className="card">
          <div className="card-body">
            <dl className="details">
              <dt>To</dt>
              <dd>{mail.to}</dd>
              <dt>Status</dt>
              <dd>
                <MailStatusBadge status={mail.status} />
                {mail.status === 'stored' && <span className="muted"> — kept, not sent: no SMTP server is configured</span>}
              </dd>
              <dt>Purpose</dt>
              <dd className="mono">{mail.purpose}</dd>
              <dt>Created</dt>
              <dd>{formatDateTime(mail.createdAt, true)}</dd>
              <dt>Sent</dt>
              <dd>{formatDateTime(mail.sentAt, true)}</dd>
              <dt>Attempts</dt>
              <dd>{mail.attempts}</dd>
              {mail.lastError && (
                <>
                  <dt>Last error</dt>
                  <dd className="field-error">
                    {mail.lastError}
                  </dd>
                </>
              )}
              {mail.tenantId && (
                <>
                  <dt>Tenant</dt>
                  <dd>
                    <Link to={`/tenants/${mail.tenantId}`} className="mono">
                      {mail.tenantId}
                    </Link>
                  </dd>
                </>
              )}
            </dl>
          </div>
        </section>
        <section className="card" aria-labelledby={bodyTitleId}>
          <div className="card-header">
            <h2 id={bodyTitleId}>Body</h2>
            {mail.html !== null && (
              // Two toggle buttons: the pressed one says which version of the body is shown.
              <div className="pagination-buttons" role="group" aria-label="Show the body as">
                <button type="button" className={view === 'html' ? 'button button-primary' : 'button'} aria-pressed={view === 'html'} onClick={() => setView('html')}>
                  HTML
                </button>
                <button type="button" className={view === 'text' ? 'button button-primary' : 'button'} aria-pressed={view === 'text'} onClick={() => setView('text')}>
                  Plain text
                </button>
              </div>
            )}
          </div>
          <div className="card-body">
            {showHtml ? (
              // sandbox="" : no scripts, no forms, no popups, no top navigation, an opaque origin.
              <iframe className="mail-frame" title={`HTML body of “${mail.subject}”`} sandbox="" srcDoc={mail.html ?? ''} referrerPolicy="no-referrer" />
            ) : (
              <pre className="mail-text">{mail.text}</pre>
            )}
          </div>
        </section>
      </div>
    </div>
  );
}
