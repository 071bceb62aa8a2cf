// Tenants as the admin console uses them: the cursor-paged, filtered list, one tenant with the ETag
// its conditional writes send back, its lifecycle changes and quotas, what its orders hold of its
// quotas, its names for pages that only carry ids, and creating one.
import { useCallback, useEffect, useState } from 'react';
import { api, unwrap } from '../../api/client.js';
import { toApiError, type ApiError } from '../../api/problem.js';
import type { CreateTenantInput, Tenant, TenantQuotas, TenantStatus } from '../../api/types.js';
import { useResource, type Resource } from '../../api/use-resource.js';
import { useCursorPages, type CursorPages } from '../../cursor-pages.js';

export interface TenantFilter {
  /** Free text matched against the organisation name and domain. */
  q?: string;
  status?: TenantStatus | undefined;
}

/** The tenants matching a filter, a page at a time. Key the list by its filter to start again. */
export function useTenantPages(filter: TenantFilter, pageSize = 20): CursorPages<Tenant> {
  return useCursorPages<Tenant>(async (cursor) => (await unwrap(api.GET('/api/v1/tenants', { params: { query: { q: filter.q || undefined, status: filter.status, cursor, limit: pageSize } } }))).data);
}

/** Tenant names for pages that only carry tenant ids: the first 100 tenants (enough for a filter); an unknown id stays an id. */
export function useTenantNames(): Map<string, string> {
  const [names, setNames] = useState<Map<string, string>>(new Map());
  useEffect(() => {
    let cancelled = false;
    unwrap(api.GET('/api/v1/tenants', { params: { query: { limit: 100 } } }))
      .then(({ data }) => !cancelled && setNames(new Map(data.data.map((tenant) => [tenant.id, tenant.organizationName]))))
      // Without names the pages still work with ids.
      .catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, []);
  return names;
}

/** A tenant as read or written, with the ETag of that version (conditional writes send it back as If-Match). */
export interface TenantVersion {
  tenant: Tenant;
  etag: string | undefined;
}

export type TenantTransition = 'suspend' | 'reactivate' | 'activate' | 'terminate';

export interface TenantResource {
  loaded: TenantVersion | null;
  error: ApiError | null;
  /** Reads the tenant again (after a conflict). */
  reload(): Promise<void>;
  /** Shows a version a write answered with. */
  set(version: TenantVersion): void;
  /** A lifecycle change; suspending needs a reason. */
  transition(action: TenantTransition, reason: string | undefined): Promise<TenantVersion>;
  /** Replaces the quotas if the tenant is still the version read (else the ApiError is a 412). */
  saveQuotas(quotas: TenantQuotas): Promise<TenantVersion>;
}

function versionOf(data: Tenant, response: Response): TenantVersion {
  return { tenant: data, etag: response.headers.get('etag') ?? undefined };
}

async function sendTransition(id: string, action: TenantTransition, reason: string | undefined) {
  const params = { path: { id } };
  switch (action) {
    case 'suspend':
      return unwrap(api.POST('/api/v1/tenants/{id}/suspend', { params, body: { reason: reason ?? '' } }));
    case 'reactivate':
      return unwrap(api.POST('/api/v1/tenants/{id}/reactivate', { params, body: reason ? { reason } : {} }));
    case 'activate':
      return unwrap(api.POST('/api/v1/tenants/{id}/activate', { params, body: reason ? { reason } : {} }));
    case 'terminate':
      return unwrap(api.POST('/api/v1/tenants/{id}/terminate', { params, body: reason ? { reason } : {} }));
  }
}

export function useTenant(id: string): TenantResource {
  const [loaded, setLoaded] = useState<TenantVersion | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  const reload = useCallback(async () => {
    try {
      const { data, response } = await unwrap(api.GET('/api/v1/tenants/{id}', { params: { path: { id } } }));
      setLoaded(versionOf(data, response));
      setError(null);
    } catch (caught) {
      setError(toApiError(caught));
    }
  }, [id]);

  useEffect(() => {
    setLoaded(null);
    void reload();
  }, [reload]);

  return {
    loaded,
    error,
    reload,
    set: setLoaded,
    async transition(action, reason) {
      const { data, response } = await sendTransition(id, action, reason);
      return versionOf(data, response);
    },
    async saveQuotas(quotas) {
      const etag = loaded?.etag;
      const { data, response } = await unwrap(api.PUT('/api/v1/tenants/{id}/quotas', { params: { path: { id }, header: etag ? { 'if-match': etag } : {} }, body: quotas }));
      return versionOf(data, response);
    },
  };
}

export type QuotaHolding = Awaited<ReturnType<typeof readQuotaUsage>>;

async function readQuotaUsage(id: string) {
  return (await unwrap(api.GET('/api/v1/tenants/{id}/quota-usage', { params: { path: { id } } }))).data;
}

/** What a tenant really uses of its quotas: its members, and what its live orders hold. `version` reads it again. */
export function useTenantUsage(id: string, version: number): Resource<{ members: number; held: QuotaHolding }> {
  return useResource(async () => {
    const [members, held] = await Promise.all([unwrap(api.GET('/api/v1/tenants/{id}/members', { params: { path: { id } } })), readQuotaUsage(id)]);
    return { members: members.data.data.length, held };
  }, [id, version]);
}

/** Creates a tenant; `idempotencyKey` is reused while the same form is sent again. */
export function useCreateTenant(): (body: CreateTenantInput, idempotencyKey: string) => Promise<Tenant> {
  return async (body, idempotencyKey) => (await unwrap(api.POST('/api/v1/tenants', { body, headers: { 'Idempotency-Key': idempotencyKey } }))).data;
}
