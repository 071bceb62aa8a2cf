// Read-only views of a tenant document: identity and status, subscription with usage against the
// quotas, and a summary of its settings.
import type { Tenant, TenantSettings } from '../../../shared/api/types.js';
import { StatusBadge } from '../../../shared/components/StatusBadge.js';
import { formatDateTime, formatNumber } from '../../../shared/format.js';

export function TenantDetailsCard({ tenant }: { tenant: Tenant }) {
  return (
    <section className="card" data-testid="tenant-details">
      <div className="card-header">
        <h2>Details</h2>
      </div>
      <div className="card-body">
        <dl className="details">
          <dt>Status</dt>
          <dd>
            <StatusBadge status={tenant.status} testId="tenant-status" />
          </dd>
          <dt>Status reason</dt>
          <dd data-testid="tenant-status-reason">{tenant.statusReason ?? <span className="faint">—</span>}</dd>
          <dt>Domain</dt>
          <dd data-testid="tenant-domain">{tenant.domain}</dd>
          <dt>Admin email</dt>
          <dd data-testid="tenant-admin-email">{tenant.adminEmail}</dd>
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
  return (
    <div className="meter">
      <div className="meter-label">
        <span>{label}</span>
        <span className="muted">
          {formatNumber(used)}
          {unit} of {formatNumber(limit)}
          {unit}
        </span>
      </div>
      <div className="meter-track" role="meter" aria-label={label} aria-valuemin={0} aria-valuemax={limit} aria-valuenow={used}>
        <div className="meter-fill" style={{ width: `${percent}%` }} />
      </div>
    </div>
  );
}

export function SubscriptionUsageCard({ tenant }: { tenant: Tenant }) {
  const { subscription, currentUsage: usage, quotas } = tenant;
  return (
    <section className="card" data-testid="tenant-subscription">
      <div className="card-header">
        <h2>Subscription and usage</h2>
      </div>
      <div className="card-body stack">
        <dl className="details">
          <dt>Tier</dt>
          <dd data-testid="tenant-tier">{subscription.tier}</dd>
          <dt>Subscription</dt>
          <dd className={subscription.subscriptionId ? 'mono' : 'faint'}>{subscription.subscriptionId ?? 'Not linked to a subscription'}</dd>
          <dt>Expires</dt>
          <dd>{subscription.expiresAt ? formatDateTime(subscription.expiresAt) : <span className="faint">Never</span>}</dd>
        </dl>
        <div className="stack" data-testid="tenant-usage">
          <Meter label="Users" used={usage.users} limit={quotas.maxUsers} />
          <Meter label="Storage" used={usage.storageUsed} limit={quotas.maxStorage} unit=" GiB" />
          <Meter label="API calls this month" used={usage.apiCallsThisMonth} limit={quotas.maxAPICallsPerMonth} />
          <Meter label="Compute hours this month" used={usage.computeHoursThisMonth} limit={quotas.maxComputeHours} />
          <p className="faint">Usage last updated {formatDateTime(usage.lastUpdated)}.</p>
        </div>
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
    <section className="card" data-testid="tenant-settings">
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
