// Named types for the documents the apps handle: the API's named schemas (components.schemas of the
// OpenAPI document, one per resource; see `named` in src/kernel/api/schemas.ts), so they follow the
// server's schemas. Query parameters are not schemas of their own and are read off `paths`.
import type { components, paths } from './schema.js';

type Schemas = components['schemas'];

export type Session = Schemas['Session'];
export type Tenant = Schemas['Tenant'];
export type TenantStatus = Schemas['TenantStatus'];
export type TenantQuotas = Schemas['TenantQuotas'];
export type TenantSettings = Schemas['TenantSettings'];
export type CreateTenantInput = Schemas['CreateTenant'];
export type ListTenantsQuery = NonNullable<paths['/api/v1/tenants']['get']['parameters']['query']>;
export type AuditEntry = Schemas['AuditEntry'];

export const TENANT_STATUSES: readonly TenantStatus[] = ['pending', 'active', 'suspended', 'terminated'];
export type Me = Schemas['Me'];
export type Membership = Schemas['Membership'];
export type SessionSummary = Schemas['SessionSummary'];
export type ApiKey = Schemas['ApiKey'];
export type CreatedApiKey = Schemas['CreatedApiKey'];
export type UserSummary = Schemas['UserSummary'];
export type UserDetail = Schemas['UserDetail'];
export type PlatformRole = Schemas['PlatformRole'];
export type MailSummary = Schemas['MailSummary'];
export type MailMessage = Schemas['MailMessage'];
export type MailStatus = Schemas['MailStatus'];

export const PLATFORM_ROLES: readonly PlatformRole[] = ['platform-admin', 'operator', 'support', 'billing-operator', 'read-only'];
export const MAIL_STATUSES: readonly MailStatus[] = ['queued', 'sent', 'failed', 'stored'];

// Tenant access: members, invitations, roles, OAuth clients, identity providers.
export type Member = Schemas['Member'];
export type Invitation = Schemas['Invitation'];
export type Role = Schemas['Role'];
export type PolicyStatement = Schemas['PolicyStatement'];
export type OAuthClient = Schemas['OAuthClient'];
export type CreatedOAuthClient = Schemas['CreatedOAuthClient'];
export type IdentityProvider = Schemas['IdentityProvider'];

// Catalog and orders.
export type Product = Schemas['Product'];
export type ProductKind = Schemas['ProductKind'];
export type ProductVisibility = Schemas['ProductVisibility'];
export type CreateProductInput = Schemas['CreateProduct'];
export type ListProductsQuery = NonNullable<paths['/api/v1/products']['get']['parameters']['query']>;
export type ProductVersion = Schemas['ProductVersion'];
export type VersionStatus = ProductVersion['status'];
export type VersionContent = Schemas['VersionContent'];
export type VersionContentPatch = Schemas['VersionContentPatch'];
export type PricePlan = Schemas['PricePlan'];
export type PriceModel = Schemas['PriceModel'];
export type VersionDiff = Schemas['VersionDiff'];
export type PricePreviewInput = Schemas['PricePreviewRequest'];
export type PricePreview = Schemas['PricePreview'];
export type Coupon = Schemas['Coupon'];
export type CreateCouponInput = Schemas['CreateCoupon'];
export type Order = Schemas['Order'];
export type OrderStatus = Schemas['OrderStatus'];
export type OrderItem = Schemas['OrderItem'];
export type TimelineEntry = Schemas['OrderTimelineEntry'];
export type ItemChangeInput = Schemas['ItemChange'];
export type ChangePreview = Schemas['ChangePreview'];
export type ChangeKind = Schemas['ItemChangeKind'];
export type ProrationMode = ItemChangeInput['prorationMode'];
export type ApprovalRule = Schemas['ApprovalRule'];
export type CreateApprovalRuleInput = Schemas['CreateApprovalRule'];

export const PRODUCT_KINDS: readonly ProductKind[] = ['platform_instance', 'compute', 'storage', 'network', 'dns_zone', 'addon', 'service'];
export const ORDER_STATUSES: readonly OrderStatus[] = ['draft', 'submitted', 'pending_approval', 'awaiting_payment', 'provisioning', 'fulfilled', 'failed', 'cancelled'];
