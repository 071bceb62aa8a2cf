// The events identity publishes (and the one it subscribes to is tenants'): API keys created and
// revoked, OAuth clients created and deleted, impersonations started and ended. Declared from what
// identity publishes today; its use cases record them through the kernel pipeline.
import { defineEvent } from '../../kernel/events.js';

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
