// Identity's error codes, added to the platform's one catalogue through the manifest (module.ts):
// wrong credentials, a locked account, a refused password, a wrong second factor, and an email
// domain that must sign in through its identity provider.
import { DomainError, UnauthenticatedError, ValidationError, type ErrorDefinitions } from '../../kernel/errors.js';

declare module '../../kernel/errors.js' {
  interface ModuleErrorCodes {
    PLAT_PASSWORD_POLICY_VIOLATED: true;
    PLAT_INVALID_CREDENTIALS: true;
    PLAT_MFA_CODE_INVALID: true;
    PLAT_ACCOUNT_LOCKED: true;
    PLAT_SSO_REQUIRED: true;
  }
}

export const IDENTITY_ERRORS = {
  PLAT_PASSWORD_POLICY_VIOLATED: { status: 400, title: 'The password does not meet the password policy.' },
  PLAT_INVALID_CREDENTIALS: { status: 401, title: 'The email or password is wrong.' },
  PLAT_MFA_CODE_INVALID: { status: 400, title: 'The authentication code or recovery code is wrong or already used.' },
  PLAT_ACCOUNT_LOCKED: { status: 423, title: 'Too many failed sign-ins: the account is locked for a while.' },
  PLAT_SSO_REQUIRED: { status: 403, title: 'This email address signs in through its organisation’s identity provider.' },
} as const satisfies ErrorDefinitions;

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

export class InvalidCredentialsError extends UnauthenticatedError {
  override readonly code = 'PLAT_INVALID_CREDENTIALS';
  constructor() {
    super('The email or password is wrong.');
  }
}

export class MfaCodeInvalidError extends DomainError {
  readonly code = 'PLAT_MFA_CODE_INVALID';
  constructor() {
    super('The code is wrong, expired or already used.');
  }
}

/** Password sign-in refused: the email's domain must sign in through its tenant's identity provider. */
export class SsoRequiredError extends DomainError {
  readonly code = 'PLAT_SSO_REQUIRED';
  constructor(providerName: string, startUrl: string) {
    super(`Accounts of this email domain sign in with ${providerName}.`, { provider: providerName, startUrl });
  }
}
