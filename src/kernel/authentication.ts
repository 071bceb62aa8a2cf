// The authentication port: what the gateway asks of whoever proves who a caller is (identity
// implements it), in terms of neither HTTP nor any module. The gateway turns credentials found on a
// request into an `Authentication`; services only ever see the `RequestContext` built from it.
import type { Principal } from './context.js';

/** The cookie that carries a browser session's token (set by identity's sign-in, read by the gateway). */
export const SESSION_COOKIE = 'platforma_session';

export const SESSION_RESTRICTIONS = ['mfa_verify', 'mfa_enroll', 'password_change'] as const;
/** What a half-signed-in session must do before it may do anything else. */
export type SessionRestriction = (typeof SESSION_RESTRICTIONS)[number];

export interface Authentication {
  principal: Principal;
  /** The session's CSRF token: set for cookie sessions, whose writes must echo it. */
  csrfToken: string | null;
  expiresAt: Date | null;
  /** What the session must do before it may do anything else; null for a fully signed-in one. */
  restriction: SessionRestriction | null;
}

export interface Authenticators {
  /** Resolves a session cookie's token. */
  session(token: string): Promise<Authentication | undefined>;
  /** Resolves a bearer token (API key or OAuth access token). */
  bearer?(token: string): Promise<Authentication | undefined>;
  /** Benchmark only (config.insecureNoAuth): what a request without credentials acts as. Absent otherwise. */
  insecureNoAuth?: Authentication;
}
