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

// Catalog and orders.
export type Product = JsonOf<paths['/api/v1/products/{id}']['get']['responses'][200]>;
export type ProductKind = Product['kind'];
export type ProductVisibility = Product['visibility'];
export type CreateProductInput = JsonOf<paths['/api/v1/products']['post']['requestBody']>;
export type ListProductsQuery = NonNullable<paths['/api/v1/products']['get']['parameters']['query']>;
export type ProductVersion = JsonOf<paths['/api/v1/products/{id}/versions/{version}']['get']['responses'][200]>;
export type VersionStatus = ProductVersion['status'];
export type VersionContent = ProductVersion['content'];
export type VersionContentPatch = JsonOf<paths['/api/v1/products/{id}/versions/{version}']['patch']['requestBody']>;
export type PricePlan = VersionContent['pricePlans'][number];
export type PriceModel = PricePlan['prices'][string];
export type VersionDiff = JsonOf<paths['/api/v1/products/{id}/versions/diff']['get']['responses'][200]>;
export type PricePreviewInput = JsonOf<paths['/api/v1/prices/preview']['post']['requestBody']>;
export type PricePreview = JsonOf<paths['/api/v1/prices/preview']['post']['responses'][200]>;
export type Coupon = JsonOf<paths['/api/v1/coupons/{id}']['get']['responses'][200]>;
export type CreateCouponInput = JsonOf<paths['/api/v1/coupons']['post']['requestBody']>;
export type Order = JsonOf<paths['/api/v1/orders/{id}']['get']['responses'][200]>;
export type OrderStatus = Order['status'];
export type OrderItem = Order['items'][number];
export type TimelineEntry = Order['timeline'][number];
export type ItemChangeInput = JsonOf<paths['/api/v1/orders/{id}/items/{itemId}/change']['post']['requestBody']>;
export type ChangePreview = JsonOf<paths['/api/v1/orders/{id}/items/{itemId}/change-preview']['post']['responses'][200]>;
export type ChangeKind = ChangePreview['kind'];
export type ProrationMode = ItemChangeInput['prorationMode'];
export type ApprovalRule = JsonOf<paths['/api/v1/approval-rules']['get']['responses'][200]>[number];
export type CreateApprovalRuleInput = JsonOf<paths['/api/v1/approval-rules']['post']['requestBody']>;

export const PRODUCT_KINDS: readonly ProductKind[] = ['platform_instance', 'compute', 'storage', 'network', 'dns_zone', 'addon', 'service'];
export const ORDER_STATUSES: readonly OrderStatus[] = ['draft', 'submitted', 'pending_approval', 'awaiting_payment', 'provisioning', 'fulfilled', 'failed', 'cancelled'];
