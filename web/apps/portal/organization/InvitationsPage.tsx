// Invitations by email: invite someone with a role (they get a single-use link that expires in 7
// days), see every invitation with its state, send an unanswered one again (a new link) and
// revoke an open one.
import { useState } from 'react';
import { toApiError, type ApiError } from '../../../shared/api/problem.js';
import type { paths } from '../../../shared/api/schema.js';
import { ConfirmDialog } from '../../../shared/components/ConfirmDialog.js';
import { DangerRowButton } from '../../../shared/components/DangerRowButton.js';
import { ResourceTableCard } from '../../../shared/components/ResourceTableCard.js';
import { SuccessNotice } from '../../../shared/components/SuccessNotice.js';
import { useConfirmation } from '../../../shared/components/use-confirmation.js';
import { formatDateTime } from '../../../shared/format.js';
import { useOrganizationAccess } from './access.js';
import { EmailRoleForm } from '../../../shared/tenant-access/EmailRoleForm.js';
import { useTenantRoles } from '../../../shared/tenant-access/tenant-roles.js';
import { useTenantInvitations } from '../../../shared/features/identity/use-tenant-access.js';

type Invitation = paths['/api/v1/tenants/{id}/invitations']['get']['responses'][200]['content']['application/json']['data'][number];

export function InvitationsPage({ tenantId }: { tenantId: string }) {
  const { can } = useOrganizationAccess();
  const roles = useTenantRoles(tenantId, can('identity:role.list'));
  const invitations = useTenantInvitations(tenantId);
  const [notice, setNotice] = useState<string | null>(null);
  const [resendError, setResendError] = useState<ApiError | null>(null);
  const [resending, setResending] = useState<string | null>(null);
  async function resend(invitation: Invitation) {
    setResending(invitation.id);
    setResendError(null);
    setNotice(null);
    try {
      const data = await invitations.resend(invitation.id);
      setNotice(`A new invitation link is on its way to ${data.email}; the one sent before no longer works.`);
      await invitations.reload();
    } catch (caught) {
      setResendError(toApiError(caught));
    } finally {
      setResending(null);
    }
  }
  const revoke = useConfirmation<Invitation>(async (invitation, close) => {
    await invitations.revoke(invitation.id);
    setNotice(`The invitation to ${invitation.email} is revoked; its link no longer works.`);
    close();
    await invitations.reload();
  });

  return (
    <div className="org-page">
      <SuccessNotice message={notice} />
      {can('identity:invitation.create') && (
        <EmailRoleForm
          prefix="invite"
          title="Invite someone"
          description="They get an email with a link to join; it works once and expires in 7 days."
          submitLabel="Send invitation"
          busyLabel="Sending…"
          options={roles.options}
          send={invitations.invite}
          onDone={async (invitation) => {
            setNotice(`An invitation to join as ${roles.nameOf(invitation.role)} is on its way to ${invitation.email}.`);
            await invitations.reload();
          }}
        />
      )}
      <ResourceTableCard
        title="Invitations"
        description="Newest first. Inviting the same address again replaces its open invitation; sending one again mails a new link and the old one stops working."
        error={invitations.error ?? resendError}
        busy={invitations.loading}
        columns={['Email', 'Role', 'Status', 'Invited by', 'Sent', 'Expires', '']}
        empty={!invitations.loading && invitations.data?.length === 0 && 'No invitations yet.'}
      >
        {(invitations.data ?? []).map((invitation) => (
          <tr key={invitation.id}>
            <td>{invitation.email}</td>
            <td>{roles.nameOf(invitation.role)}</td>
            <td>
              <span className={`badge badge-${invitation.status}`}>
                {invitation.status}
              </span>
            </td>
            <td className="muted" title={invitation.invitedBy}>
              {invitation.invitedByName ?? invitation.invitedBy}
            </td>
            <td className="muted">{formatDateTime(invitation.lastSentAt)}</td>
            <td className="muted">{formatDateTime(invitation.expiresAt)}</td>
            <td>
              <div className="row-actions">
                {(invitation.status === 'open' || invitation.status === 'expired') && can('identity:invitation.resend') && (
                  <button type="button" className="button" disabled={resending === invitation.id} onClick={() => void resend(invitation)}>
                    {resending === invitation.id ? 'Sending…' : 'Resend'}
                  </button>
                )}
                {invitation.status === 'open' && can('identity:invitation.delete') && (
                  <DangerRowButton onClick={() => revoke.ask(invitation)}>
                    Revoke
                  </DangerRowButton>
                )}
              </div>
            </td>
          </tr>
        ))}
      </ResourceTableCard>
      <ConfirmDialog
        {...revoke.dialog}
        title={`Revoke the invitation to ${revoke.target?.email ?? ''}?`}
        confirmLabel="Revoke invitation"
        tone="danger"
      >
        <p className="muted">The link in their email stops working at once. You can invite them again later.</p>
      </ConfirmDialog>
    </div>
  );
}
