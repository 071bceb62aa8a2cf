// The one way the apps talk to the server: a client typed by the generated OpenAPI schema
// (schema.d.ts; regenerate with `npm run gen:api`). The session cookie is HttpOnly and travels by
// itself; writes must also echo the session's CSRF token, which this module keeps and attaches.
import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema.js';
import { apiErrorFrom } from './problem.js';

const SIGN_IN_PATH = '/api/v1/auth/sign-in';
const SIGN_OUT_PATH = '/api/v1/auth/sign-out';
const SESSION_PATH = '/api/v1/auth/session';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Writes that need no session (and so carry no CSRF token): their own token or credentials authenticate them. */
const PUBLIC_WRITES = new Set([
  SIGN_IN_PATH,
  '/api/v1/auth/discover',
  '/api/v1/invitations/preview',
  '/api/v1/invitations/accept',
  '/api/v1/auth/password-reset',
  '/api/v1/auth/password-reset/confirm',
  '/api/v1/auth/verify-email',
]);
/** A wrong current password (changing it) is 401 too, but the session is still there. */
const WRONG_PASSWORD = 'PLAT_INVALID_CREDENTIALS';

export const api = createClient<paths>({ baseUrl: '', credentials: 'same-origin' });

let csrfToken: string | undefined;
const sessionEndedListeners = new Set<() => void>();

/** Called when the server says the session is gone (expired, signed out elsewhere). */
export function onSessionEnded(listener: () => void): () => void {
  sessionEndedListeners.add(listener);
  return () => sessionEndedListeners.delete(listener);
}

async function loadCsrfToken(): Promise<string | undefined> {
  // A GET, so this request does not come back through the token step below.
  const { data } = await api.GET(SESSION_PATH);
  return data?.csrfToken;
}

function hasCsrfToken(body: unknown): body is { csrfToken: string } {
  return typeof body === 'object' && body !== null && typeof (body as { csrfToken?: unknown }).csrfToken === 'string';
}

async function problemCode(response: Response): Promise<unknown> {
  try {
    const body: unknown = await response.clone().json();
    return typeof body === 'object' && body !== null ? (body as { code?: unknown }).code : undefined;
  } catch {
    return undefined;
  }
}

const csrfMiddleware: Middleware = {
  async onRequest({ request, schemaPath }) {
    // Public writes have no session (and so no token) yet.
    if (SAFE_METHODS.has(request.method) || PUBLIC_WRITES.has(schemaPath)) return undefined;
    csrfToken ??= await loadCsrfToken();
    if (csrfToken) request.headers.set('X-CSRF-Token', csrfToken);
    return request;
  },
  async onResponse({ response, schemaPath }) {
    if (response.ok && (schemaPath === SIGN_IN_PATH || schemaPath === SESSION_PATH)) {
      // Both answer with the Session document, which carries the token for later writes.
      const session: unknown = await response.clone().json();
      if (hasCsrfToken(session)) csrfToken = session.csrfToken;
    } else if (response.ok && schemaPath === SIGN_OUT_PATH) {
      csrfToken = undefined;
    } else if (response.status === 403) {
      // The token may belong to an older session (signed in again in another tab): fetch it afresh
      // before the next write instead of failing every write from now on.
      csrfToken = undefined;
    } else if (response.status === 401 && !PUBLIC_WRITES.has(schemaPath) && (await problemCode(response)) !== WRONG_PASSWORD) {
      csrfToken = undefined;
      for (const listener of sessionEndedListeners) listener();
    }
    return undefined;
  },
};

api.use(csrfMiddleware);

interface ClientResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/**
 * Awaits a client call and returns its data and response (for headers such as ETag), or throws an
 * ApiError carrying the problem document. Network failures become an ApiError too.
 */
export async function unwrap<T>(call: Promise<ClientResult<T>>): Promise<{ data: T; response: Response }> {
  let result: ClientResult<T>;
  try {
    result = await call;
  } catch {
    throw apiErrorFrom(undefined, undefined);
  }
  if (!result.response.ok || result.error !== undefined) throw apiErrorFrom(result.error, result.response);
  return { data: result.data as T, response: result.response };
}
