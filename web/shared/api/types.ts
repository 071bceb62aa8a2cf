// Named types for the documents the apps handle, read off the generated `paths` so they follow the
// API's schemas (the server does not register named components, so there are none to import).
import type { paths } from './schema.js';

type JsonOf<T> = T extends { content: { 'application/json': infer Body } } ? Body : never;

export type Session = JsonOf<paths['/api/v1/auth/session']['get']['responses'][200]>;
export type Tenant = JsonOf<paths['/api/v1/tenants/{id}']['get']['responses'][200]>;
export type TenantStatus = Tenant['status'];
export type TenantQuotas = Tenant['quotas'];
export type TenantSettings = Tenant['settings'];
export type CreateTenantInput = JsonOf<paths['/api/v1/tenants']['post']['requestBody']>;
export type ListTenantsQuery = NonNullable<paths['/api/v1/tenants']['get']['parameters']['query']>;
export type AuditEntry = JsonOf<paths['/api/v1/tenants/{id}/audit-events']['get']['responses'][200]>['data'][number];

export const TENANT_STATUSES: readonly TenantStatus[] = ['pending', 'active', 'suspended', 'terminated'];
export type Me = JsonOf<paths['/api/v1/me']['get']['responses'][200]>;
export type Membership = Me['memberships'][number];
export type SessionSummary = JsonOf<paths['/api/v1/me/sessions']['get']['responses'][200]>['data'][number];
export type ApiKey = JsonOf<paths['/api/v1/me/api-keys']['get']['responses'][200]>['data'][number];
export type CreatedApiKey = JsonOf<paths['/api/v1/me/api-keys']['post']['responses'][201]>;
export type UserSummary = JsonOf<paths['/api/v1/users']['get']['responses'][200]>['data'][number];
export type UserDetail = JsonOf<paths['/api/v1/users/{id}']['get']['responses'][200]>;
export type PlatformRole = NonNullable<UserSummary['platformRole']>;
export type MailSummary = JsonOf<paths['/api/v1/mail']['get']['responses'][200]>['data'][number];
export type MailMessage = JsonOf<paths['/api/v1/mail/{id}']['get']['responses'][200]>;
export type MailStatus = MailSummary['status'];

export const PLATFORM_ROLES: readonly PlatformRole[] = ['platform-admin', 'operator', 'support', 'billing-operator', 'read-only'];
export const MAIL_STATUSES: readonly MailStatus[] = ['queued', 'sent', 'failed', 'stored'];
