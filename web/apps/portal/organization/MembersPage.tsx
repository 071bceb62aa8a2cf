// The tenant's members with their roles: change a role, remove someone (which ends their sessions
// in this tenant at once, so it is confirmed first), and add a person who already has an account.
import { useState, type FormEvent } from 'react';
import { api, unwrap } from '../../../shared/api/client.js';
import { toApiError, type ApiError } from '../../../shared/api/problem.js';
import { useResource } from '../../../shared/api/use-resource.js';
import { ConfirmDialog } from '../../../shared/components/ConfirmDialog.js';
import { DangerRowButton } from '../../../shared/components/DangerRowButton.js';
import { ErrorAlert } from '../../../shared/components/ErrorAlert.js';
import { Field, describedBy } from '../../../shared/components/Field.js';
import { ResourceTableCard } from '../../../shared/components/ResourceTableCard.js';
import { SuccessNotice } from '../../../shared/components/SuccessNotice.js';
import { useConfirmation } from '../../../shared/components/use-confirmation.js';
import { formatDateTime } from '../../../shared/format.js';
import { mapFieldErrors, topLevelField } from '../../../shared/forms.js';
import { useOrganizationAccess } from './access.js';
import { useTenantRoles } from './tenant-roles.js';

interface Member {
  userId: string;
  email: string;
  role: string;
  joinedAt: string;
}

type AddField = 'email' | 'role';

export function MembersPage({ tenantId, organizationName }: { tenantId: string; organizationName: string | null }) {
  const { can } = useOrganizationAccess();
  const roles = useTenantRoles(tenantId, can('identity:role.list'));
  const members = useResource(async (): Promise<Member[]> => (await unwrap(api.GET('/api/v1/tenants/{id}/members', { params: { path: { id: tenantId } } }))).data.data, [tenantId]);
  const [notice, setNotice] = useState<string | null>(null);
  const [rowError, setRowError] = useState<ApiError | null>(null);
  const [pendingRoles, setPendingRoles] = useState<Record<string, string>>({});
  const [savingRole, setSavingRole] = useState<string | null>(null);
  const remove = useConfirmation<Member>(async (member, close) => {
    await unwrap(api.DELETE('/api/v1/tenants/{id}/members/{userId}', { params: { path: { id: tenantId, userId: member.userId } } }));
    setNotice(`${member.email} is no longer a member; their sessions in this organisation have ended.`);
    close();
    await members.reload();
  });

  async function changeRole(member: Member) {
    const role = pendingRoles[member.userId];
    if (!role || role === member.role) return;
    setSavingRole(member.userId);
    setRowError(null);
    setNotice(null);
    try {
      await unwrap(api.PUT('/api/v1/tenants/{id}/members/{userId}', { params: { path: { id: tenantId, userId: member.userId } }, body: { role } }));
      setPendingRoles(({ [member.userId]: _done, ...rest }) => rest);
      setNotice(`${member.email} now has the role ${roles.nameOf(role)}. It applies from their next request.`);
      await members.reload();
    } catch (caught) {
      setRowError(toApiError(caught));
    } finally {
      setSavingRole(null);
    }
  }

  return (
    <div className="org-page" data-testid="members-page">
      <SuccessNotice message={notice} testId="members-notice" />
      <ResourceTableCard
        title="Members"
        description="Everyone who works in this organisation, and their role. Role changes apply from the member’s next request."
        error={members.error ?? rowError}
        errorTestId="members-error"
        busy={members.loading}
        columns={['Email', 'Role', 'Member since', '']}
        empty={!members.loading && members.data?.length === 0 && 'No members yet.'}
      >
        {(members.data ?? []).map((member) => {
          const pending = pendingRoles[member.userId];
          const changed = pending !== undefined && pending !== member.role;
          return (
            <tr key={member.userId} data-testid="member-row" data-email={member.email}>
              <td data-testid="member-email">{member.email}</td>
              <td>
                {can('identity:member.update') ? (
                  <select
                    className="select inline-select"
                    aria-label={`Role of ${member.email}`}
                    value={pending ?? member.role}
                    onChange={(event) => setPendingRoles((current) => ({ ...current, [member.userId]: event.target.value }))}
                    data-testid="member-role"
                  >
                    {withCurrent(roles.options, member.role, roles.nameOf).map((option) => (
                      <option key={option.value} value={option.value}>
                        {option.label}
                      </option>
                    ))}
                  </select>
                ) : (
                  <span data-testid="member-role-name">{roles.nameOf(member.role)}</span>
                )}
              </td>
              <td className="muted">{formatDateTime(member.joinedAt)}</td>
              <td>
                <div className="row-actions">
                  {changed && (
                    <button type="button" className="button button-primary" disabled={savingRole === member.userId} onClick={() => changeRole(member)} data-testid="member-role-save">
                      {savingRole === member.userId ? 'Saving…' : 'Change role'}
                    </button>
                  )}
                  {can('identity:member.delete') && (
                    <DangerRowButton onClick={() => remove.ask(member)} testId="member-remove">
                      Remove
                    </DangerRowButton>
                  )}
                </div>
              </td>
            </tr>
          );
        })}
      </ResourceTableCard>
      {can('identity:member.create') && (
        <AddMemberForm
          tenantId={tenantId}
          options={roles.options}
          onAdded={async (member) => {
            setNotice(`${member.email} was added as ${roles.nameOf(member.role)}.`);
            await members.reload();
          }}
        />
      )}
      <ConfirmDialog
        {...remove.dialog}
        title={`Remove ${remove.target?.email ?? ''}?`}
        confirmLabel="Remove member"
        tone="danger"
        testId="remove-member-dialog"
      >
        <p className="muted">
          They lose access to {organizationName ?? 'this organisation'} at once: every session they have in it ends now, even in the middle of their work. Their account
          itself stays, and so do their memberships elsewhere. You can add or invite them again later.
        </p>
      </ConfirmDialog>
    </div>
  );
}

/** The role options, plus the member's current role if the list does not have it (it could not be read). */
function withCurrent(options: { value: string; label: string }[], current: string, nameOf: (role: string) => string) {
  return options.some((option) => option.value === current) ? options : [{ value: current, label: nameOf(current) }, ...options];
}

function AddMemberForm({ tenantId, options, onAdded }: { tenantId: string; options: { value: string; label: string }[]; onAdded(member: Member): Promise<void> }) {
  const [email, setEmail] = useState('');
  const [role, setRole] = useState('member');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const mapped = error ? mapFieldErrors<AddField>(error, (pointer) => (['email', 'role'].includes(topLevelField(pointer)) ? (topLevelField(pointer) as AddField) : undefined)) : null;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { data } = await unwrap(api.POST('/api/v1/tenants/{id}/members', { params: { path: { id: tenantId } }, body: { email: email.trim(), role } }));
      setEmail('');
      await onAdded(data);
    } catch (caught) {
      setError(toApiError(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card" onSubmit={submit} noValidate data-testid="add-member-form">
      <div className="card-header">
        <div>
          <h2>Add an existing account</h2>
          <p>For people who already have a Platforma account. Everyone else: send an invitation.</p>
        </div>
      </div>
      <div className="card-body form">
        {error && (!mapped || mapped.hasUnmatched || Object.keys(mapped.byField).length === 0) && <ErrorAlert error={error} testId="add-member-error" />}
        <div className="form-grid">
          <Field id="add-member-email" label="Email" error={mapped?.byField.email}>
            <input
              id="add-member-email"
              className="input"
              type="email"
              autoComplete="off"
              value={email}
              onChange={(event) => setEmail(event.target.value)}
              aria-invalid={mapped?.byField.email ? true : undefined}
              aria-describedby={describedBy('add-member-email')}
              data-testid="add-member-email"
            />
          </Field>
          <Field id="add-member-role" label="Role" error={mapped?.byField.role}>
            <select id="add-member-role" className="select" value={role} onChange={(event) => setRole(event.target.value)} aria-describedby={describedBy('add-member-role')} data-testid="add-member-role">
              {options.map((option) => (
                <option key={option.value} value={option.value}>
                  {option.label}
                </option>
              ))}
            </select>
          </Field>
        </div>
      </div>
      <div className="card-footer">
        <button type="submit" className="button button-primary" disabled={busy} data-testid="add-member-submit">
          {busy ? 'Adding…' : 'Add member'}
        </button>
      </div>
    </form>
  );
}
