// One tenant: its document, its members and invitations, its quotas (editable), its lifecycle
// actions and its audit trail.
import { useCallback, useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, unwrap } from '../../../shared/api/client.js';
import { toApiError, type ApiError } from '../../../shared/api/problem.js';
import type { Tenant } from '../../../shared/api/types.js';
import { ErrorAlert } from '../../../shared/components/ErrorAlert.js';
import { PageHeader } from '../../../shared/components/PageHeader.js';
import { StatusBadge } from '../../../shared/components/StatusBadge.js';
import { AuditTrail } from './AuditTrail.js';
import { QuotasForm } from './QuotasForm.js';
import { TenantActions } from './TenantActions.js';
import { TenantMembers } from './TenantMembers.js';
import { SettingsSummaryCard, SubscriptionUsageCard, TenantDetailsCard } from './TenantOverview.js';

interface LoadedTenant {
  tenant: Tenant;
  /** The ETag read with this version; conditional writes send it back as If-Match. */
  etag: string | undefined;
}

type Notice = { tone: 'success' | 'warning'; text: string } | null;

export function TenantDetailPage() {
  const { id = '' } = useParams();
  const [loaded, setLoaded] = useState<LoadedTenant | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [notice, setNotice] = useState<Notice>(null);
  const [auditReloadKey, setAuditReloadKey] = useState(0);

  const load = useCallback(async () => {
    try {
      const { data, response } = await unwrap(api.GET('/api/v1/tenants/{id}', { params: { path: { id } } }));
      setLoaded({ tenant: data, etag: response.headers.get('etag') ?? undefined });
      setError(null);
    } catch (caught) {
      setError(toApiError(caught));
    }
  }, [id]);

  useEffect(() => {
    setLoaded(null);
    setNotice(null);
    void load();
  }, [load]);

  function changed(tenant: Tenant, etag: string | undefined, message: string) {
    setLoaded({ tenant, etag });
    setNotice({ tone: 'success', text: message });
    setAuditReloadKey((key) => key + 1);
  }

  async function conflicted() {
    await load();
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
        <ErrorAlert error={error} testId="tenant-load-error" />
      </>
    );
  }

  const { tenant, etag } = loaded;
  return (
    <div data-testid="tenant-detail" data-tenant-id={tenant.id}>
      <PageHeader
        breadcrumb={breadcrumb}
        title={
          <>
            {tenant.organizationName} <StatusBadge status={tenant.status} testId="tenant-header-status" />
          </>
        }
        subtitle={tenant.domain}
        actions={<TenantActions tenant={tenant} onChanged={changed} />}
      />
      <div className="stack">
        {notice && (
          <div className={`alert alert-${notice.tone}`} role="status" data-testid="tenant-notice">
            {notice.text}
          </div>
        )}
        <ErrorAlert error={error} testId="tenant-load-error" />
        <div className="grid-2">
          <TenantDetailsCard tenant={tenant} />
          <SubscriptionUsageCard tenant={tenant} />
        </div>
        <TenantMembers tenantId={tenant.id} organizationName={tenant.organizationName} onChanged={() => setAuditReloadKey((key) => key + 1)} />
        {/* Keyed by version: a saved or reloaded tenant resets the form to what is stored. */}
        <QuotasForm key={tenant.version} tenant={tenant} etag={etag} onSaved={(next, nextEtag) => changed(next, nextEtag, 'Quotas saved.')} onConflict={conflicted} />
        <SettingsSummaryCard settings={tenant.settings} />
        <AuditTrail tenantId={tenant.id} reloadKey={auditReloadKey} />
      </div>
    </div>
  );
}
