// The platform staff: who they are and their roles; platform administrators change roles here and
// add new staff members (the account is created and a link to choose a password is mailed).
import { useId, useRef, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { toApiError, type ApiError } from '../../../shared/api/problem.js';
import { PLATFORM_ROLES, type PlatformRole } from '../../../shared/api/types.js';
import { useAllowed } from '../../../shared/authz.js';
import { ErrorAlert } from '../../../shared/components/ErrorAlert.js';
import { Field, describedBy } from '../../../shared/components/Field.js';
import { PageHeader } from '../../../shared/components/PageHeader.js';
import { Pagination } from '../../../shared/cursor-pages.js';
import { formatDateTime } from '../../../shared/format.js';
import { mapFieldErrors, newIdempotencyKey, topLevelField } from '../../../shared/forms.js';
import { ChangeRoleDialog, type RoleTarget } from './ChangeRoleDialog.js';
import { PeopleTabs } from './PeopleTabs.js';
import { ROLE_DESCRIPTIONS, ROLE_LABELS, RoleBadge, YesNo } from './roles.js';
import { useUserActions, useUserPages } from '../../../shared/features/identity/use-users.js';

const PAGE_SIZE = 50;

export function StaffPage() {
  const mayManageStaff = useAllowed('identity:staff.update', 'prn:platform:user/*');
  const [notice, setNotice] = useState<string | null>(null);
  const [changing, setChanging] = useState<RoleTarget | null>(null);
  const pages = useUserPages({ staffOnly: true }, PAGE_SIZE);
  const titleId = useId();

  function done(message: string) {
    setChanging(null);
    setNotice(message);
    pages.reload();
  }

  const { page, loading, error } = pages;
  return (
    <>
      <PageHeader title="People" subtitle="Platform staff run this platform; their role decides what they may do across every tenant." />
      <PeopleTabs />
      <div className="stack">
        {notice && (
          <div className="alert alert-success" role="status">
            {notice}
          </div>
        )}
        <section className="card" aria-labelledby={titleId}>
          <div className="card-header">
            <h2 id={titleId}>Staff</h2>
          </div>
          {error && (
            <div className="card-body">
              <ErrorAlert error={error} />
            </div>
          )}
          <div className="table-wrap">
            <table className="table" aria-busy={loading} aria-labelledby={titleId}>
              <thead>
                <tr>
                  <th scope="col">Email</th>
                  <th scope="col">Role</th>
                  <th scope="col">MFA</th>
                  <th scope="col">Since</th>
                  {mayManageStaff && <th scope="col" aria-label="Actions" />}
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
                      <YesNo value={user.mfaEnabled} yes="On" no="Not set up yet" />
                    </td>
                    <td className="muted">{formatDateTime(user.createdAt)}</td>
                    {mayManageStaff && (
                      <td>
                        <button type="button" className="button" onClick={() => setChanging(user)}>
                          Change role
                        </button>
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
            {page && page.data.length === 0 && <div className="table-empty">No staff.</div>}
            {!page && loading && <div className="table-empty">Loading staff…</div>}
          </div>
          <Pagination pages={pages} label="Staff pages" />
        </section>
        {mayManageStaff && <AddStaffForm onAdded={done} />}
      </div>
      <ChangeRoleDialog target={changing} onClose={() => setChanging(null)} onChanged={done} />
    </>
  );
}

type FormField = 'email' | 'role';
const EXPECTATIONS: Partial<Record<FormField, string>> = { email: 'Enter an email address such as jane@example.com.', role: 'Choose a role.' };
const fieldOf = (pointer: string): FormField | undefined => {
  const field = topLevelField(pointer);
  return field === 'email' || field === 'role' ? field : undefined;
};

function AddStaffForm({ onAdded }: { onAdded(message: string): void }) {
  const users = useUserActions();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<PlatformRole>('support');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  // The same body keeps its Idempotency-Key: a resubmission after a lost answer adds nobody twice.
  const lastAttempt = useRef<{ body: string; key: string } | null>(null);

  const mapped = error ? mapFieldErrors(error, fieldOf, EXPECTATIONS) : { byField: {}, hasUnmatched: false };
  const fieldErrors: Partial<Record<FormField, string>> = mapped.byField;

  async function submit(event: FormEvent) {
    event.preventDefault();
    const body = { email: email.trim(), role };
    const serialised = JSON.stringify(body);
    if (lastAttempt.current?.body !== serialised) lastAttempt.current = { body: serialised, key: newIdempotencyKey() };
    setBusy(true);
    setError(null);
    try {
      const data = await users.addStaff(body, lastAttempt.current.key);
      setEmail('');
      onAdded(`${data.email} was added as ${ROLE_LABELS[role]}. A link to choose a password was mailed to them.`);
    } catch (caught) {
      setError(toApiError(caught));
    } finally {
      setBusy(false);
    }
  }

  const hasFieldErrors = Object.keys(fieldErrors).length > 0;
  return (
    <form className="card" onSubmit={submit} noValidate>
      <div className="card-header">
        <h2>Add a staff member</h2>
      </div>
      <div className="card-body form">
        <p className="muted">
          Creates their account and mails them a link to choose a password (it works once, for 72 hours). They set up an authenticator app at their first
          sign-in. For someone who already has an account, change the role on their page instead.
        </p>
        {!(hasFieldErrors && !mapped.hasUnmatched) && <ErrorAlert error={error} />}
        <div className="form-grid">
          <Field id="staff-email" label="Email" error={fieldErrors.email}>
            <input
              id="staff-email"
              className="input"
              type="email"
              autoComplete="off"
              value={email}
              maxLength={320}
              onChange={(event) => setEmail(event.target.value)}
              aria-invalid={fieldErrors.email ? true : undefined}
              aria-describedby={describedBy('staff-email')}
            />
          </Field>
          <Field id="staff-role" label="Role" error={fieldErrors.role} hint={ROLE_DESCRIPTIONS[role]}>
            <select id="staff-role" className="select" value={role} onChange={(event) => setRole(event.target.value as PlatformRole)} aria-describedby={describedBy('staff-role')}>
              {PLATFORM_ROLES.map((option) => (
                <option key={option} value={option}>
                  {ROLE_LABELS[option]}
                </option>
              ))}
            </select>
          </Field>
        </div>
        {typeof error?.problem.userId === 'string' && (
          <p>
            <Link to={`/people/users/${error.problem.userId}`}>
              Open the existing account
            </Link>
          </p>
        )}
      </div>
      <div className="card-footer">
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? 'Adding…' : 'Add staff member'}
        </button>
      </div>
    </form>
  );
}
