// Domain errors know nothing about HTTP. Each carries a stable code from the catalogue below; the
// one place that turns them into responses is the gateway's http/problem.ts. Modules add their own
// codes (their manifest's `errors`), so the kernel names none of theirs.

/** An error code's entry in the catalogue: the HTTP status its problem document carries and the title that names it. */
export interface ErrorDefinition {
  status: number;
  title: string;
}
export type ErrorDefinitions = Readonly<Record<string, ErrorDefinition>>;

export const KERNEL_ERRORS = {
  PLAT_VALIDATION_FAILED: { status: 400, title: 'The request is not valid.' },
  PLAT_MALFORMED_REQUEST: { status: 400, title: 'The request could not be parsed.' },
  PLAT_NOT_FOUND: { status: 404, title: 'The resource does not exist.' },
  PLAT_ROUTE_NOT_FOUND: { status: 404, title: 'No such route.' },
  PLAT_METHOD_NOT_ALLOWED: { status: 405, title: 'The method is not allowed on this resource.' },
  PLAT_UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'The content type is not supported.' },
  PLAT_PAYLOAD_TOO_LARGE: { status: 413, title: 'The request body is too large.' },
  PLAT_CONFLICT: { status: 409, title: 'The request conflicts with the current state.' },
  PLAT_UNPROCESSABLE: { status: 422, title: 'The request is well-formed but cannot be applied as it stands.' },
  PLAT_INVALID_TRANSITION: { status: 409, title: 'The resource cannot move to that state from its current state.' },
  PLAT_QUOTA_EXCEEDED: { status: 409, title: 'The tenant’s quota does not allow this.' },
  PLAT_OUT_OF_STOCK: { status: 409, title: 'Not enough of the product is left.' },
  PLAT_PRECONDITION_FAILED: { status: 412, title: 'The resource has changed since it was read.' },
  PLAT_UNAUTHENTICATED: { status: 401, title: 'Authentication is required.' },
  PLAT_MFA_REQUIRED: { status: 401, title: 'Multi-factor authentication must be completed first.' },
  PLAT_PASSWORD_CHANGE_REQUIRED: { status: 403, title: 'The password has expired and must be changed first.' },
  PLAT_RATE_LIMITED: { status: 429, title: 'Too many attempts: try again later.' },
  PLAT_FORBIDDEN: { status: 403, title: 'You are not allowed to do that.' },
  PLAT_TENANT_NOT_ACTIVE: { status: 403, title: 'The tenant is not active: its status does not allow this.' },
  PLAT_CSRF_TOKEN_INVALID: { status: 403, title: 'The X-CSRF-Token header is missing or wrong.' },
  PLAT_IDEMPOTENCY_KEY_REUSED: { status: 422, title: 'The Idempotency-Key was already used with a different request.' },
  PLAT_IDEMPOTENCY_KEY_IN_USE: { status: 409, title: 'A request with this Idempotency-Key is still being processed.' },
  PLAT_DATABASE_UNAVAILABLE: { status: 503, title: 'The database is unavailable for a moment: retry after the time in Retry-After.' },
  PLAT_INTERNAL: { status: 500, title: 'Something went wrong on our side.' },
} as const satisfies ErrorDefinitions;

/**
 * The error codes modules add to the catalogue, by declaration merging in the module's errors.ts
 * (`declare module '../../kernel/errors.js' { interface ModuleErrorCodes { PLAT_SSO_REQUIRED: true } }`);
 * their definitions reach the catalogue through the module's manifest (registerErrors).
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by declaration merging
export interface ModuleErrorCodes {}

export type ErrorCode = keyof typeof KERNEL_ERRORS | (keyof ModuleErrorCodes & string);

const catalogue = new Map<string, ErrorDefinition>(Object.entries(KERNEL_ERRORS));

/** Adds a module's codes to the one catalogue; a code defined twice differently is a programming error. */
export function registerErrors(definitions: ErrorDefinitions): void {
  for (const [code, definition] of Object.entries(definitions)) {
    const known = catalogue.get(code);
    if (known && (known.status !== definition.status || known.title !== definition.title)) throw new Error(`error code ${code} is defined twice`);
    catalogue.set(code, definition);
  }
}

/** A code's definition; an unregistered code (a module left out of the registry) answers as PLAT_INTERNAL. */
export function errorDefinition(code: string): ErrorDefinition {
  return catalogue.get(code) ?? KERNEL_ERRORS.PLAT_INTERNAL;
}

/** Every code in the catalogue (kernel and registered modules), for documentation and tests. */
export function errorCatalogue(): ReadonlyMap<string, ErrorDefinition> {
  return catalogue;
}

export interface FieldError {
  /** JSON pointer into the request body or query (`/settings/branding/primaryColor`). */
  pointer: string;
  message: string;
  /** Which part of the request the pointer is into, when not the body (`query`, `configuration`). */
  in?: string;
}

export abstract class DomainError extends Error {
  abstract readonly code: ErrorCode;
  /** Extra members for the problem document (e.g. the current status). */
  readonly details: Record<string, unknown>;
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = new.target.name;
    this.details = details;
  }
}

export class NotFoundError extends DomainError {
  readonly code = 'PLAT_NOT_FOUND';
  constructor(kind: string, id: string) {
    super(`${kind} ${id} does not exist.`);
  }
}

export class ValidationError extends DomainError {
  readonly code: ErrorCode = 'PLAT_VALIDATION_FAILED';
  constructor(
    message: string,
    readonly fieldErrors: FieldError[] = [],
    details: Record<string, unknown> = {},
  ) {
    super(message, details);
  }
}

/**
 * The request is valid as JSON and against its route schema, but its content cannot be applied: a
 * configuration that violates the product's schema, a price in a currency the plan does not have, a
 * version whose schema does not compile. 422 with one entry per problem, each with a JSON pointer.
 */
export class UnprocessableError extends ValidationError {
  override readonly code = 'PLAT_UNPROCESSABLE';
}

export class ConflictError extends DomainError {
  readonly code: ErrorCode = 'PLAT_CONFLICT';
}

export class InvalidTransitionError extends ConflictError {
  override readonly code = 'PLAT_INVALID_TRANSITION';
  constructor(kind: string, currentStatus: string, action: string) {
    super(`A ${currentStatus} ${kind} cannot be ${action}.`, { currentStatus });
  }
}

/** Details: `quota`, `limit`, `current` (what live orders already use) and `requested`. */
export class QuotaExceededError extends ConflictError {
  override readonly code = 'PLAT_QUOTA_EXCEEDED';
}

export class OutOfStockError extends ConflictError {
  override readonly code = 'PLAT_OUT_OF_STOCK';
}

export class PreconditionFailedError extends DomainError {
  readonly code = 'PLAT_PRECONDITION_FAILED';
}

export class UnauthenticatedError extends DomainError {
  readonly code: ErrorCode = 'PLAT_UNAUTHENTICATED';
}

export class ForbiddenError extends DomainError {
  readonly code: ErrorCode = 'PLAT_FORBIDDEN';
}

/** The tenant's status (pending, suspended, terminated) does not allow this. */
export class TenantNotActiveError extends ForbiddenError {
  override readonly code = 'PLAT_TENANT_NOT_ACTIVE';
  constructor(tenantId: string, tenantStatus: string, what: string) {
    super(`The tenant is ${tenantStatus}: ${what}`, { tenantId, tenantStatus });
  }
}

/** Refused for a while; `retryAfterSeconds` becomes the Retry-After header. */
export class TooManyAttemptsError extends DomainError {
  constructor(
    readonly code: ErrorCode,
    message: string,
    retryAfterSeconds: number,
  ) {
    super(message, { retryAfterSeconds });
  }
}

/**
 * The database cannot be reached (it crashed, restarts, or is being recovered). Nothing of the
 * request is known to have committed; the client retries after `retryAfterSeconds` (with its
 * Idempotency-Key, a retried write returns the first outcome if it did commit).
 */
export class DatabaseUnavailableError extends DomainError {
  readonly code = 'PLAT_DATABASE_UNAVAILABLE';
  constructor(retryAfterSeconds = 1) {
    super('The database is not reachable right now; retry shortly.', { retryAfterSeconds });
  }
}
