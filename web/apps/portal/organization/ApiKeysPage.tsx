// The organisation's service API keys: programs authenticate with them (Authorization: Bearer) and
// act with the key's role, narrowed by its scopes. The secret is shown once, at creation; revoking
// refuses the key from its very next call.
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
import { useTenantApiKeys, type CreatedTenantApiKey, type TenantApiKey, type TenantApiKeyInput } from '../../../shared/features/identity/use-tenant-access.js';

type ApiKey = TenantApiKey;
type CreatedKey = CreatedTenantApiKey;
type KeyField = 'name' | 'role' | 'scopes' | 'expiresAt';

export function ApiKeysPage({ tenantId }: { tenantId: string }) {
  const { can } = useOrganizationAccess();
  const roles = useTenantRoles(tenantId, can('identity:role.list'));
  const keys = useTenantApiKeys(tenantId);
  const [created, setCreated] = useState<CreatedKey | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const revoke = useConfirmation<ApiKey>(async (key, close) => {
    await keys.revoke(key.id);
    setNotice(`The key ${key.name} (${key.prefix}…) is revoked; it is refused from now on.`);
    close();
    await keys.reload();
  });

  return (
    <div className="org-page">
      <SuccessNotice message={notice} />
      {created && (
        <SecretReveal title={`Your new key “${created.name}”`} secret={created.secret} onDone={() => setCreated(null)}>
          <p className="muted">
            Send it as <code>Authorization: Bearer &lt;key&gt;</code>. It acts with the role <strong>{roles.nameOf(created.role)}</strong>
            {created.scopes ? (
              <>
                , limited to <code>{created.scopes.join(', ')}</code>
              </>
            ) : null}
            {created.expiresAt ? `, until ${formatDateTime(created.expiresAt)}` : ', with no expiry'}.
          </p>
        </SecretReveal>
      )}
      {can('identity:api-key.create') && !created && (
        <CreateKeyForm
          create={keys.create}
          options={roles.options}
          onCreated={async (key) => {
            setNotice(null);
            setCreated(key);
            await keys.reload();
          }}
        />
      )}
      <ResourceTableCard
        title="Service API keys"
        description="Live keys of this organisation. Secrets are never shown again; the prefix helps you tell keys apart."
        error={keys.error}
        busy={keys.loading}
        columns={['Name', 'Key', 'Role', 'Scopes', 'Last used', 'Expires', 'Created', '']}
        empty={!keys.loading && keys.data?.length === 0 && 'No service API keys yet.'}
      >
        {(keys.data ?? []).map((key) => (
          <tr key={key.id}>
            <td>{key.name}</td>
            <td className="mono">{key.prefix}…</td>
            <td>{roles.nameOf(key.role)}</td>
            <td>{key.scopes ? <span className="chips">{key.scopes.map((scope) => <span key={scope} className="chip mono">{scope}</span>)}</span> : <span className="muted">All its role allows</span>}</td>
            <td className="muted">{key.lastUsedAt ? formatDateTime(key.lastUsedAt) : 'Never'}</td>
            <td className="muted">{key.expiresAt ? formatDateTime(key.expiresAt) : 'Never'}</td>
            <td className="muted">{formatDateTime(key.createdAt)}</td>
            <td>
              <div className="row-actions">
                {can('identity:api-key.delete') && (
                  <DangerRowButton onClick={() => revoke.ask(key)}>
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
        title={`Revoke the key ${revoke.target?.name ?? ''}?`}
        confirmLabel="Revoke key"
        tone="danger"
      >
        <p className="muted">
          Every program using <span className="mono">{revoke.target?.prefix}…</span> is refused from its very next call. This cannot be undone; a new key would have a new secret.
        </p>
      </ConfirmDialog>
    </div>
  );
}

function CreateKeyForm({ create, options, onCreated }: { create(body: TenantApiKeyInput, idempotencyKey: string): Promise<CreatedKey>; options: { value: string; label: string }[]; onCreated(key: CreatedKey): Promise<void> }) {
  const [name, setName] = useState('');
  const [role, setRole] = useState('read-only');
  const [scopes, setScopes] = useState('');
  const [expiresAt, setExpiresAt] = useState('');
  const [localError, setLocalError] = useState<string | null>(null);
  const { busy, error, run } = useSubmission();
  const idempotencyKeyFor = useIdempotencyKey();
  const mapped = error
    ? mapFieldErrors<KeyField>(error, (pointer) => {
        const field = topLevelField(pointer);
        return ['name', 'role', 'scopes', 'expiresAt'].includes(field) ? (field as KeyField) : undefined;
      })
    : null;
  // A scope error names the scope it is about (/scopes/1).
  const scopeError = error ? Object.entries(error.fieldErrors).find(([pointer]) => pointer.startsWith('/scopes/')) : undefined;
  const scopeMessage = scopeError ? `${parseList(scopes)[Number(scopeError[0].split('/')[2])] ?? 'A scope'}: ${mapped?.byField.scopes ?? scopeError[1]}` : mapped?.byField.scopes;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setLocalError(null);
    const expiry = expiresAt ? new Date(expiresAt) : null;
    if (expiry && Number.isNaN(expiry.getTime())) {
      setLocalError('Enter a date and time, or leave it empty for no expiry.');
      return;
    }
    const list = parseList(scopes);
    const body = { name: name.trim(), role, ...(list.length > 0 ? { scopes: list } : {}), ...(expiry ? { expiresAt: expiry.toISOString() } : {}) };
    await run(async () => {
      const data = await create(body, idempotencyKeyFor(body));
      setName('');
      setScopes('');
      setExpiresAt('');
      await onCreated(data);
    });
  }

  return (
    <FormCard
      title="Create a service API key"
      description="For programs acting for the organisation rather than for a person. A key never gets a stronger role than yours."
      error={error}
      mapped={mapped}
      busy={busy}
      submitLabel="Create key"
      busyLabel="Creating…"
      onSubmit={submit}
    >
      <Field id="api-key-name" label="Name" error={mapped?.byField.name} hint="What the key is for, e.g. “CI deploys”.">
        <input
          id="api-key-name"
          className="input"
          maxLength={100}
          value={name}
          onChange={(event) => setName(event.target.value)}
          aria-invalid={mapped?.byField.name ? true : undefined}
          aria-describedby={describedBy('api-key-name')}
        />
      </Field>
      <Field id="api-key-role" label="Role" error={mapped?.byField.role} hint="What the key may do, before scopes narrow it.">
        <RoleSelect id="api-key-role" value={role} options={options} onChange={setRole} />
      </Field>
      <Field id="api-key-scopes" label="Scopes" optional error={scopeMessage} hint="Action patterns separated by commas, e.g. tenants:tenant.read, billing:*. Empty: all its role allows.">
        <input
          id="api-key-scopes"
          className="input mono"
          value={scopes}
          onChange={(event) => setScopes(event.target.value)}
          aria-invalid={scopeMessage ? true : undefined}
          aria-describedby={describedBy('api-key-scopes')}
        />
      </Field>
      <Field id="api-key-expiresAt" label="Expires" optional error={localError ?? mapped?.byField.expiresAt} hint="Leave empty for a key that does not expire.">
        <input
          id="api-key-expiresAt"
          className="input"
          type="datetime-local"
          value={expiresAt}
          onChange={(event) => setExpiresAt(event.target.value)}
          aria-describedby={describedBy('api-key-expiresAt')}
        />
      </Field>
    </FormCard>
  );
}
