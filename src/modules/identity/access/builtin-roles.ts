// The built-in roles, as policies over the engine in kernel/authz. Platform roles reach every
// tenant (`prn:*:…`) and platform-level things (`prn:platform:…`); tenant roles reach only the
// caller's active tenant (`prn:${tenant}:…`); partner roles reach the partner's customer tenants
// (`prn:${customer}:…`, one binding per customer). Actions are `service:resource.verb`.
import type { Policy, Statement } from '../../../kernel/authz/policy.js';
import type { PlatformRole, RequestContext } from '../../../kernel/context.js';

const ALL = 'prn:*:*/*';
const TENANT = 'prn:${tenant}:*/*';
const allow = (actions: string[], resources: string[], sid?: string): Statement => ({ effect: 'allow', actions, resources, ...(sid ? { sid } : {}) });
const deny = (actions: string[], resources: string[], sid?: string): Statement => ({ effect: 'deny', actions, resources, ...(sid ? { sid } : {}) });
const READS = ['*:*.read', '*:*.list'];
/** Administration of who can do what inside a tenant: members, roles, keys, identity providers. */
const TENANT_ADMINISTRATION = ['identity:member.*', 'identity:role.*', 'identity:invitation.*', 'identity:api-key.*', 'identity:oauth-client.*', 'identity:identity-provider.*'];

export const PLATFORM_ROLE_POLICIES: Record<PlatformRole, Statement[]> = {
  'platform-admin': [allow(['*'], [ALL], 'platform-admin')],
  // Operators run tenants for their customers: a tenant's members and invitations included (the
  // admin console's tenant page), so a customer locked out of their own tenant can be helped in.
  operator: [
    allow(['tenants:*', 'identity:authentication-settings.*', 'notifications:*', 'catalog:*', 'orders:*', 'operations:*', 'identity:user.*', 'identity:member.*', 'identity:invitation.*', ...READS], [ALL], 'operate'),
    deny(['identity:staff.*'], [ALL], 'no-staff-admin'),
  ],
  support: [allow([...READS, 'identity:impersonation.start'], [ALL], 'support')],
  'billing-operator': [allow(['billing:*', 'tenants:tenant.read', 'tenants:tenant.list'], [ALL], 'billing')],
  'read-only': [allow(READS, [ALL], 'read-only')],
};

export const TENANT_ROLES = ['owner', 'admin', 'billing', 'developer', 'member', 'read-only'] as const;
export const PARTNER_ROLES = ['partner-admin', 'partner-agent'] as const;
export type TenantRole = (typeof TENANT_ROLES)[number];
export type PartnerRole = (typeof PARTNER_ROLES)[number];
export type BuiltinRole = TenantRole | PartnerRole;

export const BUILTIN_ROLE_DESCRIPTIONS: Record<BuiltinRole, string> = {
  owner: 'Everything in the tenant (never the operator’s decisions: quotas, status, approvals)',
  admin: 'Everything in the tenant an owner may do',
  billing: 'Billing, invoices and payments; reads the tenant',
  developer: 'API keys, OAuth clients, instances and deployments; reads the rest (not tenant administration)',
  member: 'Reads the tenant’s resources; no tenant administration',
  'read-only': 'Reads the tenant’s resources; no tenant administration',
  'partner-admin': 'Manages the partner’s customer tenants and their members',
  'partner-agent': 'Reads the partner’s customer tenants and helps them',
};

const NO_TENANT_ADMIN = deny(TENANT_ADMINISTRATION, [TENANT], 'no-tenant-administration');

export const TENANT_ROLE_POLICIES: Record<BuiltinRole, Statement[]> = {
  owner: [allow(['*'], [TENANT], 'owner')],
  admin: [allow(['*'], [TENANT], 'admin')],
  billing: [allow(['billing:*', 'tenants:tenant.read'], [TENANT], 'billing')],
  developer: [
    allow(['identity:api-key.*', 'identity:oauth-client.*', 'instances:*', 'deployments:*', ...READS], [TENANT], 'developer'),
    deny(['identity:member.*', 'identity:role.*', 'identity:invitation.*', 'identity:identity-provider.*'], [TENANT], 'no-tenant-administration'),
  ],
  member: [allow(READS, [TENANT], 'member'), NO_TENANT_ADMIN],
  'read-only': [allow(READS, [TENANT], 'read-only'), NO_TENANT_ADMIN],
  // Bound per customer tenant by the resolver (the `${tenant}` variable is the partner's own tenant).
  // A tenant's authentication settings were part of its document (tenants:tenant.update) until they
  // moved to identity (ADR 0017): whoever could change them there still can.
  'partner-admin': [allow(['tenants:*', 'identity:authentication-settings.*', 'identity:member.*', 'identity:invitation.*', ...READS], [TENANT], 'partner-admin')],
  'partner-agent': [allow([...READS, 'tenants:tenant.update', 'identity:authentication-settings.update'], [TENANT], 'partner-agent')],
};

/** What every signed-in person may do to their own account, whatever their roles. */
export const SELF_SERVICE: Statement[] = [allow(['identity:self.*', 'identity:session.*', 'identity:tenant.switch'], ['prn:platform:user/${user}'], 'self-service')];

export function isBuiltinRole(role: string): role is BuiltinRole {
  return (TENANT_ROLES as readonly string[]).includes(role) || (PARTNER_ROLES as readonly string[]).includes(role);
}

/** Statements with `${tenant}` replaced by a fixed tenant id (for partner customers). */
export function bindTenant(statements: Statement[], tenantId: string): Statement[] {
  return statements.map((s) => ({ ...s, resources: s.resources.map((r) => r.split('${tenant}').join(tenantId)) }));
}

export function policiesFor(input: {
  platformRole: PlatformRole | null;
  tenantRole: string | null;
  customStatements: Statement[] | null;
  partnerCustomers: string[];
}): Policy[] {
  const policies: Policy[] = [{ name: 'self-service', statements: SELF_SERVICE }];
  if (input.platformRole) policies.push({ name: `platform:${input.platformRole}`, statements: PLATFORM_ROLE_POLICIES[input.platformRole], platform: true });
  if (input.tenantRole) {
    if (isBuiltinRole(input.tenantRole)) policies.push({ name: `tenant:${input.tenantRole}`, statements: TENANT_ROLE_POLICIES[input.tenantRole] });
    else if (input.customStatements) policies.push({ name: `custom:${input.tenantRole}`, statements: input.customStatements });
    if ((PARTNER_ROLES as readonly string[]).includes(input.tenantRole)) {
      for (const customer of input.partnerCustomers) {
        policies.push({ name: `partner:${input.tenantRole}:${customer}`, statements: bindTenant(TENANT_ROLE_POLICIES[input.tenantRole as PartnerRole], customer) });
      }
    }
  }
  return policies;
}

/**
 * The person at the server's console (the `platforma` CLI): whoever can run it can read the owner
 * database URL, so they act with platform-admin authority, recorded as `console` in the audit log.
 */
export function consoleOperatorContext(requestId = 'cli'): RequestContext {
  return {
    principal: {
      userId: 'console',
      email: 'console operator',
      platformRole: 'platform-admin',
      tenantId: null,
      tenantRole: null,
      method: 'session',
      sessionId: null,
      subjectId: 'console',
      mfa: true,
      policies: policiesFor({ platformRole: 'platform-admin', tenantRole: null, customStatements: null, partnerCustomers: [] }),
      scopes: null,
    },
    requestId,
    sourceIp: 'local',
  };
}
