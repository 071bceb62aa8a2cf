// Single sign-on for the organisation: its identity providers (OpenID Connect or SAML 2.0), which
// email domains sign in through each, the role a person gets on first sign-in, and whether a
// password is still allowed. Shows what to register at the provider (redirect URI, or entity id
// and ACS URL). The OIDC client secret is write-only: the page only ever knows that it is set.
import { useId, useState, type FormEvent } from 'react';
import { toApiError, type ApiError } from '../../../shared/api/problem.js';
import { ConfirmDialog } from '../../../shared/components/ConfirmDialog.js';
import { DangerRowButton } from '../../../shared/components/DangerRowButton.js';
import { ErrorAlert } from '../../../shared/components/ErrorAlert.js';
import { Field, describedBy } from '../../../shared/components/Field.js';
import { ResourceTableCard } from '../../../shared/components/ResourceTableCard.js';
import { SuccessNotice } from '../../../shared/components/SuccessNotice.js';
import { useConfirmation } from '../../../shared/components/use-confirmation.js';
import { mapFieldErrors } from '../../../shared/forms.js';
import { useOrganizationAccess } from './access.js';
import { useIdentityProviderActions, useIdentityProviders, type IdentityProvider } from '../../../shared/features/identity/use-tenant-access.js';

type Provider = IdentityProvider;
type Protocol = Provider['type'];
type FormField = 'type' | 'name' | 'domains' | 'defaultRole' | 'mandatory' | 'issuer' | 'clientId' | 'clientSecret' | 'scopes' | 'entryPoint' | 'idpCertificate' | 'idpEntityId';

const ROLES = [
  { value: 'member', label: 'Member' },
  { value: 'read-only', label: 'Read-only' },
  { value: 'developer', label: 'Developer' },
  { value: 'billing', label: 'Billing' },
  { value: 'admin', label: 'Admin' },
];
const PROTOCOL_LABELS: Record<Protocol, string> = { oidc: 'OpenID Connect', saml: 'SAML 2.0' };
const CONFIG_FIELDS: FormField[] = ['domains', 'defaultRole', 'mandatory', 'issuer', 'clientId', 'clientSecret', 'scopes', 'entryPoint', 'idpCertificate', 'idpEntityId'];
const EXPECTATIONS: Partial<Record<FormField, string>> = {
  name: 'Give the provider a name people recognise (up to 100 characters).',
  domains: 'List your organisation’s email domains, one per line (your domain or its subdomains).',
  issuer: 'Enter the issuer URL from the provider’s OpenID configuration (https).',
  clientId: 'Enter the client id the provider gave you.',
  clientSecret: 'Enter the client secret the provider gave you.',
  entryPoint: 'Enter the provider’s single sign-on URL (https).',
  idpCertificate: 'Paste the provider’s signing certificate (PEM, starting with -----BEGIN CERTIFICATE-----).',
};

const text = (value: unknown) => (typeof value === 'string' ? value : '');
const list = (value: unknown) => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);
const lines = (value: string) => value.split(/[\s,]+/).map((v) => v.trim()).filter(Boolean);

interface Draft {
  type: Protocol;
  name: string;
  enabled: boolean;
  domains: string;
  defaultRole: string;
  mandatory: boolean;
  issuer: string;
  clientId: string;
  clientSecret: string;
  scopes: string;
  entryPoint: string;
  idpCertificate: string;
  idpEntityId: string;
}

function draftOf(provider: Provider | null): Draft {
  const c = provider?.config ?? {};
  return {
    type: provider?.type ?? 'oidc',
    name: provider?.name ?? '',
    enabled: provider?.enabled ?? true,
    domains: list(c.domains).join('\n'),
    defaultRole: text(c.defaultRole) || 'member',
    mandatory: c.mandatory === true,
    issuer: text(c.issuer),
    clientId: text(c.clientId),
    clientSecret: '',
    scopes: list(c.scopes).join(' '),
    entryPoint: text(c.entryPoint),
    idpCertificate: text(c.idpCertificate),
    idpEntityId: text(c.idpEntityId),
  };
}

function configOf(draft: Draft, editing: boolean): Record<string, unknown> {
  const common = { domains: lines(draft.domains.toLowerCase()), defaultRole: draft.defaultRole, mandatory: draft.mandatory };
  if (draft.type === 'saml') return { ...common, entryPoint: draft.entryPoint.trim(), idpCertificate: draft.idpCertificate.trim(), ...(draft.idpEntityId.trim() ? { idpEntityId: draft.idpEntityId.trim() } : {}) };
  return {
    ...common,
    issuer: draft.issuer.trim(),
    clientId: draft.clientId.trim(),
    scopes: lines(draft.scopes),
    // Write-only: left empty while editing, the stored secret stays.
    ...(draft.clientSecret || !editing ? { clientSecret: draft.clientSecret } : {}),
  };
}

export function IdentityProvidersPage({ tenantId }: { tenantId: string }) {
  const { can } = useOrganizationAccess();
  // The list's ETag guards a removal against a change made meanwhile.
  const loaded = useIdentityProviders(tenantId);
  const providers = loaded.data?.providers ?? null;
  const etag = loaded.data?.etag ?? null;
  const [editing, setEditing] = useState<Provider | 'new' | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const remove = useConfirmation<Provider>(async (provider, close) => {
    await loaded.remove(provider.id, etag);
    setNotice(`${provider.name} is removed. People of its domains sign in with a password again.`);
    close();
    await loaded.reload();
  });

  return (
    <div className="stack">
      <SuccessNotice message={notice} />
      {editing !== null ? (
        <ProviderForm
          key={editing === 'new' ? 'new' : editing.id}
          tenantId={tenantId}
          provider={editing === 'new' ? null : editing}
          etag={etag}
          onCancel={() => setEditing(null)}
          onSaved={async (saved, created) => {
            setEditing(null);
            setNotice(created ? `${saved.name} is added. Register the details below at the provider.` : `${saved.name} is saved.`);
            await loaded.reload();
          }}
        />
      ) : (
        can('identity:identity-provider.create') && (
          <div className="page-actions">
            <button
              type="button"
              className="button button-primary"
              onClick={() => {
                setNotice(null);
                setEditing('new');
              }}
            >
              Add identity provider
            </button>
          </div>
        )
      )}
      <ResourceTableCard
        title="Identity providers"
        description="People whose email is in a provider’s domains sign in through it. On their first sign-in they become members with the provider’s default role."
        error={loaded.error}
        busy={providers === null && !loaded.error}
        columns={['Name', 'Protocol', 'Domains', 'Default role', 'Password', 'Status', '']}
        empty={providers?.length === 0 && 'No identity providers yet: everyone signs in with a password.'}
      >
        {(providers ?? []).map((provider) => (
          <tr key={provider.id}>
            <td>{provider.name}</td>
            <td>{PROTOCOL_LABELS[provider.type]}</td>
            <td>
              <span className="chips">
                {list(provider.config.domains).map((domain) => (
                  <span key={domain} className="chip mono">
                    {domain}
                  </span>
                ))}
              </span>
            </td>
            <td>{ROLES.find((r) => r.value === provider.config.defaultRole)?.label ?? text(provider.config.defaultRole)}</td>
            <td>{provider.config.mandatory === true ? 'Not allowed (SSO required)' : 'Allowed'}</td>
            <td>
              <span className={provider.enabled ? 'badge badge-active' : 'badge badge-suspended'}>{provider.enabled ? 'Enabled' : 'Disabled'}</span>
            </td>
            <td>
              <div className="toolbar">
                {can('identity:identity-provider.update') && (
                  <button type="button" className="button button-ghost" onClick={() => setEditing(provider)}>
                    Edit
                  </button>
                )}
                {can('identity:identity-provider.delete') && (
                  <DangerRowButton onClick={() => remove.ask(provider)}>
                    Remove
                  </DangerRowButton>
                )}
              </div>
            </td>
          </tr>
        ))}
      </ResourceTableCard>
      {(providers ?? []).map((provider) => (
        <ServiceProviderDetails key={provider.id} provider={provider} />
      ))}
      <ConfirmDialog
        {...remove.dialog}
        title={`Remove ${remove.target?.name ?? ''}?`}
        confirmLabel="Remove provider"
        tone="danger"
      >
        <p className="muted">
          People of {list(remove.target?.config.domains).join(', ') || 'its domains'} can no longer sign in through it. Accounts created by single sign-on have no password: they will need a password reset to
          sign in again.
        </p>
      </ConfirmDialog>
    </div>
  );
}

/** What the organisation registers at its identity provider. */
function ServiceProviderDetails({ provider }: { provider: Provider }) {
  const sp = provider.serviceProvider;
  const titleId = useId();
  return (
    <section className="card" aria-labelledby={titleId}>
      <div className="card-header">
        <div>
          <h2 id={titleId}>Register at {provider.name}</h2>
          <p>{provider.type === 'oidc' ? 'Add this redirect URI to the application at your provider.' : 'Create an application at your provider with these values, or give it our metadata URL.'}</p>
        </div>
      </div>
      <div className="card-body">
        <dl className="details">
          {sp.redirectUri && (
            <>
              <dt>Redirect URI</dt>
              <dd className="mono">{sp.redirectUri}</dd>
            </>
          )}
          {sp.entityId && (
            <>
              <dt>Entity id (audience)</dt>
              <dd className="mono">{sp.entityId}</dd>
            </>
          )}
          {sp.acsUrl && (
            <>
              <dt>Assertion consumer service (HTTP-POST)</dt>
              <dd className="mono">
                {sp.acsUrl}
              </dd>
            </>
          )}
          {sp.metadataUrl && (
            <>
              <dt>Metadata</dt>
              <dd className="mono">{sp.metadataUrl}</dd>
            </>
          )}
          {provider.type === 'oidc' && (
            <>
              <dt>Client secret</dt>
              <dd>{provider.config.clientSecretSet === true ? 'Set' : 'Not set'}</dd>
            </>
          )}
        </dl>
      </div>
    </section>
  );
}

function ProviderForm({
  tenantId,
  provider,
  etag,
  onCancel,
  onSaved,
}: {
  tenantId: string;
  provider: Provider | null;
  etag: string | null;
  onCancel(): void;
  onSaved(provider: Provider, created: boolean): Promise<void>;
}) {
  const actions = useIdentityProviderActions(tenantId);
  const [draft, setDraft] = useState<Draft>(() => draftOf(provider));
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const editing = provider !== null;
  const titleId = useId();
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((current) => ({ ...current, [key]: value }));
  const mapped = error
    ? mapFieldErrors<FormField>(
        error,
        (pointer) => {
          const [first, second] = pointer.split('/').slice(1);
          if (first === 'config') return CONFIG_FIELDS.includes(second as FormField) ? (second as FormField) : undefined;
          return first === 'name' || first === 'type' ? first : undefined;
        },
        EXPECTATIONS,
      )
    : null;
  // A domain refused on its own (/config/domains/1) says which one.
  const domainEntry = error ? Object.keys(error.fieldErrors).find((pointer) => pointer.startsWith('/config/domains/')) : undefined;
  const domainError = mapped?.byField.domains && domainEntry ? `${lines(draft.domains.toLowerCase())[Number(domainEntry.split('/')[3])] ?? 'A domain'}: ${mapped.byField.domains}` : mapped?.byField.domains;
  const fieldError = (field: FormField) => (field === 'domains' ? domainError : mapped?.byField[field]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const config = configOf(draft, editing);
      const saved = provider
        ? await actions.update(provider.id, { name: draft.name.trim(), enabled: draft.enabled, config }, etag)
        : await actions.add({ type: draft.type, name: draft.name.trim(), enabled: draft.enabled, config });
      await onSaved(saved, !editing);
    } catch (caught) {
      setError(toApiError(caught));
      setBusy(false);
    }
  }

  const input = (field: FormField & keyof Draft, label: string, options: { hint?: string; optional?: boolean; type?: string; placeholder?: string; autoComplete?: string } = {}) => (
    <Field id={`idp-${field}`} label={label} error={fieldError(field)} hint={options.hint} optional={options.optional}>
      <input
        id={`idp-${field}`}
        className="input"
        type={options.type ?? 'text'}
        value={String(draft[field])}
        placeholder={options.placeholder}
        autoComplete={options.autoComplete ?? 'off'}
        onChange={(event) => set(field, event.target.value as never)}
        aria-invalid={fieldError(field) ? true : undefined}
        aria-describedby={describedBy(`idp-${field}`)}
      />
    </Field>
  );

  return (
    <section className="card" aria-labelledby={titleId}>
      <div className="card-header">
        <div>
          <h2 id={titleId}>{editing ? `Edit ${provider.name}` : 'Add an identity provider'}</h2>
          <p>Sign-in goes to the provider for every email in its domains.</p>
        </div>
      </div>
      <form className="form card-body" onSubmit={submit} noValidate>
        {error && mapped?.hasUnmatched && <ErrorAlert error={error} />}
        {error && !mapped?.hasUnmatched && Object.keys(error.fieldErrors).length === 0 && <ErrorAlert error={error} />}
        <div className="form-grid">
          <Field id="idp-type" label="Protocol" error={fieldError('type')}>
            <select id="idp-type" className="select" value={draft.type} disabled={editing} onChange={(event) => set('type', event.target.value as Protocol)}>
              <option value="oidc">OpenID Connect</option>
              <option value="saml">SAML 2.0</option>
            </select>
          </Field>
          {input('name', 'Name', { hint: 'Shown on the sign-in page, e.g. “Acme Okta”.' })}
          <Field id="idp-domains" label="Email domains" error={fieldError('domains')} hint="One per line: your organisation’s domain or its subdomains." className="span-2">
            <textarea
              id="idp-domains"
              className="textarea"
              rows={2}
              value={draft.domains}
              onChange={(event) => set('domains', event.target.value)}
              aria-invalid={fieldError('domains') ? true : undefined}
              aria-describedby={describedBy('idp-domains')}
            />
          </Field>
          <Field id="idp-defaultRole" label="Role on first sign-in" error={fieldError('defaultRole')}>
            <select id="idp-defaultRole" className="select" value={draft.defaultRole} onChange={(event) => set('defaultRole', event.target.value)}>
              {ROLES.map((role) => (
                <option key={role.value} value={role.value}>
                  {role.label}
                </option>
              ))}
              {!ROLES.some((role) => role.value === draft.defaultRole) && <option value={draft.defaultRole}>{draft.defaultRole}</option>}
            </select>
          </Field>
          <Field id="idp-mandatory" label="Passwords" error={fieldError('mandatory')} hint="When required, people of these domains can only sign in through the provider.">
            <label className="checkbox">
              <input id="idp-mandatory" type="checkbox" checked={draft.mandatory} onChange={(event) => set('mandatory', event.target.checked)} /> Require single sign-on
            </label>
          </Field>
          {draft.type === 'oidc' ? (
            <>
              {input('issuer', 'Issuer URL', { placeholder: 'https://acme.okta.com' })}
              {input('clientId', 'Client id')}
              {input('clientSecret', 'Client secret', {
                type: 'password',
                autoComplete: 'new-password',
                hint: editing ? `${provider.config.clientSecretSet === true ? 'Set' : 'Not set'} — leave empty to keep it.` : 'Stored encrypted; never shown again.',
              })}
              {input('scopes', 'Extra scopes', { optional: true, hint: 'Besides openid and email, separated by spaces.' })}
            </>
          ) : (
            <>
              {input('entryPoint', 'Single sign-on URL', { placeholder: 'https://idp.acme.com/sso/saml' })}
              {input('idpEntityId', 'Provider entity id', { optional: true, hint: 'When given, assertions must come from this issuer.' })}
              <Field id="idp-idpCertificate" label="Signing certificate" error={fieldError('idpCertificate')} hint="PEM, from the provider’s metadata." className="span-2">
                <textarea
                  id="idp-idpCertificate"
                  className="textarea mono"
                  rows={6}
                  value={draft.idpCertificate}
                  onChange={(event) => set('idpCertificate', event.target.value)}
                  aria-invalid={fieldError('idpCertificate') ? true : undefined}
                  aria-describedby={describedBy('idp-idpCertificate')}
                />
              </Field>
            </>
          )}
          <Field id="idp-enabled" label="Status">
            <label className="checkbox">
              <input id="idp-enabled" type="checkbox" checked={draft.enabled} onChange={(event) => set('enabled', event.target.checked)} /> Enabled
            </label>
          </Field>
        </div>
        <div className="form-actions">
          <button type="button" className="button button-ghost" onClick={onCancel} disabled={busy}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? 'Saving…' : editing ? 'Save changes' : 'Add provider'}
          </button>
        </div>
      </form>
    </section>
  );
}
