// Invitations by email: invite someone with a role (they get a single-use link that expires in 7
// days), see every invitation with its state, and revoke an open one.
import { useState, type FormEvent } from 'react';
import { api, unwrap } from '../../../shared/api/client.js';
import { toApiError, type ApiError } from '../../../shared/api/problem.js';
import type { paths } from '../../../shared/api/schema.js';
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

type Invitation = paths['/api/v1/tenants/{id}/invitations']['get']['responses'][200]['content']['application/json']['data'][number];
type InviteField = 'email' | 'role';

export function InvitationsPage({ tenantId }: { tenantId: string }) {
  const { can } = useOrganizationAccess();
  const roles = useTenantRoles(tenantId, can('identity:role.list'));
  const invitations = useResource(async () => (await unwrap(api.GET('/api/v1/tenants/{id}/invitations', { params: { path: { id: tenantId } } }))).data.data, [tenantId]);
  const [notice, setNotice] = useState<string | null>(null);
  const revoke = useConfirmation<Invitation>(async (invitation, close) => {
    await unwrap(api.DELETE('/api/v1/tenants/{id}/invitations/{invitationId}', { params: { path: { id: tenantId, invitationId: invitation.id } } }));
    setNotice(`The invitation to ${invitation.email} is revoked; its link no longer works.`);
    close();
    await invitations.reload();
  });

  return (
    <div className="org-page" data-testid="invitations-page">
      <SuccessNotice message={notice} testId="invitations-notice" />
      {can('identity:invitation.create') && (
        <InviteForm
          tenantId={tenantId}
          options={roles.options}
          onInvited={async (invitation) => {
            setNotice(`An invitation to join as ${roles.nameOf(invitation.role)} is on its way to ${invitation.email}.`);
            await invitations.reload();
          }}
        />
      )}
      <ResourceTableCard
        title="Invitations"
        description="Newest first. Inviting the same address again replaces its open invitation."
        error={invitations.error}
        errorTestId="invitations-error"
        busy={invitations.loading}
        columns={['Email', 'Role', 'Status', 'Invited by', 'Sent', 'Expires', '']}
        empty={!invitations.loading && invitations.data?.length === 0 && 'No invitations yet.'}
      >
        {(invitations.data ?? []).map((invitation) => (
          <tr key={invitation.id} data-testid="invitation-row" data-email={invitation.email}>
            <td>{invitation.email}</td>
            <td>{roles.nameOf(invitation.role)}</td>
            <td>
              <span className={`badge badge-${invitation.status}`} data-testid="invitation-status">
                {invitation.status}
              </span>
            </td>
            <td className="muted">{invitation.invitedBy}</td>
            <td className="muted">{formatDateTime(invitation.createdAt)}</td>
            <td className="muted">{formatDateTime(invitation.expiresAt)}</td>
            <td>
              <div className="row-actions">
                {invitation.status === 'open' && can('identity:invitation.delete') && (
                  <DangerRowButton onClick={() => revoke.ask(invitation)} testId="invitation-revoke">
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
        testId="revoke-invitation-dialog"
      >
        <p className="muted">The link in their email stops working at once. You can invite them again later.</p>
      </ConfirmDialog>
    </div>
  );
}

function InviteForm({ tenantId, options, onInvited }: { tenantId: string; options: { value: string; label: string }[]; onInvited(invitation: Invitation): Promise<void> }) {
  const [email, setEmail] = useState('');
  const [role, setRole] = useState('member');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const mapped = error ? mapFieldErrors<InviteField>(error, (pointer) => (['email', 'role'].includes(topLevelField(pointer)) ? (topLevelField(pointer) as InviteField) : undefined)) : null;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { data } = await unwrap(api.POST('/api/v1/tenants/{id}/invitations', { params: { path: { id: tenantId } }, body: { email: email.trim(), role } }));
      setEmail('');
      await onInvited(data);
    } catch (caught) {
      setError(toApiError(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card" onSubmit={submit} noValidate data-testid="invite-form">
      <div className="card-header">
        <div>
          <h2>Invite someone</h2>
          <p>They get an email with a link to join; it works once and expires in 7 days.</p>
        </div>
      </div>
      <div className="card-body form">
        {error && (!mapped || mapped.hasUnmatched || Object.keys(mapped.byField).length === 0) && <ErrorAlert error={error} testId="invite-error" />}
        <div className="form-grid">
          <Field id="invite-email" label="Email" error={mapped?.byField.email}>
            <input
              id="invite-email"
              className="input"
              type="email"
              autoComplete="off"
              value={email}
              onChange={(event) => setEmail(event.target.value)}
              aria-invalid={mapped?.byField.email ? true : undefined}
              aria-describedby={describedBy('invite-email')}
              data-testid="invite-email"
            />
          </Field>
          <Field id="invite-role" label="Role" error={mapped?.byField.role}>
            <select id="invite-role" className="select" value={role} onChange={(event) => setRole(event.target.value)} aria-describedby={describedBy('invite-role')} data-testid="invite-role">
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
        <button type="submit" className="button button-primary" disabled={busy} data-testid="invite-submit">
          {busy ? 'Sending…' : 'Send invitation'}
        </button>
      </div>
    </form>
  );
}
