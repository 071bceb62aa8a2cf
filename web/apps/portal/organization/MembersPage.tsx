// The tenant's members with their roles: change a role, remove someone (which ends their sessions
// in this tenant at once, so it is confirmed first), and add a person who already has an account.
import { useState } from 'react';
import { toApiError, type ApiError } from '../../../shared/api/problem.js';
import { ConfirmDialog } from '../../../shared/components/ConfirmDialog.js';
import { ResourceTableCard } from '../../../shared/components/ResourceTableCard.js';
import { SuccessNotice } from '../../../shared/components/SuccessNotice.js';
import { useConfirmation } from '../../../shared/components/use-confirmation.js';
import { useOrganizationAccess } from './access.js';
import { MemberRow, type TenantMember } from '../../../shared/tenant-access/MemberRow.js';
import { useTenantRoles } from '../../../shared/tenant-access/tenant-roles.js';
import { useTenantMembers } from '../../../shared/features/identity/use-tenant-access.js';

type Member = TenantMember;

export function MembersPage({ tenantId, organizationName }: { tenantId: string; organizationName: string | null }) {
  const { can } = useOrganizationAccess();
  const roles = useTenantRoles(tenantId, can('identity:role.list'));
  const members = useTenantMembers(tenantId);
  const [notice, setNotice] = useState<string | null>(null);
  const [rowError, setRowError] = useState<ApiError | null>(null);
  const [pendingRoles, setPendingRoles] = useState<Record<string, string>>({});
  const [savingRole, setSavingRole] = useState<string | null>(null);
  const remove = useConfirmation<Member>(async (member, close) => {
    await members.remove(member.userId);
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
      await members.changeRole(member.userId, role);
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
    <div className="org-page">
      <SuccessNotice message={notice} />
      <ResourceTableCard
        title="Members"
        description="Everyone who works in this organisation, and their role. Role changes apply from the member’s next request."
        error={members.error ?? rowError}
        busy={members.loading}
        columns={['Name', 'Email', 'Role', 'Member since', '']}
        empty={!members.loading && members.data?.length === 0 && 'No members yet.'}
      >
        {(members.data ?? []).map((member) => (
          <MemberRow
            key={member.userId}
            member={member}
            roles={roles}
            pickedRole={pendingRoles[member.userId]}
            onPickRole={can('identity:member.update') ? (role) => setPendingRoles((current) => ({ ...current, [member.userId]: role })) : undefined}
            saving={savingRole === member.userId}
            onSaveRole={(chosen) => void changeRole(chosen)}
            onRemove={can('identity:member.delete') ? remove.ask : undefined}
          />
        ))}
      </ResourceTableCard>
      <ConfirmDialog
        {...remove.dialog}
        title={`Remove ${remove.target?.email ?? ''}?`}
        confirmLabel="Remove member"
        tone="danger"
      >
        <p className="muted">
          They lose access to {organizationName ?? 'this organisation'} at once: every session they have in it ends now, even in the middle of their work. Their account
          itself stays, and so do their memberships elsewhere. You can invite them again later.
        </p>
      </ConfirmDialog>
    </div>
  );
}
