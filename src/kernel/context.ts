// Who is asking, and on whose behalf: built by the gateway for every request and handed to
// services, which authorise against it and record it in audit entries and events.
import type { Actor } from './audit.js';
import type { Policy } from './authz/policy.js';

export const PLATFORM_ROLES = ['platform-admin', 'operator', 'support', 'billing-operator', 'read-only'] as const;
export type PlatformRole = (typeof PLATFORM_ROLES)[number];

/** Platform staff acting as a tenant user (support): who they really are, and the impersonation. */
export interface Impersonator {
  userId: string;
  email: string;
  impersonationId: string;
  reason: string;
}

export interface Principal {
  userId: string;
  email: string;
  /** The name the person chose to be shown by, when the credential is a person's session and they set one. */
  displayName?: string | null;
  /** Platform staff role; null for everyone else. */
  platformRole: PlatformRole | null;
  /** The tenant the caller is working in (a session's active tenant); null when none. */
  tenantId: string | null;
  /** The caller's role in that tenant: a built-in role name or a custom role id. */
  tenantRole: string | null;
  /** How the request was authenticated. */
  method: 'session' | 'api_key' | 'oauth';
  /** The session behind a cookie-authenticated request (null for bearer credentials). */
  sessionId: string | null;
  /** Who holds the credential: the user for sessions and personal keys, the key or client for service credentials. */
  subjectId: string;
  /** True once the session completed multi-factor authentication. */
  mfa: boolean;
  /** Everything this caller is allowed, resolved per request (so role changes apply at once). */
  policies: Policy[];
  /**
   * Action patterns a credential is limited to (API key and OAuth scopes); null = no limit beyond
   * the policies. An action must be allowed by the policies AND match a scope.
   */
  scopes: string[] | null;
  /** Set while staff impersonate this user: the principal is the user, the impersonator is recorded. */
  impersonator?: Impersonator;
}

export interface RequestContext {
  principal: Principal | null;
  requestId: string;
  sourceIp: string;
}

export function actorOf(context: RequestContext): Actor {
  if (!context.principal) return { type: 'anonymous', id: 'anonymous' };
  const { userId, email, impersonator } = context.principal;
  if (impersonator) return { type: 'user', id: userId, label: email, impersonatorId: impersonator.userId, impersonatorLabel: impersonator.email };
  return { type: 'user', id: userId, label: email };
}

/** A context for work the system does on its own (CLI, jobs). */
export function systemContext(requestId = 'system'): RequestContext {
  return { principal: null, requestId, sourceIp: 'local' };
}
