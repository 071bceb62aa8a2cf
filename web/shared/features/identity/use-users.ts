// People on the platform as the admin console's People pages use them: the user list (all or only
// staff), one user, adding staff, platform roles, unlocking, ending sessions and impersonating.
import { api, unwrap } from '../../api/client.js';
import type { paths } from '../../api/schema.js';
import type { PlatformRole, UserDetail, UserSummary } from '../../api/types.js';
import { useCursorPages, type CursorPages } from '../../cursor-pages.js';

type JsonOf<T> = T extends { content: { 'application/json': infer Body } } ? Body : never;
export type StaffInput = JsonOf<paths['/api/v1/staff']['post']['requestBody']>;
export type CreatedStaff = JsonOf<paths['/api/v1/staff']['post']['responses'][201]>;
export type PlatformRoleChange = JsonOf<paths['/api/v1/users/{id}/platform-role']['put']['responses'][200]>;
export type RevokedSessions = JsonOf<paths['/api/v1/users/{id}/sessions/revoke']['post']['responses'][200]>;

export interface UserFilter {
  q?: string;
  staffOnly?: boolean;
}

/** Users matching a filter, a page at a time. Key the list by its filter to start again. */
export function useUserPages(filter: UserFilter, pageSize = 25): CursorPages<UserSummary> {
  return useCursorPages<UserSummary>(async (cursor) => (await unwrap(api.GET('/api/v1/users', { params: { query: { q: filter.q || undefined, staff: filter.staffOnly || undefined, cursor, limit: pageSize } } }))).data);
}

export async function readUser(id: string): Promise<UserDetail> {
  return (await unwrap(api.GET('/api/v1/users/{id}', { params: { path: { id } } }))).data;
}

export interface UserActions {
  /** Adds a staff member; `idempotencyKey` is reused while the same form is sent again. */
  addStaff(body: StaffInput, idempotencyKey: string): Promise<CreatedStaff>;
  /** Gives or takes a platform role; the person's sessions end. */
  setPlatformRole(userId: string, role: PlatformRole | null): Promise<PlatformRoleChange>;
  unlock(userId: string): Promise<void>;
  endSessions(userId: string): Promise<RevokedSessions>;
  /** Starts acting as the user in one of their tenants; the reason is audited. */
  impersonate(userId: string, tenantId: string, reason: string): Promise<void>;
}

const userActions: UserActions = {
  async addStaff(body, idempotencyKey) {
    return (await unwrap(api.POST('/api/v1/staff', { body, headers: { 'Idempotency-Key': idempotencyKey } }))).data;
  },
  async setPlatformRole(userId, role) {
    return (await unwrap(api.PUT('/api/v1/users/{id}/platform-role', { params: { path: { id: userId } }, body: { role } }))).data;
  },
  async unlock(userId) {
    await unwrap(api.POST('/api/v1/users/{id}/unlock', { params: { path: { id: userId } }, body: {} }));
  },
  async endSessions(userId) {
    return (await unwrap(api.POST('/api/v1/users/{id}/sessions/revoke', { params: { path: { id: userId } }, body: {} }))).data;
  },
  async impersonate(userId, tenantId, reason) {
    await unwrap(api.POST('/api/v1/impersonations', { body: { userId, tenantId, reason } }));
  },
};

export function useUserActions(): UserActions {
  return userActions;
}
