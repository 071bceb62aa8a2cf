// Signing in and what comes before a session: the session document, discovering how an address
// signs in, passwords forgotten and reset, verifying an address, the second step of a sign-in,
// and invitations previewed and accepted. The session context (auth/session.tsx) and the public
// pages use these.
import { api, unwrap } from '../../api/client.js';
import type { paths } from '../../api/schema.js';
import type { Session } from '../../api/types.js';

type JsonOf<T> = T extends { content: { 'application/json': infer Body } } ? Body : never;
export type SignInDiscovery = JsonOf<paths['/api/v1/auth/discover']['post']['responses'][200]>;
export type DiscoverInput = JsonOf<paths['/api/v1/auth/discover']['post']['requestBody']>;
export type MfaVerifyInput = JsonOf<paths['/api/v1/auth/mfa/verify']['post']['requestBody']>;
export type InvitationPreview = JsonOf<paths['/api/v1/invitations/preview']['post']['responses'][200]>;

export const auth = {
  async session(): Promise<Session> {
    return (await unwrap(api.GET('/api/v1/auth/session'))).data;
  },
  async signIn(email: string, password: string): Promise<Session> {
    return (await unwrap(api.POST('/api/v1/auth/sign-in', { body: { email, password } }))).data;
  },
  async signOut(): Promise<void> {
    await unwrap(api.POST('/api/v1/auth/sign-out'));
  },
  async discover(body: DiscoverInput): Promise<SignInDiscovery> {
    return (await unwrap(api.POST('/api/v1/auth/discover', { body }))).data;
  },
  async verifyMfa(body: MfaVerifyInput): Promise<void> {
    await unwrap(api.POST('/api/v1/auth/mfa/verify', { body }));
  },
  async requestPasswordReset(email: string): Promise<void> {
    await unwrap(api.POST('/api/v1/auth/password-reset', { body: { email } }));
  },
  async resetPassword(token: string, newPassword: string): Promise<void> {
    await unwrap(api.POST('/api/v1/auth/password-reset/confirm', { body: { token, newPassword } }));
  },
  async verifyEmail(token: string): Promise<void> {
    await unwrap(api.POST('/api/v1/auth/verify-email', { body: { token } }));
  },
  async previewInvitation(token: string): Promise<InvitationPreview> {
    return (await unwrap(api.POST('/api/v1/invitations/preview', { body: { token } }))).data;
  },
  async acceptInvitation(token: string, password: string): Promise<void> {
    await unwrap(api.POST('/api/v1/invitations/accept', { body: { token, password } }));
  },
};

/** The calls of signing in and of the public pages (stable: safe in effects). */
export function useAuth(): typeof auth {
  return auth;
}
