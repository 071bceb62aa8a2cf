// Who works in a tenant and how they get in, as the portal's organisation pages and the admin
// console's tenant page use it: members, invitations, roles (with the policy simulator), the
// tenant's API keys, OAuth clients and identity providers, and what the caller may do.
import { api, unwrap } from '../../api/client.js';
import type { paths } from '../../api/schema.js';
import { useResource, type Resource } from '../../api/use-resource.js';

type JsonOf<T> = T extends { content: { 'application/json': infer Body } } ? Body : never;
type Tenants = '/api/v1/tenants/{id}';

export type TenantMember = JsonOf<paths[`${Tenants}/members`]['get']['responses'][200]>['data'][number];
export type Invitation = JsonOf<paths[`${Tenants}/invitations`]['get']['responses'][200]>['data'][number];
export type InvitationInput = JsonOf<paths[`${Tenants}/invitations`]['post']['requestBody']>;
export type Role = JsonOf<paths[`${Tenants}/roles`]['get']['responses'][200]>['data'][number];
export type RoleInput = JsonOf<paths[`${Tenants}/roles`]['post']['requestBody']>;
export type PolicySimulation = JsonOf<paths[`${Tenants}/roles/simulate`]['post']['requestBody']>;
export type PolicyDecision = JsonOf<paths[`${Tenants}/roles/simulate`]['post']['responses'][200]>;
export type TenantApiKey = JsonOf<paths[`${Tenants}/api-keys`]['get']['responses'][200]>['data'][number];
export type TenantApiKeyInput = JsonOf<paths[`${Tenants}/api-keys`]['post']['requestBody']>;
export type CreatedTenantApiKey = JsonOf<paths[`${Tenants}/api-keys`]['post']['responses'][201]>;
export type OAuthClient = JsonOf<paths[`${Tenants}/oauth-clients`]['get']['responses'][200]>['data'][number];
export type OAuthClientInput = JsonOf<paths[`${Tenants}/oauth-clients`]['post']['requestBody']>;
export type CreatedOAuthClient = JsonOf<paths[`${Tenants}/oauth-clients`]['post']['responses'][201]>;
export type IdentityProvider = JsonOf<paths[`${Tenants}/identity-providers`]['get']['responses'][200]>['data'][number];
export type IdentityProviderInput = JsonOf<paths[`${Tenants}/identity-providers`]['post']['requestBody']>;
export type IdentityProviderPatch = JsonOf<paths[`${Tenants}/identity-providers/{providerId}`]['patch']['requestBody']>;
export type ActionCatalogue = JsonOf<paths['/api/v1/authz/actions']['get']['responses'][200]>;

export interface MemberActions {
  changeRole(userId: string, role: string): Promise<void>;
  /** Ends their membership and their sessions in the tenant. */
  remove(userId: string): Promise<void>;
}

export function useTenantMembers(tenantId: string): Resource<TenantMember[]> & MemberActions {
  const members = useResource(async () => (await unwrap(api.GET('/api/v1/tenants/{id}/members', { params: { path: { id: tenantId } } }))).data.data, [tenantId]);
  return {
    ...members,
    async changeRole(userId, role) {
      await unwrap(api.PUT('/api/v1/tenants/{id}/members/{userId}', { params: { path: { id: tenantId, userId } }, body: { role } }));
    },
    async remove(userId) {
      await unwrap(api.DELETE('/api/v1/tenants/{id}/members/{userId}', { params: { path: { id: tenantId, userId } } }));
    },
  };
}

export interface InvitationActions {
  invite(body: InvitationInput): Promise<Invitation>;
  /** Sends a new link; the earlier one stops working. */
  resend(invitationId: string): Promise<Invitation>;
  revoke(invitationId: string): Promise<void>;
}

export function useTenantInvitations(tenantId: string): Resource<Invitation[]> & InvitationActions {
  const invitations = useResource(async () => (await unwrap(api.GET('/api/v1/tenants/{id}/invitations', { params: { path: { id: tenantId } } }))).data.data, [tenantId]);
  return {
    ...invitations,
    async invite(body) {
      return (await unwrap(api.POST('/api/v1/tenants/{id}/invitations', { params: { path: { id: tenantId } }, body }))).data;
    },
    async resend(invitationId) {
      return (await unwrap(api.POST('/api/v1/tenants/{id}/invitations/{invitationId}/resend', { params: { path: { id: tenantId, invitationId } }, body: {} }))).data;
    },
    async revoke(invitationId) {
      await unwrap(api.DELETE('/api/v1/tenants/{id}/invitations/{invitationId}', { params: { path: { id: tenantId, invitationId } } }));
    },
  };
}

/** The tenant's roles, built-in and custom. */
export async function listTenantRoles(tenantId: string): Promise<Role[]> {
  return (await unwrap(api.GET('/api/v1/tenants/{id}/roles', { params: { path: { id: tenantId } } }))).data.data;
}

export interface RoleActions {
  /** `idempotencyKey` is reused while the same role is sent again. */
  create(body: RoleInput, idempotencyKey: string): Promise<Role>;
  update(roleId: string, body: RoleInput): Promise<Role>;
  remove(roleId: string): Promise<void>;
  /** What the server would decide for a request under these statements. */
  simulate(body: PolicySimulation): Promise<PolicyDecision>;
}

export function useRoleActions(tenantId: string): RoleActions {
  const params = { path: { id: tenantId } };
  return {
    async create(body, idempotencyKey) {
      return (await unwrap(api.POST('/api/v1/tenants/{id}/roles', { params, body, headers: { 'Idempotency-Key': idempotencyKey } }))).data;
    },
    async update(roleId, body) {
      return (await unwrap(api.PUT('/api/v1/tenants/{id}/roles/{roleId}', { params: { path: { id: tenantId, roleId } }, body }))).data;
    },
    async remove(roleId) {
      await unwrap(api.DELETE('/api/v1/tenants/{id}/roles/{roleId}', { params: { path: { id: tenantId, roleId } } }));
    },
    async simulate(body) {
      return (await unwrap(api.POST('/api/v1/tenants/{id}/roles/simulate', { params, body }))).data;
    },
  };
}

export function useRoles(tenantId: string): Resource<Role[]> & RoleActions {
  return { ...useResource(() => listTenantRoles(tenantId), [tenantId]), ...useRoleActions(tenantId) };
}

export function useTenantApiKeys(tenantId: string): Resource<TenantApiKey[]> & { create(body: TenantApiKeyInput, idempotencyKey: string): Promise<CreatedTenantApiKey>; revoke(keyId: string): Promise<void> } {
  const keys = useResource(async () => (await unwrap(api.GET('/api/v1/tenants/{id}/api-keys', { params: { path: { id: tenantId } } }))).data.data, [tenantId]);
  return {
    ...keys,
    async create(body, idempotencyKey) {
      return (await unwrap(api.POST('/api/v1/tenants/{id}/api-keys', { params: { path: { id: tenantId } }, body, headers: { 'Idempotency-Key': idempotencyKey } }))).data;
    },
    async revoke(keyId) {
      await unwrap(api.DELETE('/api/v1/tenants/{id}/api-keys/{keyId}', { params: { path: { id: tenantId, keyId } } }));
    },
  };
}

export function useOAuthClients(tenantId: string): Resource<OAuthClient[]> & { register(body: OAuthClientInput, idempotencyKey: string): Promise<CreatedOAuthClient>; remove(clientId: string): Promise<void> } {
  const clients = useResource(async () => (await unwrap(api.GET('/api/v1/tenants/{id}/oauth-clients', { params: { path: { id: tenantId } } }))).data.data, [tenantId]);
  return {
    ...clients,
    async register(body, idempotencyKey) {
      return (await unwrap(api.POST('/api/v1/tenants/{id}/oauth-clients', { params: { path: { id: tenantId } }, body, headers: { 'Idempotency-Key': idempotencyKey } }))).data;
    },
    async remove(clientId) {
      await unwrap(api.DELETE('/api/v1/tenants/{id}/oauth-clients/{clientId}', { params: { path: { id: tenantId, clientId } } }));
    },
  };
}

export interface IdentityProviders {
  providers: IdentityProvider[];
  /** The list's ETag: a change or removal is refused (412) if the list changed meanwhile. */
  etag: string | null;
}

export interface IdentityProviderActions {
  add(body: IdentityProviderInput): Promise<IdentityProvider>;
  update(providerId: string, body: IdentityProviderPatch, etag: string | null): Promise<IdentityProvider>;
  remove(providerId: string, etag: string | null): Promise<void>;
}

export function useIdentityProviderActions(tenantId: string): IdentityProviderActions {
  return {
    async add(body) {
      return (await unwrap(api.POST('/api/v1/tenants/{id}/identity-providers', { params: { path: { id: tenantId } }, body }))).data;
    },
    async update(providerId, body, etag) {
      return (await unwrap(api.PATCH('/api/v1/tenants/{id}/identity-providers/{providerId}', { params: { path: { id: tenantId, providerId }, header: etag ? { 'if-match': etag } : {} }, body }))).data;
    },
    async remove(providerId, etag) {
      await unwrap(api.DELETE('/api/v1/tenants/{id}/identity-providers/{providerId}', { params: { path: { id: tenantId, providerId }, header: etag ? { 'if-match': etag } : {} } }));
    },
  };
}

export function useIdentityProviders(tenantId: string): Resource<IdentityProviders> & IdentityProviderActions {
  const loaded = useResource(async () => {
    const { data, response } = await unwrap(api.GET('/api/v1/tenants/{id}/identity-providers', { params: { path: { id: tenantId } } }));
    return { providers: data.data, etag: response.headers.get('etag') };
  }, [tenantId]);
  return { ...loaded, ...useIdentityProviderActions(tenantId) };
}

/** Every action the server knows, with the operations each covers (suggestions in the policy editor). */
export async function readActionCatalogue(): Promise<ActionCatalogue> {
  return (await unwrap(api.GET('/api/v1/authz/actions'))).data;
}

/** Whether the caller may do `action` on `resource`, as the server decides it. */
export async function explainAccess(action: string, resource: string): Promise<boolean> {
  return (await unwrap(api.POST('/api/v1/authz/explain', { body: { action, resource } }))).data.allowed;
}

/** Which of these actions the caller may do in the tenant they work in, and that tenant. */
export async function readMyPermissions(actions: readonly string[]) {
  return (await unwrap(api.GET('/api/v1/me/permissions', { params: { query: { action: [...actions] } } }))).data;
}
