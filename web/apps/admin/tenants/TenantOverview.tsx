// Read-only views of a tenant: identity and status, subscription with real usage against the
// quotas, and a summary of its settings.
import type { Tenant, TenantSettings } from '../../../shared/api/types.js';
import { StatusBadge } from '../../../shared/components/StatusBadge.js';
import { formatDateTime, formatNumber } from '../../../shared/format.js';
import { ErrorAlert } from '../../../shared/components/ErrorAlert.js';
import { useTenantUsage } from '../../../shared/features/tenants/use-tenants.js';

export function TenantDetailsCard({ tenant }: { tenant: Tenant }) {
  return (
    <section className="card" aria-labelledby="tenant-details-title">
      <div className="card-header">
        <h2 id="tenant-details-title">Details</h2>
      </div>
      <div className="card-body">
        <dl className="details">
          <dt>Status</dt>
          <dd>
            <StatusBadge status={tenant.status} />
          </dd>
          <dt>Status reason</dt>
          <dd>{tenant.statusReason ?? <span className="faint">—</span>}</dd>
          <dt>Domain</dt>
          <dd>{tenant.domain}</dd>
          <dt>Admin email</dt>
          <dd>{tenant.adminEmail}</dd>
          <dt>Tenant id</dt>
          <dd className="mono">{tenant.id}</dd>
          <dt>Created</dt>
          <dd>{formatDateTime(tenant.createdAt)}</dd>
          <dt>Last changed</dt>
          <dd>
            {formatDateTime(tenant.updatedAt)} <span className="faint">(version {tenant.version})</span>
          </dd>
        </dl>
      </div>
    </section>
  );
}

function Meter({ label, used, limit, unit = '' }: { label: string; used: number; limit: number; unit?: string }) {
  const percent = limit > 0 ? Math.min(100, Math.round((used / limit) * 100)) : used > 0 ? 100 : 0;
  // Read out as it is shown ("2 of 10"), not as a percentage.
  const shown = `${formatNumber(used)}${unit} of ${formatNumber(limit)}${unit}`;
  return (
    <div className="meter">
      <div className="meter-label">
        <span>{label}</span>
        <span className="muted">{shown}</span>
      </div>
      <div className="meter-track" role="meter" aria-label={label} aria-valuemin={0} aria-valuemax={limit} aria-valuenow={used} aria-valuetext={shown}>
        <div className="meter-fill" style={{ width: `${percent}%` }} />
      </div>
    </div>
  );
}

/** What ordering calls each of the document's quotas (orders hold them under these names). */
const HELD_QUOTAS: { quota: string; label: string; limit: (quotas: Tenant['quotas']) => number; unit?: string }[] = [
  { quota: 'maxStorage', label: 'Storage', limit: (q) => q.maxStorage, unit: ' GiB' },
  { quota: 'maxAPICallsPerMonth', label: 'API calls per month', limit: (q) => q.maxAPICallsPerMonth },
  { quota: 'maxComputeHours', label: 'Compute hours', limit: (q) => q.maxComputeHours },
];

/**
 * The tenant's subscription, and what it really uses of its quotas: its members against the user
 * quota, and what its live orders hold of the others. Nothing meters storage, API calls or compute
 * time as it is consumed yet, so no such figure is shown (a stored zero would be a made-up one).
 */
export function SubscriptionUsageCard({ tenant }: { tenant: Tenant }) {
  const { subscription, quotas } = tenant;
  const usage = useTenantUsage(tenant.id, tenant.version);
  const custom = Object.entries(quotas.customLimits);
  return (
    <section className="card" aria-labelledby="tenant-subscription-title">
      <div className="card-header">
        <h2 id="tenant-subscription-title">Subscription and usage</h2>
      </div>
      <div className="card-body stack">
        <dl className="details">
          <dt>Tier</dt>
          <dd>{subscription.tier}</dd>
          <dt>Subscription</dt>
          <dd className={subscription.subscriptionId ? 'mono' : 'faint'}>{subscription.subscriptionId ?? 'Not linked to a subscription'}</dd>
          <dt>Expires</dt>
          <dd>{subscription.expiresAt ? formatDateTime(subscription.expiresAt) : <span className="faint">Never</span>}</dd>
        </dl>
        <ErrorAlert error={usage.error} />
        {usage.data && (
          <div className="stack">
            <Meter label="Members" used={usage.data.members} limit={quotas.maxUsers} />
            {HELD_QUOTAS.map(({ quota, label, limit, unit }) => (
              <Meter key={quota} label={`${label} held by live orders`} used={usage.data?.held[quota] ?? 0} limit={limit(quotas)} unit={unit} />
            ))}
            {custom.map(([name, limit]) => (
              <Meter key={name} label={`${name} held by live orders`} used={usage.data?.held[`custom.${name}`] ?? 0} limit={limit} />
            ))}
            <p className="faint">Members are counted now; what orders hold is taken when they are submitted and given back when they end.</p>
          </div>
        )}
      </div>
    </section>
  );
}

function yesNo(value: boolean): string {
  return value ? 'Yes' : 'No';
}

function Chips({ items, empty }: { items: string[]; empty: string }) {
  if (items.length === 0) return <span className="faint">{empty}</span>;
  return (
    <span className="chips">
      {items.map((item) => (
        <span key={item} className="chip">
          {item}
        </span>
      ))}
    </span>
  );
}

function Color({ value }: { value: string }) {
  return (
    <>
      <span className="swatch" style={{ background: value }} aria-hidden="true" />
      <span className="mono">{value}</span>
    </>
  );
}

export function SettingsSummaryCard({ settings }: { settings: TenantSettings }) {
  const { branding, authentication, integrations, compliance } = settings;
  const policy = authentication.passwordPolicy;
  const policyParts = [
    `at least ${policy.minLength} characters`,
    policy.requireNumbers ? 'numbers required' : undefined,
    policy.requireSpecialChars ? 'special characters required' : undefined,
    policy.maxAge > 0 ? `changed every ${policy.maxAge} days` : 'never expires',
  ].filter(Boolean);
  return (
    <section className="card">
      <div className="card-header">
        <h2>Settings</h2>
      </div>
      <div className="card-body grid-2">
        <dl className="details">
          <dt>Primary colour</dt>
          <dd>
            <Color value={branding.primaryColor} />
          </dd>
          <dt>Secondary colour</dt>
          <dd>
            <Color value={branding.secondaryColor} />
          </dd>
          <dt>Logo</dt>
          <dd>{branding.logo ?? <span className="faint">None</span>}</dd>
          <dt>Custom domain</dt>
          <dd>{branding.customDomain ?? <span className="faint">None</span>}</dd>
          <dt>Integrations</dt>
          <dd>
            <Chips items={integrations.enabled} empty="None enabled" />
          </dd>
        </dl>
        <dl className="details">
          <dt>Sign-in providers</dt>
          <dd>
            <Chips items={authentication.providers.map((provider) => `${provider.name} (${provider.type}${provider.enabled ? '' : ', off'})`)} empty="Password only" />
          </dd>
          <dt>MFA required</dt>
          <dd>{yesNo(authentication.mfaRequired)}</dd>
          <dt>Password policy</dt>
          <dd>{policyParts.join(', ')}</dd>
          <dt>Data residency</dt>
          <dd>{compliance.dataResidency}</dd>
          <dt>Retention</dt>
          <dd>{formatNumber(compliance.retentionPeriod)} days</dd>
          <dt>Audit level</dt>
          <dd>{compliance.auditLevel}</dd>
          <dt>GDPR compliant</dt>
          <dd>{yesNo(compliance.gdprCompliant)}</dd>
        </dl>
      </div>
    </section>
  );
}
