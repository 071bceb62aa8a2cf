// Domain errors know nothing about HTTP. Each carries a stable code from the catalogue below; the
// one place that turns them into responses is http/problem.ts.

export const ERROR_CODES = {
  PLAT_VALIDATION_FAILED: 'The request is not valid.',
  PLAT_MALFORMED_REQUEST: 'The request could not be parsed.',
  PLAT_NOT_FOUND: 'The resource does not exist.',
  PLAT_ROUTE_NOT_FOUND: 'No such route.',
  PLAT_METHOD_NOT_ALLOWED: 'The method is not allowed on this resource.',
  PLAT_UNSUPPORTED_MEDIA_TYPE: 'The content type is not supported.',
  PLAT_PAYLOAD_TOO_LARGE: 'The request body is too large.',
  PLAT_CONFLICT: 'The request conflicts with the current state.',
  PLAT_UNPROCESSABLE: 'The request is well-formed but cannot be applied as it stands.',
  PLAT_PASSWORD_POLICY_VIOLATED: 'The password does not meet the password policy.',
  PLAT_INVALID_TRANSITION: 'The resource cannot move to that state from its current state.',
  PLAT_QUOTA_EXCEEDED: 'The tenant’s quota does not allow this.',
  PLAT_OUT_OF_STOCK: 'Not enough of the product is left.',
  PLAT_PRECONDITION_FAILED: 'The resource has changed since it was read.',
  PLAT_UNAUTHENTICATED: 'Authentication is required.',
  PLAT_INVALID_CREDENTIALS: 'The email or password is wrong.',
  PLAT_MFA_REQUIRED: 'Multi-factor authentication must be completed first.',
  PLAT_MFA_CODE_INVALID: 'The authentication code or recovery code is wrong or already used.',
  PLAT_PASSWORD_CHANGE_REQUIRED: 'The password has expired and must be changed first.',
  PLAT_ACCOUNT_LOCKED: 'Too many failed sign-ins: the account is locked for a while.',
  PLAT_RATE_LIMITED: 'Too many attempts: try again later.',
  PLAT_FORBIDDEN: 'You are not allowed to do that.',
  PLAT_TENANT_NOT_ACTIVE: 'The tenant is not active: its status does not allow this.',
  PLAT_SSO_REQUIRED: 'This email address signs in through its organisation’s identity provider.',
  PLAT_CSRF_TOKEN_INVALID: 'The X-CSRF-Token header is missing or wrong.',
  PLAT_IDEMPOTENCY_KEY_REUSED: 'The Idempotency-Key was already used with a different request.',
  PLAT_IDEMPOTENCY_KEY_IN_USE: 'A request with this Idempotency-Key is still being processed.',
  PLAT_DATABASE_UNAVAILABLE: 'The database is unavailable for a moment: retry after the time in Retry-After.',
  PLAT_INTERNAL: 'Something went wrong on our side.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

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
  readonly code: 'PLAT_VALIDATION_FAILED' | 'PLAT_UNPROCESSABLE' | 'PLAT_PASSWORD_POLICY_VIOLATED' = 'PLAT_VALIDATION_FAILED';
  constructor(
    message: string,
    readonly fieldErrors: FieldError[] = [],
    details: Record<string, unknown> = {},
  ) {
    super(message, details);
  }
}

/** One rule of a password policy that a password fails, with the numbers it was judged by (`minLength`). */
export interface FailedPasswordRule {
  /** Stable id: `min_length`, `requires_number`, `requires_special_character`, `common_password`, `contains_email`. */
  rule: string;
  /** For people, completing "The password …": "must be at least 12 characters". */
  message: string;
  minLength?: number;
}

/**
 * A new password refused by the policy that applies to it. Each failed rule is named twice: in
 * `failedRules` for programs (the rule's id and parameters) and in the detail and the field's
 * errors for people, so a form can say exactly what to change.
 */
export class PasswordPolicyError extends ValidationError {
  override readonly code = 'PLAT_PASSWORD_POLICY_VIOLATED';
  constructor(subject: string, pointer: string, failedRules: FailedPasswordRule[]) {
    super(
      `${subject} does not meet the password policy: it ${failedRules.map((failed) => failed.message).join('; it ')}.`,
      failedRules.map((failed) => ({ pointer, message: failed.message })),
      { failedRules },
    );
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

export class InvalidCredentialsError extends UnauthenticatedError {
  override readonly code = 'PLAT_INVALID_CREDENTIALS';
  constructor() {
    super('The email or password is wrong.');
  }
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

export class MfaCodeInvalidError extends DomainError {
  readonly code = 'PLAT_MFA_CODE_INVALID';
  constructor() {
    super('The code is wrong, expired or already used.');
  }
}

/** Refused for a while; `retryAfterSeconds` becomes the Retry-After header. */
export class TooManyAttemptsError extends DomainError {
  constructor(
    readonly code: 'PLAT_ACCOUNT_LOCKED' | 'PLAT_RATE_LIMITED',
    message: string,
    retryAfterSeconds: number,
  ) {
    super(message, { retryAfterSeconds });
  }
}

/** Password sign-in refused: the email's domain must sign in through its tenant's identity provider. */
export class SsoRequiredError extends DomainError {
  readonly code = 'PLAT_SSO_REQUIRED';
  constructor(providerName: string, startUrl: string) {
    super(`Accounts of this email domain sign in with ${providerName}.`, { provider: providerName, startUrl });
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
