// The events identity publishes (and the one it subscribes to is tenants'): API keys created and
// revoked, OAuth clients created and deleted, impersonations started and ended, a tenant's identity
// providers and authentication settings changed, single sign-ons refused. Declared from what
// identity publishes today; its use cases record them through the kernel pipeline.
import { defineEvent, type EventContract } from '../../kernel/events.js';

export interface ApiKeyPayload {
  keyId: string;
  kind: string;
  prefix: string;
  userId: string | null;
}
export const ApiKeyCreated = defineEvent<ApiKeyPayload>('identity.api_key.created', { version: 1 });
export const ApiKeyRevoked = defineEvent<ApiKeyPayload>('identity.api_key.revoked', { version: 1 });

export interface OAuthClientPayload {
  clientId: string;
  tenantId: string | null;
  grantType: string;
}
export const OAuthClientCreated = defineEvent<OAuthClientPayload>('identity.oauth_client.created', { version: 1 });
export const OAuthClientDeleted = defineEvent<OAuthClientPayload>('identity.oauth_client.deleted', { version: 1 });

export interface ImpersonationPayload {
  impersonationId: string;
  userId: string;
  staffUserId: string;
}
export const ImpersonationStarted = defineEvent<ImpersonationPayload>('identity.impersonation.started', { version: 1 });
export const ImpersonationEnded = defineEvent<ImpersonationPayload>('identity.impersonation.ended', { version: 1 });

export interface IdentityProviderPayload {
  tenantId: string;
  providerId: string;
  /** The version of the tenant's list of providers after the change (its ETag). */
  version: number;
}
export const IdentityProviderCreated = defineEvent<IdentityProviderPayload>('identity.identity_provider.created', { version: 1 });
export const IdentityProviderUpdated = defineEvent<IdentityProviderPayload>('identity.identity_provider.updated', { version: 1 });
export const IdentityProviderDeleted = defineEvent<IdentityProviderPayload>('identity.identity_provider.deleted', { version: 1 });

export interface AuthenticationSettingsPayload {
  tenantId: string;
  /** The version of the tenant's authentication settings after the change (their ETag). */
  version: number;
}
export const AuthenticationSettingsUpdated = defineEvent<AuthenticationSettingsPayload>('identity.authentication_settings.updated', { version: 1 });

/** A sign-in through a tenant's identity provider refused: the reason's code, never the provider's answer. */
export interface SsoSignInFailedPayload {
  tenantId: string;
  providerId: string;
  reason: string;
}
export const SsoSignInFailed = defineEvent<SsoSignInFailedPayload>('identity.sso.sign_in.failed', { version: 1 });

/**
 * Every other change identity records, each announced by an event of the audit action's name. Their
 * payloads carry ids, roles and flags, never secrets; they are declared here, version 1, and looked
 * up by name where one use case records several kinds (`identityEvent(action)`), which refuses a
 * name not declared here.
 */
export const IDENTITY_EVENT_TYPES = [
  'identity.account.locked',
  'identity.account.unlocked',
  'identity.email.verification_sent',
  'identity.email.verified',
  'identity.invitation.accepted',
  'identity.invitation.created',
  'identity.invitation.resent',
  'identity.invitation.revoked',
  'identity.member.added',
  'identity.member.removed',
  'identity.member.role_changed',
  'identity.mfa.disabled',
  'identity.mfa.enrolled',
  'identity.mfa.enrolment_started',
  'identity.mfa.failed',
  'identity.mfa.locked',
  'identity.mfa.recovery_code_used',
  'identity.mfa.verified',
  'identity.oauth_consent.granted',
  'identity.password.change_failed',
  'identity.password.changed',
  'identity.password.reset',
  'identity.password.reset_requested',
  'identity.profile.updated',
  'identity.role.created',
  'identity.role.deleted',
  'identity.role.updated',
  'identity.session.ended',
  'identity.session.revoked',
  'identity.session.started',
  'identity.sign_in.failed',
  'identity.sign_in.succeeded',
  'identity.staff.created',
  'identity.staff.invited',
  'identity.staff.role_changed',
  'identity.staff.role_granted',
  'identity.staff.role_revoked',
  'identity.tenant.switched',
  'identity.user.created',
  'identity.user.sessions_revoked',
] as const;
export type IdentityEventType = (typeof IDENTITY_EVENT_TYPES)[number];

const contracts = new Map<string, EventContract<object>>([
  ...IDENTITY_EVENT_TYPES.map((type) => [type, defineEvent<object>(type, { version: 1 })] as const),
  ...[
    ApiKeyCreated,
    ApiKeyRevoked,
    OAuthClientCreated,
    OAuthClientDeleted,
    ImpersonationStarted,
    ImpersonationEnded,
    IdentityProviderCreated,
    IdentityProviderUpdated,
    IdentityProviderDeleted,
    AuthenticationSettingsUpdated,
    SsoSignInFailed,
  ].map((contract) => [contract.type, contract as EventContract<object>] as const),
]);

/** The contract of an identity event by its name; a name identity does not declare is a programming error. */
export function identityEvent(type: string): EventContract<object> {
  const contract = contracts.get(type);
  if (!contract) throw new Error(`identity publishes no event named ${type}: declare it in identity/events.ts`);
  return contract;
}
