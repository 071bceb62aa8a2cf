// Who is asking, and on whose behalf: built by the gateway for every request and handed to
// services, which authorise against it and record it in audit entries and events.
import type { Actor } from './audit.js';

export type PlatformRole = 'platform-admin';

export interface Principal {
  userId: string;
  email: string;
  /** Platform staff role; null for a tenant user (later issues). */
  platformRole: PlatformRole | null;
  /** How the request was authenticated. Cookie sessions must also present the CSRF token. */
  method: 'session';
  sessionId: string;
}

export interface RequestContext {
  principal: Principal | null;
  requestId: string;
  sourceIp: string;
}

export function actorOf(context: RequestContext): Actor {
  if (!context.principal) return { type: 'anonymous', id: 'anonymous' };
  return { type: 'user', id: context.principal.userId, label: context.principal.email };
}

/** A context for work the system does on its own (CLI, jobs). */
export function systemContext(requestId = 'system'): RequestContext {
  return { principal: null, requestId, sourceIp: 'local' };
}
