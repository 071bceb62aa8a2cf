// One person: their account (verification, second factor, lockout, last sign-in), the tenants they
// belong to, their live sessions, and what staff may do about them — change their platform role,
// end all their sessions, or act as them in one of their tenants (impersonation, with a reason).
// Which actions show follows `callerMay`, the server's own decision for the signed-in caller.
import { useCallback, useEffect, useId, useState } from 'react';
import { Link, useParams } from 'react-router';
import { toApiError, type ApiError } from '../../../shared/api/problem.js';
import type { UserDetail } from '../../../shared/api/types.js';
import { ConfirmDialog } from '../../../shared/components/ConfirmDialog.js';
import { ErrorAlert } from '../../../shared/components/ErrorAlert.js';
import { Field } from '../../../shared/components/Field.js';
import { PageHeader } from '../../../shared/components/PageHeader.js';
import { formatDateTime } from '../../../shared/format.js';
import { ChangeRoleDialog } from './ChangeRoleDialog.js';
import { RoleBadge, YesNo } from './roles.js';
import { readUser, useUserActions } from '../../../shared/features/identity/use-users.js';

export function UserDetailPage() {
  const { id = '' } = useParams();
  const [user, setUser] = useState<UserDetail | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [dialog, setDialog] = useState<'role' | 'sessions' | 'impersonate' | null>(null);

  const load = useCallback(async () => {
    try {
      setUser(await readUser(id));
      setError(null);
    } catch (caught) {
      setError(toApiError(caught));
    }
  }, [id]);

  useEffect(() => {
    setUser(null);
    setNotice(null);
    void load();
  }, [load]);

  function changed(message: string) {
    setDialog(null);
    setNotice(message);
    void load();
  }

  const breadcrumb = <Link to="/people">People</Link>;
  if (!user) {
    return (
      <>
        <PageHeader breadcrumb={breadcrumb} title={error ? 'Person not available' : 'Loading…'} />
        <ErrorAlert error={error} />
      </>
    );
  }

  const may = user.callerMay;
  return (
    <div>
      <PageHeader
        breadcrumb={breadcrumb}
        title={
          <>
            {user.email} {user.platformRole && <RoleBadge role={user.platformRole} />}
          </>
        }
        actions={
          <>
            {may.impersonate && (
              <button type="button" className="button button-primary" onClick={() => setDialog('impersonate')}>
                Act as this user
              </button>
            )}
            {may.changePlatformRole && (
              <button type="button" className="button" onClick={() => setDialog('role')}>
                Change platform role
              </button>
            )}
            {may.endSessions && (
              <button type="button" className="button button-danger-outline" onClick={() => setDialog('sessions')} disabled={user.activeSessionCount === 0}>
                End all sessions
              </button>
            )}
          </>
        }
      />
      <div className="stack">
        {notice && (
          <div className="alert alert-success" role="status">
            {notice}
          </div>
        )}
        <ErrorAlert error={error} />
        <div className="grid-2">
          <AccountCard user={user} onUnlocked={() => changed('The account is unlocked: they may sign in again.')} />
          <MembershipsCard user={user} />
        </div>
        <SessionsCard user={user} />
      </div>
      <ChangeRoleDialog target={dialog === 'role' ? user : null} onClose={() => setDialog(null)} onChanged={changed} />
      <EndSessionsDialog user={user} open={dialog === 'sessions'} onClose={() => setDialog(null)} onEnded={changed} />
      <ImpersonateDialog user={user} open={dialog === 'impersonate'} onClose={() => setDialog(null)} />
    </div>
  );
}

function AccountCard({ user, onUnlocked }: { user: UserDetail; onUnlocked(): void }) {
  const users = useUserActions();
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const titleId = useId();

  async function unlock() {
    setBusy(true);
    setError(null);
    try {
      await users.unlock(user.id);
      onUnlocked();
    } catch (caught) {
      setError(toApiError(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby={titleId}>
      <div className="card-header">
        <h2 id={titleId}>Account</h2>
      </div>
      <div className="card-body">
        <dl className="details">
          <dt>Platform role</dt>
          <dd>
            <RoleBadge role={user.platformRole} />
          </dd>
          <dt>Email verified</dt>
          <dd>{user.emailVerified ? formatDateTime(user.emailVerifiedAt) : <YesNo value={false} />}</dd>
          <dt>MFA</dt>
          <dd>
            <YesNo value={user.mfaEnabled} yes="On (authenticator app)" no="Off" />
          </dd>
          <dt>Password</dt>
          <dd>{user.hasPassword ? 'Set' : <span className="muted">Not chosen yet (the emailed link is still open)</span>}</dd>
          <dt>Sign-in</dt>
          <dd>
            {user.lockedUntil ? (
              <div className="stack">
                <span className="field-error">Locked after failed sign-ins until {formatDateTime(user.lockedUntil)}</span>
                {user.callerMay.unlock && (
                  <span>
                    <button type="button" className="button" onClick={unlock} disabled={busy}>
                      {busy ? 'Unlocking…' : 'Unlock now'}
                    </button>
                  </span>
                )}
                <ErrorAlert error={error} />
              </div>
            ) : (
              'Not locked'
            )}
          </dd>
          <dt>Last sign-in</dt>
          <dd>{user.lastSignInAt ? formatDateTime(user.lastSignInAt) : <span className="muted">Never</span>}</dd>
          <dt>Created</dt>
          <dd>{formatDateTime(user.createdAt)}</dd>
          <dt>User id</dt>
          <dd className="mono">{user.id}</dd>
        </dl>
      </div>
    </section>
  );
}

function MembershipsCard({ user }: { user: UserDetail }) {
  const titleId = useId();
  return (
    <section className="card" aria-labelledby={titleId}>
      <div className="card-header">
        <h2 id={titleId}>Tenants</h2>
      </div>
      <div className="table-wrap">
        <table className="table" aria-labelledby={titleId}>
          <thead>
            <tr>
              <th scope="col">Organization</th>
              <th scope="col">Role</th>
              <th scope="col">Joined</th>
            </tr>
          </thead>
          <tbody>
            {user.memberships.map((membership) => (
              <tr key={membership.tenantId}>
                <td>
                  <Link to={`/tenants/${membership.tenantId}`}>{membership.organizationName}</Link>
                </td>
                <td>{membership.role}</td>
                <td className="muted">{formatDateTime(membership.joinedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {user.memberships.length === 0 && <div className="table-empty">Belongs to no tenant.</div>}
      </div>
    </section>
  );
}

function SessionsCard({ user }: { user: UserDetail }) {
  const titleId = useId();
  return (
    <section className="card" aria-labelledby={titleId}>
      <div className="card-header">
        <h2 id={titleId}>
          Live sessions <span className="muted">({user.activeSessionCount})</span>
        </h2>
      </div>
      <div className="table-wrap">
        <table className="table" aria-labelledby={titleId}>
          <thead>
            <tr>
              <th scope="col">Signed in</th>
              <th scope="col">Last seen</th>
              <th scope="col">Address</th>
              <th scope="col">Browser</th>
              <th scope="col">Expires</th>
            </tr>
          </thead>
          <tbody>
            {user.sessions.map((session) => (
              <tr key={session.id}>
                <td>
                  {formatDateTime(session.createdAt)} {session.impersonating && <span className="chip">impersonating</span>}
                </td>
                <td>{formatDateTime(session.lastSeenAt)}</td>
                <td className="mono">{session.sourceIp ?? '—'}</td>
                <td className="muted">{session.userAgent ?? '—'}</td>
                <td className="muted">{formatDateTime(session.expiresAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {user.sessions.length === 0 && <div className="table-empty">No live sessions.</div>}
      </div>
    </section>
  );
}

function EndSessionsDialog({ user, open, onClose, onEnded }: { user: UserDetail; open: boolean; onClose(): void; onEnded(message: string): void }) {
  const users = useUserActions();
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  async function confirm() {
    setBusy(true);
    setError(null);
    try {
      const data = await users.endSessions(user.id);
      onEnded(data.sessionsEnded === 1 ? '1 session was ended.' : `${data.sessionsEnded} sessions were ended.`);
    } catch (caught) {
      setError(toApiError(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <ConfirmDialog open={open} title="End all sessions?" confirmLabel="End all sessions" tone="danger" busy={busy} error={error} onConfirm={confirm} onCancel={onClose}>
      <p className="muted">
        <strong>{user.email}</strong> is signed out everywhere ({user.activeSessionCount === 1 ? '1 live session' : `${user.activeSessionCount} live sessions`}) and must sign in again.
        API keys and OAuth tokens are not sessions and keep working.
      </p>
    </ConfirmDialog>
  );
}

/**
 * Starts acting as the person in one of their tenants, with a reason for both audit trails; the
 * browser then goes to the customer portal, where a banner says whose account it is and stops it.
 */
function ImpersonateDialog({ user, open, onClose }: { user: UserDetail; open: boolean; onClose(): void }) {
  const users = useUserActions();
  const [tenantId, setTenantId] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const firstTenant = user.memberships[0]?.tenantId ?? '';
  const chosenTenant = tenantId || firstTenant;

  async function confirm() {
    setBusy(true);
    setError(null);
    try {
      await users.impersonate(user.id, chosenTenant, reason.trim());
      window.location.assign('/portal');
    } catch (caught) {
      setError(toApiError(caught));
      setBusy(false);
    }
  }

  const reasonError = error?.fieldErrors['/reason'];
  return (
    <ConfirmDialog
      open={open}
      title="Act as this user"
      confirmLabel="Act as this user"
      busy={busy}
      confirmDisabled={reason.trim().length < 3 || !chosenTenant}
      error={reasonError ? null : error}
      onConfirm={confirm}
      onCancel={onClose}
    >
      <p className="muted">
        You will see the customer portal as <strong>{user.email}</strong> sees it, with their rights in the tenant you choose, for up to an hour. Both the
        platform’s and the tenant’s audit trails record it with your reason. Their password, MFA, API keys and sessions cannot be changed meanwhile.
      </p>
      <Field id="impersonate-tenant" label="Tenant">
        <select id="impersonate-tenant" className="select" value={chosenTenant} onChange={(event) => setTenantId(event.target.value)}>
          {user.memberships.map((membership) => (
            <option key={membership.tenantId} value={membership.tenantId}>
              {membership.organizationName} ({membership.role})
            </option>
          ))}
        </select>
      </Field>
      <Field id="impersonate-reason" label="Reason" error={reasonError} hint="Why, for the audit trails: a ticket number and what you need to see (3 to 500 characters).">
        <textarea id="impersonate-reason" className="textarea" maxLength={500} value={reason} onChange={(event) => setReason(event.target.value)} autoFocus />
      </Field>
    </ConfirmDialog>
  );
}
