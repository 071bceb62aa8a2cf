// The tenant's roles: the built-in ones (fixed, shown with what they allow) and the tenant's custom
// roles, which can be created, edited and deleted (a role someone still has cannot be deleted).
import { useCallback, useState } from 'react';
import { Link, useLocation } from 'react-router';
import { api, unwrap } from '../../../shared/api/client.js';
import { toApiError, type ApiError } from '../../../shared/api/problem.js';
import { ConfirmDialog } from '../../../shared/components/ConfirmDialog.js';
import { ErrorAlert } from '../../../shared/components/ErrorAlert.js';
import { useOrganizationAccess } from './access.js';
import { StatementSummary } from './StatementSummary.js';
import type { Role } from './tenant-roles.js';
import { useLoaded } from './loaded.js';

export function RolesPage({ tenantId }: { tenantId: string }) {
  const { can } = useOrganizationAccess();
  const location = useLocation();
  const load = useCallback(async () => (await unwrap(api.GET('/api/v1/tenants/{id}/roles', { params: { path: { id: tenantId } } }))).data.data, [tenantId]);
  const roles = useLoaded<Role[]>(load);
  const [notice, setNotice] = useState<string | null>(((location.state as { notice?: unknown } | null)?.notice as string | undefined) ?? null);
  const [deleting, setDeleting] = useState<Role | null>(null);
  const [deleteError, setDeleteError] = useState<ApiError | null>(null);
  const [deleteBusy, setDeleteBusy] = useState(false);

  async function remove() {
    if (!deleting) return;
    setDeleteBusy(true);
    setDeleteError(null);
    try {
      await unwrap(api.DELETE('/api/v1/tenants/{id}/roles/{roleId}', { params: { path: { id: tenantId, roleId: deleting.id } } }));
      setNotice(`The role ${deleting.name} is deleted.`);
      setDeleting(null);
      await roles.reload();
    } catch (caught) {
      setDeleteError(toApiError(caught));
    } finally {
      setDeleteBusy(false);
    }
  }

  const builtin = (roles.data ?? []).filter((role) => role.builtin);
  const custom = (roles.data ?? []).filter((role) => !role.builtin);
  return (
    <div className="org-page" data-testid="roles-page">
      {notice && (
        <div className="alert alert-success" role="status" data-testid="roles-notice">
          {notice}
        </div>
      )}
      <ErrorAlert error={roles.error} testId="roles-error" />
      <section className="card">
        <div className="card-header">
          <div>
            <h2>Custom roles</h2>
            <p>Roles of your own: named sets of statements that allow or deny actions. Changes apply from each holder’s next request.</p>
          </div>
          {can('identity:role.create') && (
            <Link to="/organization/roles/new" className="button button-primary" data-testid="new-role">
              New role
            </Link>
          )}
        </div>
        <div className="table-wrap">
          <table className="table" aria-busy={roles.loading}>
            <thead>
              <tr>
                <th>Name</th>
                <th>What it allows</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {custom.map((role) => (
                <tr key={role.id} data-testid="custom-role-row" data-name={role.name}>
                  <td>
                    <strong>{role.name}</strong>
                    {role.description && <div className="muted">{role.description}</div>}
                    <div className="faint mono">{role.id}</div>
                  </td>
                  <td>
                    <StatementSummary statements={role.statements} testId="custom-role-statements" />
                  </td>
                  <td>
                    <div className="row-actions">
                      {can('identity:role.update') && (
                        <Link to={`/organization/roles/${role.id}`} className="button" data-testid="role-edit">
                          Edit
                        </Link>
                      )}
                      {can('identity:role.delete') && (
                        <button
                          type="button"
                          className="button button-danger-outline"
                          onClick={() => {
                            setDeleteError(null);
                            setDeleting(role);
                          }}
                          data-testid="role-delete"
                        >
                          Delete
                        </button>
                      )}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {!roles.loading && custom.length === 0 && !roles.error && <div className="table-empty">No custom roles yet.</div>}
        </div>
      </section>
      <section className="card">
        <div className="card-header">
          <div>
            <h2>Built-in roles</h2>
            <p>Defined by Platforma; they cannot be changed. {'${tenant}'} stands for this organisation.</p>
          </div>
        </div>
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th>Role</th>
                <th>Description</th>
                <th>Statements</th>
              </tr>
            </thead>
            <tbody>
              {builtin.map((role) => (
                <tr key={role.id} data-testid="builtin-role-row" data-name={role.name}>
                  <td>
                    <strong>{role.name}</strong>
                  </td>
                  <td className="muted">{role.description}</td>
                  <td>
                    <StatementSummary statements={role.statements} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <ConfirmDialog
        open={deleting !== null}
        title={`Delete the role ${deleting?.name ?? ''}?`}
        confirmLabel="Delete role"
        tone="danger"
        busy={deleteBusy}
        error={deleteError}
        testId="delete-role-dialog"
        onConfirm={remove}
        onCancel={() => setDeleting(null)}
      >
        <p className="muted">The role and its statements are gone for good. A role that members, keys or clients still have cannot be deleted: give them another role first.</p>
      </ConfirmDialog>
    </div>
  );
}
