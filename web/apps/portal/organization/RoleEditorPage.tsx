// Creates a custom role (/organization/roles/new) or edits one (/organization/roles/<id>): its
// name, description and policy. The server checks the policy; its errors appear inline.
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { toApiError, type ApiError } from '../../../shared/api/problem.js';
import { ErrorAlert } from '../../../shared/components/ErrorAlert.js';
import { Field, describedBy } from '../../../shared/components/Field.js';
import { LoadingScreen } from '../../../shared/components/LoadingScreen.js';
import { mapFieldErrors, newIdempotencyKey } from '../../../shared/forms.js';
import { useOrganizationAccess } from './access.js';
import { NoAccess } from './NoAccess.js';
import { PolicyEditor, newStatement, toDraft, toStatement, type DraftStatement } from './PolicyEditor.js';
import { PolicyTester } from './PolicyTester.js';
import { listTenantRoles, useRoleActions } from '../../../shared/features/identity/use-tenant-access.js';

interface Draft {
  name: string;
  description: string;
  statements: DraftStatement[];
}

export function RoleEditorPage({ tenantId }: { tenantId: string }) {
  const { roleId } = useParams();
  const { access, can } = useOrganizationAccess();
  const navigate = useNavigate();
  const creating = roleId === undefined;
  const [draft, setDraft] = useState<Draft | null>(creating ? { name: '', description: '', statements: [newStatement()] } : null);
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const lastAttempt = useRef<{ body: string; key: string } | null>(null);
  const roleActions = useRoleActions(tenantId);
  const titleId = useId();

  useEffect(() => {
    if (creating) return;
    let cancelled = false;
    listTenantRoles(tenantId)
      .then((roles) => {
        if (cancelled) return;
        const role = roles.find((r) => r.id === roleId && !r.builtin);
        if (!role) {
          setLoadError(toApiError(undefined));
          return;
        }
        setDraft({ name: role.name, description: role.description, statements: role.statements.map(toDraft) });
      })
      .catch((caught: unknown) => {
        if (!cancelled) setLoadError(toApiError(caught));
      });
    return () => {
      cancelled = true;
    };
  }, [creating, roleId, tenantId]);

  if (!can(creating ? 'identity:role.create' : 'identity:role.update')) {
    return <NoAccess organizationName={access.status === 'loaded' ? access.organizationName : null} hasTenant />;
  }
  if (loadError) {
    return (
      <div className="org-page">
        {loadError.status === 0 ? (
          <div className="alert alert-error" role="alert">
            There is no custom role {roleId} in this organisation. <Link to="/organization/roles">Back to roles</Link>
          </div>
        ) : (
          <ErrorAlert error={loadError} />
        )}
      </div>
    );
  }
  if (!draft) return <LoadingScreen />;

  // Every message by pointer, in plain sentences.
  const errors = error ? mapFieldErrors<string>(error, (pointer) => pointer).byField : {};
  const fieldErrorCount = Object.keys(errors).length;

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!draft) return;
    const body = { name: draft.name.trim(), description: draft.description.trim(), statements: draft.statements.map(toStatement) };
    setBusy(true);
    setError(null);
    try {
      if (creating) {
        const serialised = JSON.stringify(body);
        if (lastAttempt.current?.body !== serialised) lastAttempt.current = { body: serialised, key: newIdempotencyKey() };
        const data = await roleActions.create(body, lastAttempt.current.key);
        navigate('/organization/roles', { state: { notice: `The role ${data.name} is created. Give it to members on the Members page.` } });
      } else {
        const data = await roleActions.update(roleId ?? '', body);
        navigate('/organization/roles', { state: { notice: `The role ${data.name} is saved. It applies from each holder’s next request.` } });
      }
    } catch (caught) {
      setError(toApiError(caught));
      setBusy(false);
    }
  }

  const current = draft;
  return (
    <div className="org-page">
      <form className="card" onSubmit={submit} noValidate aria-labelledby={titleId}>
        <div className="card-header">
          <div>
            <h2 id={titleId}>{creating ? 'New custom role' : `Edit ${draft.name}`}</h2>
            <p>A request is allowed when some statement allows it and none denies it; anything no statement allows is denied.</p>
          </div>
        </div>
        <div className="card-body form">
          {error &&
            (fieldErrorCount > 0 ? (
              <div className="alert alert-error" role="alert">
                {error.problem.detail} Corrections are marked below.
              </div>
            ) : (
              <ErrorAlert error={error} />
            ))}
          <div className="form-grid">
            <Field id="role-name" label="Name" error={errors['/name']} hint="Up to 64 characters; not the name of a built-in role.">
              <input
                id="role-name"
                className="input"
                maxLength={64}
                value={draft.name}
                onChange={(event) => setDraft({ ...draft, name: event.target.value })}
                aria-invalid={errors['/name'] ? true : undefined}
                aria-describedby={describedBy('role-name')}
              />
            </Field>
            <Field id="role-description" label="Description" optional error={errors['/description']}>
              <input
                id="role-description"
                className="input"
                maxLength={500}
                value={draft.description}
                onChange={(event) => setDraft({ ...draft, description: event.target.value })}
                aria-describedby={describedBy('role-description')}
              />
            </Field>
          </div>
          <PolicyEditor
            statements={draft.statements}
            onChange={(statements) => {
              // Removing a statement renumbers the ones after it: earlier messages would point at the wrong one.
              if (statements.length < draft.statements.length) setError(null);
              setDraft({ ...draft, statements });
            }}
            errors={errors}
            suggest={can('identity:action.list')}
            disabled={busy}
          />
        </div>
        <div className="card-footer">
          <Link to="/organization/roles" className="button">
            Cancel
          </Link>
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? 'Saving…' : creating ? 'Create role' : 'Save role'}
          </button>
        </div>
      </form>
      {can('identity:role.simulate') && <PolicyTester tenantId={tenantId} statements={() => current.statements.map(toStatement)} onDraftInvalid={setError} />}
    </div>
  );
}
