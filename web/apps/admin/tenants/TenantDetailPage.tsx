// One tenant: its document, its members and invitations, its quotas (editable), its lifecycle
// actions and its audit trail.
import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { ErrorAlert } from '../../../shared/components/ErrorAlert.js';
import { PageHeader } from '../../../shared/components/PageHeader.js';
import { StatusBadge } from '../../../shared/components/StatusBadge.js';
import { AuditTrail } from './AuditTrail.js';
import { QuotasForm } from './QuotasForm.js';
import { TenantActions } from './TenantActions.js';
import { TenantMembers } from './TenantMembers.js';
import { SettingsSummaryCard, SubscriptionUsageCard, TenantDetailsCard } from './TenantOverview.js';
import { useTenant, type TenantVersion } from '../../../shared/features/tenants/use-tenants.js';

type Notice = { tone: 'success' | 'warning'; text: string } | null;

export function TenantDetailPage() {
  const { id = '' } = useParams();
  const tenantResource = useTenant(id);
  const { loaded, error } = tenantResource;
  const [notice, setNotice] = useState<Notice>(null);
  const [auditReloadKey, setAuditReloadKey] = useState(0);

  useEffect(() => setNotice(null), [id]);

  function changed(version: TenantVersion, message: string) {
    tenantResource.set(version);
    setNotice({ tone: 'success', text: message });
    setAuditReloadKey((key) => key + 1);
  }

  async function conflicted() {
    await tenantResource.reload();
    setAuditReloadKey((key) => key + 1);
    setNotice({
      tone: 'warning',
      text: 'Someone else changed this tenant after you opened it, so your quota change was not saved. The latest version is shown now; review it and make your change again.',
    });
  }

  const breadcrumb = <Link to="/tenants">Tenants</Link>;
  if (!loaded) {
    return (
      <>
        <PageHeader breadcrumb={breadcrumb} title={error ? 'Tenant not available' : 'Loading tenant…'} />
        <ErrorAlert error={error} />
      </>
    );
  }

  const { tenant } = loaded;
  return (
    <div data-tenant-id={tenant.id}>
      <PageHeader
        breadcrumb={breadcrumb}
        title={
          <>
            {tenant.organizationName} <StatusBadge status={tenant.status} />
          </>
        }
        subtitle={tenant.domain}
        actions={<TenantActions tenant={tenant} transition={tenantResource.transition} onChanged={changed} />}
      />
      <div className="stack">
        {notice && (
          <div className={`alert alert-${notice.tone}`} role="status">
            {notice.text}
          </div>
        )}
        <ErrorAlert error={error} />
        <div className="grid-2">
          <TenantDetailsCard tenant={tenant} />
          <SubscriptionUsageCard tenant={tenant} />
        </div>
        <TenantMembers tenantId={tenant.id} organizationName={tenant.organizationName} onChanged={() => setAuditReloadKey((key) => key + 1)} />
        {/* Keyed by version: a saved or reloaded tenant resets the form to what is stored. */}
        <QuotasForm key={tenant.version} tenant={tenant} save={tenantResource.saveQuotas} onSaved={(next) => changed(next, 'Quotas saved.')} onConflict={conflicted} />
        <SettingsSummaryCard settings={tenant.settings} />
        <AuditTrail tenantId={tenant.id} reloadKey={auditReloadKey} />
      </div>
    </div>
  );
}
