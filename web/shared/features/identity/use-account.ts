// The signed-in person's own account, as the account pages use it: who they are, their sessions,
// their personal API keys, two-step verification, password and profile, and the tenant they work in.
import { api, unwrap } from '../../api/client.js';
import type { ApiKey, CreatedApiKey, Me, SessionSummary } from '../../api/types.js';
import type { paths } from '../../api/schema.js';
import { useResource, type Resource } from '../../api/use-resource.js';

type JsonOf<T> = T extends { content: { 'application/json': infer Body } } ? Body : never;
export type PersonalApiKeyInput = JsonOf<paths['/api/v1/me/api-keys']['post']['requestBody']>;
export type TotpEnrolment = JsonOf<paths['/api/v1/me/mfa/totp']['post']['responses'][200]>;

export async function readMe(): Promise<Me> {
  return (await unwrap(api.GET('/api/v1/me'))).data;
}

/** What the account pages change about the person; each needs a fresh `readMe` afterwards. */
export interface AccountActions {
  updateProfile(displayName: string | null): Promise<void>;
  /** Sends a new verification link to the account's address. */
  sendEmailVerification(): Promise<void>;
  changePassword(currentPassword: string, newPassword: string): Promise<void>;
  /** Starts (or, with `restart`, starts again) enrolling an authenticator app. */
  enrolTotp(restart?: boolean): Promise<TotpEnrolment>;
  /** Confirms the enrolment with a code from the app; the answer holds the recovery codes. */
  confirmTotp(code: string): Promise<string[]>;
  turnOffMfa(code: string): Promise<void>;
  /** Moves the session to another tenant the person belongs to. */
  switchTenant(tenantId: string): Promise<void>;
}

const accountActions: AccountActions = {
  async updateProfile(displayName) {
    await unwrap(api.PATCH('/api/v1/me', { body: { displayName } }));
  },
  async sendEmailVerification() {
    await unwrap(api.POST('/api/v1/me/email-verification', { body: {} }));
  },
  async changePassword(currentPassword, newPassword) {
    await unwrap(api.POST('/api/v1/me/password', { body: { currentPassword, newPassword } }));
  },
  async enrolTotp(restart) {
    return (await unwrap(api.POST('/api/v1/me/mfa/totp', { body: restart ? { restart: true } : {} }))).data;
  },
  async confirmTotp(code) {
    return (await unwrap(api.POST('/api/v1/me/mfa/totp/confirm', { body: { code } }))).data.recoveryCodes;
  },
  async turnOffMfa(code) {
    await unwrap(api.DELETE('/api/v1/me/mfa', { body: { code } }));
  },
  async switchTenant(tenantId) {
    await unwrap(api.POST('/api/v1/auth/switch-tenant', { body: { tenantId } }));
  },
};

export function useAccountActions(): AccountActions {
  return accountActions;
}

/** The person's sessions, with ending one. */
export function useMySessions(): Resource<SessionSummary[]> & { end(sessionId: string): Promise<void> } {
  const sessions = useResource(async () => (await unwrap(api.GET('/api/v1/me/sessions'))).data.data, []);
  return {
    ...sessions,
    async end(sessionId) {
      await unwrap(api.DELETE('/api/v1/me/sessions/{sessionId}', { params: { path: { sessionId } } }));
    },
  };
}

/** The person's own API keys, with creating and revoking one. */
export function useMyApiKeys(): Resource<ApiKey[]> & { create(body: PersonalApiKeyInput): Promise<CreatedApiKey>; revoke(keyId: string): Promise<void> } {
  const keys = useResource(async () => (await unwrap(api.GET('/api/v1/me/api-keys'))).data.data, []);
  return {
    ...keys,
    async create(body) {
      // No Idempotency-Key: a replayed answer would have to keep the secret, which is never stored.
      return (await unwrap(api.POST('/api/v1/me/api-keys', { body }))).data;
    },
    async revoke(keyId) {
      await unwrap(api.DELETE('/api/v1/me/api-keys/{keyId}', { params: { path: { keyId } } }));
    },
  };
}

/** Ends the impersonation this session is (the operator gets their own session back). */
export async function stopImpersonating(): Promise<void> {
  await unwrap(api.DELETE('/api/v1/impersonations/current'));
}
