// A tenant's people, as the operator sees them on its page: who is a member (and with which role),
// who is invited and has not answered yet, and the means to invite, send an invitation again,
// revoke one, change a role or remove someone. Each button shows only when the operator's own
// policies allow it (asked of the server); the server still decides, e.g. a tenant always keeps
// an owner.
import { useState } from 'react';
import { toApiError, type ApiError } from '../../../shared/api/problem.js';
import { useAllowed } from '../../../shared/authz.js';
import { ConfirmDialog } from '../../../shared/components/ConfirmDialog.js';
import { DangerRowButton } from '../../../shared/components/DangerRowButton.js';
import { ResourceTableCard } from '../../../shared/components/ResourceTableCard.js';
import { SuccessNotice } from '../../../shared/components/SuccessNotice.js';
import { useConfirmation } from '../../../shared/components/use-confirmation.js';
import { formatDateTime } from '../../../shared/format.js';
import { EmailRoleForm } from '../../../shared/tenant-access/EmailRoleForm.js';
import { MemberRow } from '../../../shared/tenant-access/MemberRow.js';
import { useTenantRoles } from '../../../shared/tenant-access/tenant-roles.js';
import { useTenantInvitations, useTenantMembers, type Invitation, type TenantMember } from '../../../shared/features/identity/use-tenant-access.js';

type Member = TenantMember;

/** Not answered yet: open, or expired (which a resend opens again). Accepted ones are members now. */
const isPending = (invitation: Invitation) => invitation.status === 'open' || invitation.status === 'expired';

interface TenantMembersProps {
  tenantId: string;
  organizationName: string;
  /** After every change, so the page's audit trail shows the entry it made. */
  onChanged(): void;
}

export function TenantMembers({ tenantId, organizationName, onChanged }: TenantMembersProps) {
  const on = (type: string) => `prn:${tenantId}:${type}/*`;
  const may = {
    listMembers: useAllowed('identity:member.list', on('member')),
    listInvitations: useAllowed('identity:invitation.list', on('invitation')),
    invite: useAllowed('identity:invitation.create', on('invitation')),
    resend: useAllowed('identity:invitation.resend', on('invitation')),
    revoke: useAllowed('identity:invitation.delete', on('invitation')),
    changeRole: useAllowed('identity:member.update', on('member')),
    remove: useAllowed('identity:member.delete', on('member')),
  };
  const roles = useTenantRoles(tenantId, true);
  const members = useTenantMembers(tenantId);
  const invitations = useTenantInvitations(tenantId);
  const [notice, setNotice] = useState<string | null>(null);
  const [rowError, setRowError] = useState<ApiError | null>(null);
  const [pendingRoles, setPendingRoles] = useState<Record<string, string>>({});
  const [busyRow, setBusyRow] = useState<string | null>(null);

  async function done(message: string) {
    setNotice(message);
    setRowError(null);
    onChanged();
    await Promise.all([members.reload(), invitations.reload()]);
  }

  /** One row's action (resend, change role): the row shows it is busy; a refusal is shown above the lists. */
  async function inRow(rowId: string, action: () => Promise<void>) {
    setBusyRow(rowId);
    setRowError(null);
    setNotice(null);
    try {
      await action();
    } catch (caught) {
      setRowError(toApiError(caught));
    } finally {
      setBusyRow(null);
    }
  }

  const resend = (invitation: Invitation) =>
    inRow(invitation.id, async () => {
      const data = await invitations.resend(invitation.id);
      await done(`A new invitation link is on its way to ${data.email}; the one sent before no longer works. It expires ${formatDateTime(data.expiresAt)}.`);
    });

  const changeRole = (member: Member) =>
    inRow(member.userId, async () => {
      const role = pendingRoles[member.userId];
      if (!role || role === member.role) return;
      await members.changeRole(member.userId, role);
      setPendingRoles(({ [member.userId]: _done, ...rest }) => rest);
      await done(`${member.email} now has the role ${roles.nameOf(role)}. It applies from their next request.`);
    });

  const revoke = useConfirmation<Invitation>(async (invitation, close) => {
    await invitations.revoke(invitation.id);
    close();
    await done(`The invitation to ${invitation.email} is revoked; its link no longer works.`);
  });

  const remove = useConfirmation<Member>(async (member, close) => {
    await members.remove(member.userId);
    close();
    await done(`${member.email} is no longer a member of ${organizationName}; their sessions in it have ended.`);
  });

  const pending = (invitations.data ?? []).filter(isPending);
  // Staff whose role reads neither list (billing operators) see no section at all.
  if (may.listMembers === false && may.listInvitations === false) return null;
  return (
    <section className="stack" aria-label="Members and invitations">
      <SuccessNotice message={notice} />
      {may.listMembers !== false && (
        <ResourceTableCard
          title="Members"
          description="Everyone who works in this tenant, and their role. A tenant always keeps at least one owner; role changes apply from the member’s next request."
          error={members.error ?? rowError}
          busy={members.loading}
          columns={['Name', 'Email', 'Role', 'Joined', '']}
          empty={!members.loading && members.data?.length === 0 && 'No members yet: the people invited below become members when they accept.'}
        >
          {(members.data ?? []).map((member) => (
            <MemberRow
              key={member.userId}
              member={member}
              roles={roles}
              pickedRole={pendingRoles[member.userId]}
              onPickRole={may.changeRole ? (role) => setPendingRoles((current) => ({ ...current, [member.userId]: role })) : undefined}
              saving={busyRow === member.userId}
              onSaveRole={(chosen) => void changeRole(chosen)}
              onRemove={may.remove ? remove.ask : undefined}
            />
          ))}
        </ResourceTableCard>
      )}

      {may.listInvitations !== false && (
        <ResourceTableCard
          title="Pending invitations"
          description="Sent and not answered yet. Sending one again mails a new link that works for 7 days; the link sent before stops working."
          error={invitations.error}
          busy={invitations.loading}
          columns={['Email', 'Role', 'Invited by', 'Last sent', 'Expires', 'Status', '']}
          empty={!invitations.loading && pending.length === 0 && 'No invitations waiting for an answer.'}
        >
          {pending.map((invitation) => (
            <tr key={invitation.id}>
              <td>{invitation.email}</td>
              <td>{roles.nameOf(invitation.role)}</td>
              <td className="muted" title={invitation.invitedBy}>
                {invitation.invitedByName ?? invitation.invitedBy}
              </td>
              <td className="muted">
                {formatDateTime(invitation.lastSentAt)}
                {invitation.sendCount > 1 && <span className="faint"> ({invitation.sendCount} times)</span>}
              </td>
              <td className="muted">{formatDateTime(invitation.expiresAt)}</td>
              <td>
                <span className={`badge badge-${invitation.status}`}>
                  {invitation.status}
                </span>
              </td>
              <td>
                <div className="row-actions">
                  {may.resend && (
                    <button type="button" className="button" disabled={busyRow === invitation.id} onClick={() => void resend(invitation)}>
                      {busyRow === invitation.id ? 'Sending…' : 'Resend'}
                    </button>
                  )}
                  {may.revoke && invitation.status === 'open' && (
                    <DangerRowButton onClick={() => revoke.ask(invitation)}>
                      Revoke
                    </DangerRowButton>
                  )}
                </div>
              </td>
            </tr>
          ))}
        </ResourceTableCard>
      )}

      {may.invite && (
        <EmailRoleForm
          prefix="tenant-invite"
          title="Invite someone to this tenant"
          description="They get an email with a link to join with this role; it works once and expires in 7 days. Inviting an address again replaces its open invitation."
          submitLabel="Send invitation"
          busyLabel="Sending…"
          options={roles.options}
          send={invitations.invite}
          onDone={(invitation) => done(`An invitation to join as ${roles.nameOf(invitation.role)} is on its way to ${invitation.email}.`)}
        />
      )}

      <ConfirmDialog {...revoke.dialog} title={`Revoke the invitation to ${revoke.target?.email ?? ''}?`} confirmLabel="Revoke invitation" tone="danger">
        <p className="muted">The link in their email stops working at once. They can be invited again later.</p>
      </ConfirmDialog>
      <ConfirmDialog {...remove.dialog} title={`Remove ${remove.target?.email ?? ''} from ${organizationName}?`} confirmLabel="Remove member" tone="danger">
        <p className="muted">
          They lose access to {organizationName} at once: every session they have in it ends now. Their account and their memberships elsewhere stay. They can be invited again
          later.
        </p>
      </ConfirmDialog>
    </section>
  );
}
