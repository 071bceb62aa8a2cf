// The organisation's OAuth clients: register one (client credentials for programs, or
// authorization code for apps that act for a signed-in person), see its secret once with the
// issuer to configure it against, list them, and delete one (its tokens stop working at once).
import { useState, type FormEvent } from 'react';
import { ConfirmDialog } from '../../../shared/components/ConfirmDialog.js';
import { DangerRowButton } from '../../../shared/components/DangerRowButton.js';
import { Field, describedBy } from '../../../shared/components/Field.js';
import { FormCard } from '../../../shared/components/FormCard.js';
import { ResourceTableCard } from '../../../shared/components/ResourceTableCard.js';
import { SuccessNotice } from '../../../shared/components/SuccessNotice.js';
import { useConfirmation } from '../../../shared/components/use-confirmation.js';
import { formatDateTime } from '../../../shared/format.js';
import { mapFieldErrors, topLevelField, useIdempotencyKey } from '../../../shared/forms.js';
import { useSubmission } from '../../../shared/use-submission.js';
import { useOrganizationAccess } from './access.js';
import { parseList } from './lists.js';
import { RoleSelect } from '../../../shared/tenant-access/RoleSelect.js';
import { SecretReveal } from './SecretReveal.js';
import { useTenantRoles } from '../../../shared/tenant-access/tenant-roles.js';
import { useOAuthClients, type CreatedOAuthClient, type OAuthClient, type OAuthClientInput } from '../../../shared/features/identity/use-tenant-access.js';

type CreatedClient = CreatedOAuthClient;
type GrantType = OAuthClient['grantType'];
type ClientField = 'name' | 'grantType' | 'redirectUris' | 'scopes' | 'role';

const GRANT_LABELS: Record<GrantType, string> = {
  client_credentials: 'Client credentials (a program acting for the organisation)',
  authorization_code: 'Authorization code (an app acting for a signed-in person)',
};

export function OAuthClientsPage({ tenantId }: { tenantId: string }) {
  const { can } = useOrganizationAccess();
  const roles = useTenantRoles(tenantId, can('identity:role.list'));
  const clients = useOAuthClients(tenantId);
  const [created, setCreated] = useState<CreatedClient | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const remove = useConfirmation<OAuthClient>(async (client, close) => {
    await clients.remove(client.clientId);
    setNotice(`The client ${client.name} is deleted; its tokens no longer work.`);
    close();
    await clients.reload();
  });

  return (
    <div className="org-page">
      <SuccessNotice message={notice} />
      {created && (
        <SecretReveal title={`Client secret of “${created.name}”`} secret={created.clientSecret} onDone={() => setCreated(null)}>
          <dl className="details">
            <dt>Client id</dt>
            <dd className="mono">{created.clientId}</dd>
            <dt>Issuer</dt>
            <dd className="mono">{created.issuer}</dd>
            <dt>Discovery document</dt>
            <dd className="mono">{`${created.issuer}/.well-known/openid-configuration`}</dd>
            <dt>Grant type</dt>
            <dd>{created.grantType}</dd>
          </dl>
        </SecretReveal>
      )}
      {can('identity:oauth-client.create') && !created && (
        <RegisterClientForm
          register={clients.register}
          options={roles.options}
          onCreated={async (client) => {
            setNotice(null);
            setCreated(client);
            await clients.reload();
          }}
        />
      )}
      <ResourceTableCard
        title="OAuth clients"
        description="Applications registered with this organisation’s authorization server."
        error={clients.error}
        busy={clients.loading}
        columns={['Name', 'Client id', 'Grant type', 'Redirect URIs', 'Scopes', 'Role', 'Created', '']}
        empty={!clients.loading && clients.data?.length === 0 && 'No OAuth clients yet.'}
      >
        {(clients.data ?? []).map((client) => (
          <tr key={client.clientId}>
            <td>{client.name}</td>
            <td className="mono">{client.clientId}</td>
            <td>{client.grantType}</td>
            <td className="mono">{client.redirectUris.length > 0 ? client.redirectUris.join('\n') : '—'}</td>
            <td>
              <span className="chips">
                {client.scopes.map((scope) => (
                  <span key={scope} className="chip mono">
                    {scope}
                  </span>
                ))}
              </span>
            </td>
            <td>{client.role === null ? <span className="muted">The signed-in person’s</span> : roles.nameOf(client.role)}</td>
            <td className="muted">{formatDateTime(client.createdAt)}</td>
            <td>
              <div className="row-actions">
                {can('identity:oauth-client.delete') && (
                  <DangerRowButton onClick={() => remove.ask(client)}>
                    Delete
                  </DangerRowButton>
                )}
              </div>
            </td>
          </tr>
        ))}
      </ResourceTableCard>
      <ConfirmDialog
        {...remove.dialog}
        title={`Delete the client ${remove.target?.name ?? ''}?`}
        confirmLabel="Delete client"
        tone="danger"
      >
        <p className="muted">Every token, code and grant it holds stops working at once, and it can no longer get new ones. This cannot be undone.</p>
      </ConfirmDialog>
    </div>
  );
}

function RegisterClientForm({ register, options, onCreated }: { register(body: OAuthClientInput, idempotencyKey: string): Promise<CreatedClient>; options: { value: string; label: string }[]; onCreated(client: CreatedClient): Promise<void> }) {
  const [name, setName] = useState('');
  const [grantType, setGrantType] = useState<GrantType>('client_credentials');
  const [redirectUris, setRedirectUris] = useState('');
  const [scopes, setScopes] = useState('');
  const [role, setRole] = useState('read-only');
  const { busy, error, run } = useSubmission();
  const idempotencyKeyFor = useIdempotencyKey();
  const mapped = error
    ? mapFieldErrors<ClientField>(error, (pointer) => {
        const field = topLevelField(pointer);
        return ['name', 'grantType', 'redirectUris', 'scopes', 'role'].includes(field) ? (field as ClientField) : undefined;
      })
    : null;
  // Errors about one entry (/redirectUris/1, /scopes/0) say which entry.
  const entryMessage = (field: 'redirectUris' | 'scopes', entries: string[]) => {
    const entry = error ? Object.keys(error.fieldErrors).find((pointer) => pointer.startsWith(`/${field}/`)) : undefined;
    const message = mapped?.byField[field];
    if (!message || !entry) return message;
    return `${entries[Number(entry.split('/')[2])] ?? 'An entry'}: ${message}`;
  };
  const uriList = redirectUris
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');

  async function submit(event: FormEvent) {
    event.preventDefault();
    const scopeList = parseList(scopes);
    const body = {
      name: name.trim(),
      grantType,
      ...(grantType === 'authorization_code' ? { redirectUris: uriList } : { role }),
      ...(scopeList.length > 0 ? { scopes: scopeList } : {}),
    };
    await run(async () => {
      const data = await register(body, idempotencyKeyFor(body));
      setName('');
      setRedirectUris('');
      setScopes('');
      await onCreated(data);
    });
  }

  return (
    <FormCard
      title="Register an OAuth client"
      description="The client secret is shown once, right after registering."
      error={error}
      mapped={mapped}
      busy={busy}
      submitLabel="Register client"
      busyLabel="Registering…"
      onSubmit={submit}
    >
      <Field id="oauth-client-name" label="Name" error={mapped?.byField.name} hint="Shown to people on the consent screen.">
        <input
          id="oauth-client-name"
          className="input"
          maxLength={100}
          value={name}
          onChange={(event) => setName(event.target.value)}
          aria-invalid={mapped?.byField.name ? true : undefined}
          aria-describedby={describedBy('oauth-client-name')}
        />
      </Field>
      <Field id="oauth-client-grantType" label="Grant type" error={mapped?.byField.grantType}>
        <select
          id="oauth-client-grantType"
          className="select"
          value={grantType}
          onChange={(event) => setGrantType(event.target.value as GrantType)}
          aria-describedby={describedBy('oauth-client-grantType')}
        >
          {(Object.keys(GRANT_LABELS) as GrantType[]).map((grant) => (
            <option key={grant} value={grant}>
              {GRANT_LABELS[grant]}
            </option>
          ))}
        </select>
      </Field>
      {grantType === 'authorization_code' ? (
        <Field id="oauth-client-redirectUris" label="Redirect URIs" error={entryMessage('redirectUris', uriList)} hint="One per line, exact; https, or http on localhost." className="span-2">
          <textarea
            id="oauth-client-redirectUris"
            className="textarea mono"
            rows={3}
            value={redirectUris}
            onChange={(event) => setRedirectUris(event.target.value)}
            aria-invalid={entryMessage('redirectUris', uriList) ? true : undefined}
            aria-describedby={describedBy('oauth-client-redirectUris')}
          />
        </Field>
      ) : (
        <Field id="oauth-client-role" label="Role" error={mapped?.byField.role} hint="What its tokens may do, before scopes narrow it.">
          <RoleSelect id="oauth-client-role" value={role} options={options} onChange={setRole} />
        </Field>
      )}
      <Field id="oauth-client-scopes" label="Scopes" optional error={entryMessage('scopes', parseList(scopes))} hint="e.g. tenants:read, billing:write (service:read or service:write). Empty: every :read scope.">
        <input
          id="oauth-client-scopes"
          className="input mono"
          value={scopes}
          onChange={(event) => setScopes(event.target.value)}
          aria-invalid={entryMessage('scopes', parseList(scopes)) ? true : undefined}
          aria-describedby={describedBy('oauth-client-scopes')}
        />
      </Field>
    </FormCard>
  );
}
