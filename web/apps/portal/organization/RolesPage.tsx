// The tenant's roles: the built-in ones (fixed, shown with what they allow) and the tenant's custom
// roles, which can be created, edited and deleted (a role someone still has cannot be deleted).
import { useState } from 'react';
import { Link, useLocation } from 'react-router';
import { ConfirmDialog } from '../../../shared/components/ConfirmDialog.js';
import { DangerRowButton } from '../../../shared/components/DangerRowButton.js';
import { ErrorAlert } from '../../../shared/components/ErrorAlert.js';
import { ResourceTableCard } from '../../../shared/components/ResourceTableCard.js';
import { SuccessNotice } from '../../../shared/components/SuccessNotice.js';
import { useConfirmation } from '../../../shared/components/use-confirmation.js';
import { useOrganizationAccess } from './access.js';
import { StatementSummary } from './StatementSummary.js';
import type { Role } from '../../../shared/tenant-access/tenant-roles.js';
import { useRoles } from '../../../shared/features/identity/use-tenant-access.js';

export function RolesPage({ tenantId }: { tenantId: string }) {
  const { can } = useOrganizationAccess();
  const location = useLocation();
  const roles = useRoles(tenantId);
  const [notice, setNotice] = useState<string | null>(((location.state as { notice?: unknown } | null)?.notice as string | undefined) ?? null);
  const remove = useConfirmation<Role>(async (role, close) => {
    await roles.remove(role.id);
    setNotice(`The role ${role.name} is deleted.`);
    close();
    await roles.reload();
  });

  const builtin = (roles.data ?? []).filter((role) => role.builtin);
  const custom = (roles.data ?? []).filter((role) => !role.builtin);
  return (
    <div className="org-page">
      <SuccessNotice message={notice} />
      <ErrorAlert error={roles.error} />
      <ResourceTableCard
        title="Custom roles"
        description="Roles of your own: named sets of statements that allow or deny actions. Changes apply from each holder’s next request."
        actions={
          can('identity:role.create') && (
            <Link to="/organization/roles/new" className="button button-primary">
              New role
            </Link>
          )
        }
        busy={roles.loading}
        columns={['Name', 'What it allows', '']}
        empty={!roles.loading && custom.length === 0 && !roles.error && 'No custom roles yet.'}
      >
        {custom.map((role) => (
          <tr key={role.id}>
            <td>
              <strong>{role.name}</strong>
              {role.description && <div className="muted">{role.description}</div>}
              <div className="faint mono">{role.id}</div>
            </td>
            <td>
              <StatementSummary statements={role.statements} />
            </td>
            <td>
              <div className="row-actions">
                {can('identity:role.update') && (
                  <Link to={`/organization/roles/${role.id}`} className="button">
                    Edit
                  </Link>
                )}
                {can('identity:role.delete') && (
                  <DangerRowButton onClick={() => remove.ask(role)}>
                    Delete
                  </DangerRowButton>
                )}
              </div>
            </td>
          </tr>
        ))}
      </ResourceTableCard>
      <ResourceTableCard
        title="Built-in roles"
        description={<>Defined by Platforma; they cannot be changed. {'${tenant}'} stands for this organisation.</>}
        columns={['Role', 'Description', 'Statements']}
      >
        {builtin.map((role) => (
          <tr key={role.id}>
            <td>
              <strong>{role.name}</strong>
            </td>
            <td className="muted">{role.description}</td>
            <td>
              <StatementSummary statements={role.statements} />
            </td>
          </tr>
        ))}
      </ResourceTableCard>
      <ConfirmDialog
        {...remove.dialog}
        title={`Delete the role ${remove.target?.name ?? ''}?`}
        confirmLabel="Delete role"
        tone="danger"
      >
        <p className="muted">The role and its statements are gone for good. A role that members, keys or clients still have cannot be deleted: give them another role first.</p>
      </ConfirmDialog>
    </div>
  );
}
