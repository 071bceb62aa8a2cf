// The tenant's members with their roles: change a role, remove someone (which ends their sessions
// in this tenant at once, so it is confirmed first), and add a person who already has an account.
import { useState } from 'react';
import { api, unwrap } from '../../../shared/api/client.js';
import { toApiError, type ApiError } from '../../../shared/api/problem.js';
import { useResource } from '../../../shared/api/use-resource.js';
import { ConfirmDialog } from '../../../shared/components/ConfirmDialog.js';
import { DangerRowButton } from '../../../shared/components/DangerRowButton.js';
import { ResourceTableCard } from '../../../shared/components/ResourceTableCard.js';
import { SuccessNotice } from '../../../shared/components/SuccessNotice.js';
import { useConfirmation } from '../../../shared/components/use-confirmation.js';
import { formatDateTime } from '../../../shared/format.js';
import { useOrganizationAccess } from './access.js';
import { useTenantRoles, withCurrentRole } from '../../../shared/tenant-access/tenant-roles.js';

interface Member {
  userId: string;
  email: string;
  name: string | null;
  role: string;
  joinedAt: string;
}

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
        columns={['Name', 'Email', 'Role', 'Member since', '']}
        empty={!members.loading && members.data?.length === 0 && 'No members yet.'}
      >
        {(members.data ?? []).map((member) => {
          const pending = pendingRoles[member.userId];
          const changed = pending !== undefined && pending !== member.role;
          return (
            <tr key={member.userId} data-testid="member-row" data-email={member.email}>
              <td data-testid="member-name">{member.name ?? <span className="faint">—</span>}</td>
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
                    {withCurrentRole(roles.options, member.role, roles.nameOf).map((option) => (
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
      <ConfirmDialog
        {...remove.dialog}
        title={`Remove ${remove.target?.email ?? ''}?`}
        confirmLabel="Remove member"
        tone="danger"
        testId="remove-member-dialog"
      >
        <p className="muted">
          They lose access to {organizationName ?? 'this organisation'} at once: every session they have in it ends now, even in the middle of their work. Their account
          itself stays, and so do their memberships elsewhere. You can invite them again later.
        </p>
      </ConfirmDialog>
    </div>
  );
}
