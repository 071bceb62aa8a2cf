// Personal API keys: keys that act as you, in one organisation, with your role there (narrowed by
// the scopes you give them). The secret is shown once, right after creation; afterwards only its
// prefix identifies the key. Revoking one refuses it from the very next call.
import { useState, type FormEvent } from 'react';
import { toApiError, type ApiError } from '../api/problem.js';
import type { ApiKey, CreatedApiKey, Me } from '../api/types.js';
import { ConfirmDialog } from '../components/ConfirmDialog.js';
import { DangerRowButton } from '../components/DangerRowButton.js';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { Field, describedBy } from '../components/Field.js';
import { useConfirmation } from '../components/use-confirmation.js';
import { formatDateTime } from '../format.js';
import { mapFieldErrors, topLevelField } from '../forms.js';
import { Loading, useMe } from './me.js';
import { useMyApiKeys, type PersonalApiKeyInput } from '../features/identity/use-account.js';

type FormField = 'name' | 'scopes' | 'expiresAt' | 'tenantId';
const FORM_FIELDS: readonly string[] = ['name', 'scopes', 'expiresAt', 'tenantId'];
const EXPECTATIONS: Partial<Record<FormField, string>> = {
  name: 'Give the key a name of up to 100 characters.',
  scopes: 'One action pattern per line, such as tenants:tenant.read or billing:*.',
  expiresAt: 'Choose a date in the future.',
};

/** The end of the chosen day in the browser's time zone, as the API's ISO 8601 instant. */
function endOfDay(date: string): string {
  return new Date(`${date}T23:59:59`).toISOString();
}

export function ApiKeysPage() {
  const { me, error: meError } = useMe();
  const loaded = useMyApiKeys();
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const revoke = useConfirmation<ApiKey>(async (key, close) => {
    await loaded.revoke(key.id);
    setNotice(`The key “${key.name}” is revoked: calls with it are refused from now on.`);
    close();
    if (created?.id === key.id) setCreated(null);
    await loaded.reload();
  });

  if (loaded.error ?? meError) return <ErrorAlert error={loaded.error ?? meError} />;
  if (!loaded.data || !me) return <Loading />;
  const keys = loaded.data;
  const organisation = (tenantId: string) => me.memberships.find((m) => m.tenantId === tenantId)?.organizationName ?? tenantId;
  return (
    <div className="stack">
      {created && <CreatedKeyPanel apiKey={created} onDone={() => setCreated(null)} />}
      {notice && (
        <div className="alert alert-success" role="status">
          {notice}
        </div>
      )}
      <section className="card" aria-labelledby="api-keys-heading">
        <div className="card-header">
          <h2 id="api-keys-heading">Personal API keys</h2>
          <p>Programs use them as <span className="mono">Authorization: Bearer &lt;key&gt;</span>; they act as you.</p>
        </div>
        {keys.length === 0 ? (
          <div className="table-empty">
            You have no personal API keys.
          </div>
        ) : (
          <div className="table-wrap">
            <table className="table" aria-labelledby="api-keys-heading">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Key</th>
                  <th scope="col">Organisation</th>
                  <th scope="col">Scopes</th>
                  <th scope="col">Expires</th>
                  <th scope="col">Last used</th>
                  <th scope="col">Created</th>
                  <th scope="col" aria-label="Actions" />
                </tr>
              </thead>
              <tbody>
                {keys.map((key) => (
                  <tr key={key.id}>
                    <td>{key.name}</td>
                    <td className="mono">
                      {key.prefix}_…
                    </td>
                    <td>{organisation(key.tenantId)}</td>
                    <td>{key.scopes ? <span className="mono">{key.scopes.join(', ')}</span> : <span className="faint">All your role allows</span>}</td>
                    <td>{key.expiresAt ? formatDateTime(key.expiresAt) : <span className="faint">Never</span>}</td>
                    <td>{key.lastUsedAt ? formatDateTime(key.lastUsedAt) : <span className="faint">Never</span>}</td>
                    <td>{formatDateTime(key.createdAt)}</td>
                    <td>
                      <DangerRowButton onClick={() => revoke.ask(key)}>
                        Revoke
                      </DangerRowButton>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <CreateKeyForm
        create={loaded.create}
        me={me}
        onCreated={(key) => {
          setNotice(null);
          setCreated(key);
          void loaded.reload();
        }}
      />
      <ConfirmDialog
        {...revoke.dialog}
        title="Revoke this API key?"
        confirmLabel="Revoke key"
        tone="danger"
      >
        <p>
          Programs using <strong>{revoke.target?.name}</strong> (<span className="mono">{revoke.target?.prefix}_…</span>) are refused from their very next call. This cannot be undone.
        </p>
      </ConfirmDialog>
    </div>
  );
}

function CreatedKeyPanel({ apiKey, onDone }: { apiKey: CreatedApiKey; onDone(): void }) {
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);

  async function copy() {
    try {
      // The Clipboard API exists only in secure contexts (https or localhost).
      if (!navigator.clipboard) throw new Error('no clipboard');
      await navigator.clipboard.writeText(apiKey.secret);
      setCopied('yes');
    } catch {
      setCopied('failed');
    }
  }

  return (
    <section className="card" aria-labelledby="api-key-created-heading">
      <div className="card-header">
        <h2 id="api-key-created-heading">Your new key “{apiKey.name}”</h2>
      </div>
      <div className="card-body form">
        <div className="alert alert-warning">
          <strong>Copy this key now. It is shown only once</strong>: the platform keeps only a hash of it and cannot show it again. Anyone holding it acts as you, so keep it secret.
        </div>
        <code className="mono secret-box">
          {apiKey.secret}
        </code>
        <div className="form-actions" style={{ justifyContent: 'flex-start' }}>
          <button type="button" className="button button-primary" onClick={() => void copy()}>
            {copied === 'yes' ? 'Copied' : 'Copy key'}
          </button>
          <button type="button" className="button" onClick={onDone}>
            I have copied it
          </button>
        </div>
        {copied === 'failed' && <p className="muted">This browser does not allow copying from here: select the key and copy it by hand.</p>}
      </div>
    </section>
  );
}

function CreateKeyForm({ me, create, onCreated }: { me: Me; create(body: PersonalApiKeyInput): Promise<CreatedApiKey>; onCreated(key: CreatedApiKey): void }) {
  const defaultTenant = me.memberships.some((m) => m.tenantId === me.activeTenantId) ? (me.activeTenantId ?? '') : (me.memberships[0]?.tenantId ?? '');
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState('');
  const [expiresOn, setExpiresOn] = useState('');
  const [tenantId, setTenantId] = useState(defaultTenant);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const scopeList = scopes
      .split(/[\s,]+/)
      .map((scope) => scope.trim())
      .filter(Boolean);
    try {
      const data = await create({ name: name.trim(), tenantId, ...(scopeList.length > 0 ? { scopes: scopeList } : {}), ...(expiresOn ? { expiresAt: endOfDay(expiresOn) } : {}) });
      setName('');
      setScopes('');
      setExpiresOn('');
      onCreated(data);
    } catch (caught) {
      setError(toApiError(caught));
    } finally {
      setBusy(false);
    }
  }

  if (me.memberships.length === 0) {
    return (
      <section className="card">
        <div className="card-body muted">
          A personal key works in an organisation you belong to, and you belong to none.
        </div>
      </section>
    );
  }

  const { byField, hasUnmatched } = error ? mapFieldErrors<FormField>(error, (pointer) => (FORM_FIELDS.includes(topLevelField(pointer)) ? (topLevelField(pointer) as FormField) : undefined), EXPECTATIONS) : { byField: {}, hasUnmatched: false };
  const showAlert = error !== null && (hasUnmatched || Object.keys(byField).length === 0);
  return (
    <section className="card" aria-labelledby="api-key-create-heading">
      <div className="card-header">
        <h2 id="api-key-create-heading">Create a personal API key</h2>
      </div>
      <div className="card-body">
        <form className="form" onSubmit={submit} noValidate style={{ maxWidth: 520 }}>
          {showAlert && <ErrorAlert error={error} />}
          <Field id="api-key-name" label="Name" hint="What the key is for, to recognise it later." error={byField.name}>
            <input id="api-key-name" className="input" value={name} onChange={(e) => setName(e.target.value)} maxLength={100} required aria-invalid={byField.name !== undefined} aria-describedby={describedBy('api-key-name')} />
          </Field>
          {me.memberships.length > 1 && (
            <Field id="api-key-tenant" label="Organisation" hint="The key works in this organisation, with your role there." error={byField.tenantId}>
              <select id="api-key-tenant" className="select" value={tenantId} onChange={(e) => setTenantId(e.target.value)} aria-invalid={byField.tenantId !== undefined} aria-describedby={describedBy('api-key-tenant')}>
                {me.memberships.map((membership) => (
                  <option key={membership.tenantId} value={membership.tenantId}>
                    {membership.organizationName} ({membership.role})
                  </option>
                ))}
              </select>
            </Field>
          )}
          <Field id="api-key-scopes" label="Scopes" optional hint="Limit the key to these actions, one per line (e.g. tenants:tenant.read). Leave empty for everything your role allows." error={byField.scopes}>
            <textarea id="api-key-scopes" className="textarea mono" rows={3} value={scopes} onChange={(e) => setScopes(e.target.value)} aria-invalid={byField.scopes !== undefined} aria-describedby={describedBy('api-key-scopes')} />
          </Field>
          <Field id="api-key-expires" label="Expires on" optional hint="The key stops working at the end of this day. Leave empty for no expiry." error={byField.expiresAt}>
            <input id="api-key-expires" className="input" type="date" value={expiresOn} onChange={(e) => setExpiresOn(e.target.value)} aria-invalid={byField.expiresAt !== undefined} aria-describedby={describedBy('api-key-expires')} />
          </Field>
          <div>
            <button className="button button-primary" type="submit" disabled={busy || !name.trim()}>
              {busy ? 'Creating…' : 'Create key'}
            </button>
          </div>
        </form>
      </div>
    </section>
  );
}
