// The seed's TenantDocument as JSON Schema (TypeBox): the one definition that validates requests,
// validates the stored document, serialises responses and documents the API.
import { Type, type Static, type TSchema } from 'typebox';
import { StrictObject, Id, PageQuery, Page, named } from '../../kernel/api/schemas.js';

export const TENANT_STATUSES = ['pending', 'active', 'suspended', 'terminated'] as const;
export type TenantStatus = (typeof TENANT_STATUSES)[number];

const Status = named(
  'TenantStatus',
  Type.Union([Type.Literal('pending'), Type.Literal('active'), Type.Literal('suspended'), Type.Literal('terminated')], {
    description: 'pending → active ⇄ suspended → terminated (final)',
  }),
);
const Color = Type.String({ pattern: '^#[0-9a-fA-F]{6}$', description: 'CSS hex colour, #rrggbb' });
const Hostname = Type.String({
  minLength: 3,
  maxLength: 253,
  pattern: '^(?=.{3,253}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\\.)+[a-zA-Z]{2,63}$',
  description: 'A DNS name such as acme.example.com',
});
const Email = Type.String({ format: 'email', maxLength: 320 });
const Count = Type.Integer({ minimum: 0, maximum: 1_000_000_000_000 });
const Timestamp = Type.String({ format: 'date-time' });
const JsonObject = Type.Record(Type.String(), Type.Unknown());

/** Builds an object schema whose properties are all required (documents) or all optional (patches). */
function shape<T extends Record<string, TSchema>>(properties: T, required: boolean) {
  if (required) return StrictObject(properties);
  const optional: Record<string, TSchema> = {};
  for (const [name, schema] of Object.entries(properties)) optional[name] = Type.Optional(schema);
  return StrictObject(optional as { [K in keyof T]: ReturnType<typeof Type.Optional<T[K]>> });
}

const IdentityProvider = named(
  'TenantIdentityProviderSetting',
  StrictObject({
    type: Type.Union([Type.Literal('saml'), Type.Literal('oidc'), Type.Literal('oauth')]),
    name: Type.String({ minLength: 1, maxLength: 100 }),
    config: JsonObject,
    enabled: Type.Boolean(),
  }),
);

/** The settings document (all members required) or a patch of it (all optional), each part named for the API document. */
function settingsSchema(required: boolean) {
  const part = <T extends Record<string, TSchema>>(name: string, properties: T) => named(`Tenant${name}${required ? '' : 'Patch'}`, shape(properties, required));
  return part('Settings', {
    branding: part('Branding', {
      logo: Type.Union([Type.String({ maxLength: 2048 }), Type.Null()], { description: 'Logo URL' }),
      primaryColor: Color,
      secondaryColor: Color,
      customDomain: Type.Union([Hostname, Type.Null()]),
    }),
    // Identity's part (ADR 0017): stored in identity's tables, shown here in the composed document.
    authentication: part('Authentication', {
      providers: Type.Array(IdentityProvider, { maxItems: 20 }),
      passwordPolicy: part('PasswordPolicy', {
        minLength: Type.Integer({ minimum: 8, maximum: 128 }),
        requireSpecialChars: Type.Boolean(),
        requireNumbers: Type.Boolean(),
        maxAge: Type.Integer({ minimum: 0, maximum: 3650, description: 'Days before a password must change; 0 = never' }),
      }),
      mfaRequired: Type.Boolean(),
    }),
    integrations: part('Integrations', { enabled: Type.Array(Type.String({ maxLength: 100 }), { maxItems: 100 }), configurations: JsonObject }),
    compliance: part('Compliance', {
      dataResidency: Type.String({ minLength: 2, maxLength: 50, description: 'Region code, e.g. eu, us, de' }),
      retentionPeriod: Type.Integer({ minimum: 1, maximum: 36500, description: 'Days to keep data' }),
      auditLevel: Type.Union([Type.Literal('basic'), Type.Literal('enhanced'), Type.Literal('comprehensive')]),
      gdprCompliant: Type.Boolean(),
    }),
  });
}

export const Settings = settingsSchema(true);
export const SettingsPatch = settingsSchema(false);

const quotaProperties = {
  maxUsers: Count,
  maxStorage: Type.Integer({ minimum: 0, maximum: 1_000_000_000, description: 'GiB' }),
  maxAPICallsPerMonth: Count,
  maxComputeHours: Count,
  features: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 200, uniqueItems: true }),
  customLimits: Type.Record(Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_.-]{0,63}$' }), Count),
};
export const Quotas = named('TenantQuotas', StrictObject(quotaProperties, { title: 'TenantQuotas' }));
const QuotasPartial = named('TenantQuotasPatch', shape(quotaProperties, false));

const SubscriptionReference = named(
  'TenantSubscription',
  StrictObject({
    subscriptionId: Type.Union([Type.String({ maxLength: 100 }), Type.Null()]),
    tier: Type.String({ minLength: 1, maxLength: 50 }),
    status: Status,
    expiresAt: Type.Union([Timestamp, Type.Null()]),
  }),
);

const CurrentUsage = named(
  'TenantUsage',
  StrictObject({
    users: Count,
    storageUsed: Type.Number({ minimum: 0 }),
    apiCallsThisMonth: Count,
    computeHoursThisMonth: Type.Number({ minimum: 0 }),
    lastUpdated: Timestamp,
  }),
);

/** The stored document: the seed's TenantDocument. */
export const TenantDocument = named(
  'TenantDocument',
  StrictObject(
    {
      tenantId: Id('tenant'),
      organizationName: Type.String({ minLength: 1, maxLength: 200 }),
      domain: Hostname,
      adminEmail: Email,
      subscription: SubscriptionReference,
      quotas: Quotas,
      settings: Settings,
      currentUsage: CurrentUsage,
      status: Status,
      statusReason: Type.Union([Type.String({ maxLength: 500 }), Type.Null()]),
      partnerTenantId: Type.Optional(Type.Union([Id('tenant'), Type.Null()], { description: 'The reseller (partner tenant) this tenant is a customer of' })),
      createdAt: Timestamp,
      updatedAt: Timestamp,
      lastActivityAt: Timestamp,
    },
    { title: 'TenantDocument' },
  ),
);
export type TenantDocument = Static<typeof TenantDocument>;

/**
 * What the tenants module stores of the document: everything but the parts other modules own
 * (settings.authentication is identity's), which the read view composes back in.
 */
const { authentication: _identitysPart, ...ownSettings } = Settings.properties;
export const StoredTenantDocument = StrictObject({ ...TenantDocument.properties, settings: StrictObject(ownSettings) }, { title: 'StoredTenantDocument' });
export type StoredTenantDocument = Static<typeof StoredTenantDocument>;
export type AuthenticationSettings = TenantDocument['settings']['authentication'];
/** A merge patch of the authentication settings; providers are never patched (they have their own endpoints). */
export type AuthenticationSettingsPatch = Omit<NonNullable<NonNullable<UpdateTenantBody['settings']>['authentication']>, 'providers'>;

/** What the API returns: the document plus its id and version (the ETag). */
export const Tenant = named(
  'Tenant',
  Type.Object(
    { id: Id('tenant'), version: Type.Integer({ minimum: 1, description: 'Increases on every change; the ETag is derived from it' }), ...TenantDocument.properties },
    { title: 'Tenant', additionalProperties: false },
  ),
);
export type Tenant = Static<typeof Tenant>;

export const CreateTenantBody = named(
  'CreateTenant',
  StrictObject(
    {
      organizationName: Type.String({ minLength: 1, maxLength: 200 }),
      domain: Hostname,
      adminEmail: Email,
      subscription: Type.Optional(
        StrictObject({
          tier: Type.String({ minLength: 1, maxLength: 50 }),
          subscriptionId: Type.Optional(Type.Union([Type.String({ maxLength: 100 }), Type.Null()])),
          expiresAt: Type.Optional(Type.Union([Timestamp, Type.Null()])),
        }),
      ),
      quotas: Type.Optional(QuotasPartial),
      settings: Type.Optional(SettingsPatch),
      initialStatus: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('pending')], { description: 'Default active' })),
      partnerTenantId: Type.Optional(Id('tenant', 'The partner (reseller) tenant this tenant is a customer of')),
    },
    { title: 'CreateTenant' },
  ),
);
export type CreateTenantBody = Static<typeof CreateTenantBody>;

export const UpdateTenantBody = named(
  'UpdateTenant',
  StrictObject(
    {
      organizationName: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
      domain: Type.Optional(Hostname),
      adminEmail: Type.Optional(Email),
      settings: Type.Optional(SettingsPatch),
    },
    { title: 'UpdateTenant', description: 'A merge patch: given members replace, nested objects merge.' },
  ),
);
export type UpdateTenantBody = Static<typeof UpdateTenantBody>;

export const ReasonBody = named('TenantStatusChange', StrictObject({ reason: Type.String({ minLength: 1, maxLength: 500 }) }));
export const OptionalReasonBody = named('TenantStatusChangeOptionalReason', StrictObject({ reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })) }));

export const TenantIdParams = StrictObject({ id: Id('tenant') });

export const ListTenantsQuery = StrictObject({
  ...PageQuery,
  status: Type.Optional(Status),
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Matches organization name or domain (case-insensitive substring)' })),
});
export type ListTenantsQuery = Static<typeof ListTenantsQuery>;

export const TenantPage = Page(Tenant, 'TenantPage');

export const AuditEntrySchema = named(
  'AuditEntry',
  Type.Object(
    {
      id: Type.String(),
      seq: Type.Integer(),
      occurredAt: Timestamp,
      actor: Type.Object({
        type: Type.String(),
        id: Type.String(),
        label: Type.Optional(Type.String()),
        impersonatorId: Type.Optional(Type.String({ description: 'Platform staff who acted as this user' })),
        impersonatorLabel: Type.Optional(Type.String()),
      }),
      action: Type.String(),
      target: Type.Object({ type: Type.String(), id: Type.String() }),
      before: Type.Unknown(),
      after: Type.Unknown(),
      requestId: Type.Union([Type.String(), Type.Null()]),
      sourceIp: Type.Union([Type.String(), Type.Null()]),
    },
    { title: 'AuditEntry' },
  ),
);
export const AuditPage = Page(AuditEntrySchema, 'AuditEntryPage');
export const AuditQuery = StrictObject({ ...PageQuery });
