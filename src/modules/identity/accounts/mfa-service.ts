// Use cases of the second factor: TOTP enrolment (secret, otpauth URL, QR code), its confirmation
// (which hands out 10 single-use recovery codes, shown once, stored as hashes), the MFA step of
// sign-in (a code or a recovery code), and turning MFA off (with a current code, and never where it
// is mandatory). The TOTP seed is stored sealed with the installation key (kernel/encryption.ts).
// Wrong codes are throttled like passwords; every outcome is audited.
import { identityEvent } from '../events.js';
import { randomBytes } from 'node:crypto';
import { generateSecret, generateURI, verify } from 'otplib';
import QRCode from 'qrcode';
import type { Kernel } from '../../../kernel/kernel.js';
import type { Tx } from '../../../kernel/db/database.js';
import type { SecretBox } from '../../../kernel/encryption.js';
import type { Principal, RequestContext } from '../../../kernel/context.js';
import { resourceName, PLATFORM, type Action } from '../../../kernel/authz/authorize.js';
import { defineUseCase, SYSTEM_SCOPE, type RecordedChange, type UseCase } from '../../../kernel/use-case.js';
import { ConflictError, NotFoundError } from '../../../kernel/errors.js';
import { MfaCodeInvalidError } from '../errors.js';
import { CredentialsRepository, type TotpFactorRow } from './security-repository.js';
import { IdentityRepository } from './repository.js';
import { loadRules, passwordExpired, restrictionOf, type AuthenticationRules, type TenantAuthenticationSource } from './authentication-rules.js';
import { hashToken } from './email-tokens.js';
import type { SignInThrottle } from './sign-in-throttle.js';
import type { TenantDirectory } from './service.js';
import { authorizeBeforehand } from '../use-cases.js';

export const RECOVERY_CODE_COUNT = 10;
/** How long an unconfirmed enrolment keeps its secret: starting again within it returns the same one. */
export const PENDING_ENROLMENT_SECONDS = 60 * 60;
const ISSUER = 'Platforma';
// A person's second factor is identity's platform-level bookkeeping (see service.ts).
const ACCOUNTS = () => SYSTEM_SCOPE.scope;
/** The caller's own account: what self-service actions are decided on. */
const ownAccount = (_input: unknown, context: RequestContext) => resourceName(PLATFORM, 'user', context.principal?.userId ?? '');
/** A change to the caller's second factor, audited on the platform chain and announced under the audit action's name. */
const factorChange = (action: string, context: RequestContext, after?: Record<string, unknown>): RecordedChange => {
  const userId = context.principal?.userId ?? 'unknown';
  return { target: { type: 'user', id: userId }, ...(after ? { after } : {}), event: { contract: identityEvent(action), payload: { userId, ...after } } };
};
/** A self-service second-factor use case: the caller's own account, in identity's scope. */
const selfService = <I, O>(name: string, action: Action, run: UseCase<I, O>['run']): UseCase<I, O> =>
  defineUseCase<I, O>({ name, access: { action }, resource: ownAccount, scope: ACCOUNTS, run });
// Base32 without look-alikes; 10 characters = 50 bits, shown as xxxxx-xxxxx.
const RECOVERY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

export interface TotpEnrolment {
  secret: string;
  otpauthUrl: string;
  /** The otpauth URL as a PNG QR code, as a data: URL. */
  qrCode: string;
  /** Until when starting enrolment again returns this same secret. */
  expiresAt: string;
}

export type MfaProof = { code: string } | { recoveryCode: string };

function newRecoveryCode(): string {
  const bytes = randomBytes(10);
  const chars = [...bytes].map((b) => RECOVERY_ALPHABET[b % RECOVERY_ALPHABET.length]);
  return `${chars.slice(0, 5).join('')}-${chars.slice(5).join('')}`;
}

const normaliseRecoveryCode = (code: string) => code.toLowerCase().replace(/[\s-]/g, '');

export class MfaService {
  readonly #credentials = new CredentialsRepository();
  readonly #identity = new IdentityRepository();

  constructor(
    private readonly kernel: Pick<Kernel, 'clock' | 'useCases'>,
    private readonly secrets: SecretBox,
    private readonly tenants: TenantDirectory,
    private readonly authentication: TenantAuthenticationSource,
    private readonly throttle: SignInThrottle,
  ) {}

  readonly useCases = {
    startTotpEnrolment: selfService<{ restart?: boolean }, { secret: string; createdAt: Date }>('identity.start-totp-enrolment', 'identity:self.mfa.create', async ({ tx, input, context, record }) => {
      const principal = context.principal!;
      const existing = await this.#credentials.findFactor(tx, principal.userId, { forUpdate: true });
      if (existing?.confirmed_at) throw new ConflictError('Multi-factor authentication is already on; turn it off first to enrol a new authenticator.');
      const now = this.kernel.clock.now();
      const resumable = existing !== undefined && principal.sessionId !== null && existing.pending_session_id === principal.sessionId;
      if (resumable && !input.restart && now.getTime() - new Date(existing.created_at).getTime() < PENDING_ENROLMENT_SECONDS * 1000) {
        return { secret: this.secrets.open(existing.secret_ciphertext, principal.userId), createdAt: new Date(existing.created_at) };
      }
      const fresh = generateSecret();
      await this.#credentials.upsertPendingFactor(tx, {
        user_id: principal.userId,
        secret_ciphertext: this.secrets.seal(fresh, principal.userId),
        confirmed_at: null,
        last_time_step: null,
        created_at: now,
        pending_session_id: principal.sessionId,
      });
      record(factorChange('identity.mfa.enrolment_started', context, existing ? { replacedPending: true } : undefined));
      return { secret: fresh, createdAt: now };
    }),
    /** False when the code is refused (the caller records the refusal on the side). */
    confirmTotp: selfService<{ code: string; recoveryCodes: string[]; rules: AuthenticationRules }, boolean>('identity.confirm-totp', 'identity:self.mfa.confirm', async ({ tx, input, context, record }) => {
      const principal = context.principal!;
      const factor = await this.#credentials.findFactor(tx, principal.userId, { forUpdate: true });
      if (!factor) throw new NotFoundError('TOTP enrolment', principal.userId);
      if (factor.confirmed_at) throw new ConflictError('Multi-factor authentication is already on.');
      const timeStep = await this.#check(factor, input.code);
      if (timeStep === undefined) return false;
      const now = this.kernel.clock.now();
      await this.#credentials.confirmFactor(tx, principal.userId, now, timeStep);
      await this.#credentials.replaceRecoveryCodes(tx, principal.userId, input.recoveryCodes.map((c) => hashToken(normaliseRecoveryCode(c))), now);
      await this.#completeMfa(tx, principal, input.rules, now);
      record(factorChange('identity.mfa.enrolled', context));
      return true;
    }),
    /** False when the proof is refused. */
    verify: selfService<{ proof: MfaProof; rules: AuthenticationRules }, boolean>('identity.verify-mfa', 'identity:session.mfa.verify', async ({ tx, input, context, record }) => {
      const principal = context.principal!;
      const { proof } = input;
      const session = await this.#identity.findSession(tx, principal.sessionId ?? '');
      if (session?.restriction !== 'mfa_verify') throw new ConflictError('This session does not owe a second factor.');
      const factor = await this.#credentials.findFactor(tx, principal.userId, { forUpdate: true });
      if (!factor?.confirmed_at) throw new ConflictError('Multi-factor authentication is not on for this account.');
      const now = this.kernel.clock.now();
      if ('recoveryCode' in proof) {
        if (!(await this.#credentials.useRecoveryCode(tx, principal.userId, hashToken(normaliseRecoveryCode(proof.recoveryCode)), now))) return false;
        const left = await this.#credentials.countUnusedRecoveryCodes(tx, principal.userId);
        record(factorChange('identity.mfa.recovery_code_used', context, { recoveryCodesLeft: left }));
      } else {
        const timeStep = await this.#check(factor, proof.code);
        if (timeStep === undefined) return false;
        await this.#credentials.recordTimeStep(tx, principal.userId, timeStep);
      }
      await this.#completeMfa(tx, principal, input.rules, now);
      record(factorChange('identity.mfa.verified', context, { method: 'recoveryCode' in proof ? 'recovery_code' : 'totp' }));
      return true;
    }),
    /** False when the code is refused. */
    disable: selfService<{ code: string }, boolean>('identity.disable-mfa', 'identity:self.mfa.delete', async ({ tx, input, context, record }) => {
      const principal = context.principal!;
      const factor = await this.#credentials.findFactor(tx, principal.userId, { forUpdate: true });
      if (!factor?.confirmed_at) throw new NotFoundError('Multi-factor authentication', principal.userId);
      if ((await this.#check(factor, input.code)) === undefined) return false;
      await this.#credentials.deleteFactor(tx, principal.userId);
      record(factorChange('identity.mfa.disabled', context));
      return true;
    }),
  };

  /**
   * Starts TOTP enrolment for the caller, or resumes the one pending: an authenticator app may have
   * scanned the pending secret already (the page was reloaded, the person came back), so while it is
   * younger than PENDING_ENROLMENT_SECONDS the same secret comes back and a code from that app still
   * confirms. Only the session that started it resumes it: another session (perhaps someone else's
   * with the same password) gets a new secret, which also voids the old one. `restart` asks for a
   * new secret on purpose (the app lost it). Refused when MFA is already on.
   */
  async startTotpEnrolment(input: { restart?: boolean }, context: RequestContext): Promise<TotpEnrolment> {
    const { secret, createdAt } = await this.kernel.useCases.run(this.useCases.startTotpEnrolment, context, input);
    const otpauthUrl = generateURI({ issuer: ISSUER, label: context.principal!.email, secret });
    return { secret, otpauthUrl, qrCode: await QRCode.toDataURL(otpauthUrl), expiresAt: new Date(createdAt.getTime() + PENDING_ENROLMENT_SECONDS * 1000).toISOString() };
  }

  /** Confirms enrolment with a first code: MFA is on, this session counts as verified, recovery codes come back once. */
  async confirmTotp(code: string, context: RequestContext): Promise<{ recoveryCodes: string[] }> {
    const principal = this.#throttled(this.useCases.confirmTotp, context);
    await this.throttle.consumeMfa(principal.userId, () => this.#recordOnTheSide(context, 'identity.mfa.locked'));
    const recoveryCodes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
    const rules = await this.#rulesOf(principal);
    const accepted = await this.kernel.useCases.run(this.useCases.confirmTotp, context, { code, recoveryCodes, rules });
    if (!accepted) return this.#refuse(context);
    await this.throttle.mfaSucceeded(principal.userId);
    return { recoveryCodes };
  }

  /** The MFA step of sign-in: a current code, or one of the recovery codes (each works once). */
  async verify(proof: MfaProof, context: RequestContext): Promise<void> {
    const principal = this.#throttled(this.useCases.verify, context);
    await this.throttle.consumeMfa(principal.userId, () => this.#recordOnTheSide(context, 'identity.mfa.locked'));
    const rules = await this.#rulesOf(principal);
    const accepted = await this.kernel.useCases.run(this.useCases.verify, context, { proof, rules });
    if (!accepted) return this.#refuse(context);
    await this.throttle.mfaSucceeded(principal.userId);
  }

  /** Turns MFA off with a current code; refused for people who must have it. */
  async disable(code: string, context: RequestContext): Promise<void> {
    const principal = this.#throttled(this.useCases.disable, context);
    await this.throttle.consumeMfa(principal.userId, () => this.#recordOnTheSide(context, 'identity.mfa.locked'));
    const rules = await this.#rulesOf(principal);
    if (rules.mfaRequired) throw new ConflictError('Multi-factor authentication is mandatory for this account (platform staff, or a tenant that requires it) and cannot be turned off.');
    const accepted = await this.kernel.useCases.run(this.useCases.disable, context, { code });
    if (!accepted) return this.#refuse(context);
    await this.throttle.mfaSucceeded(principal.userId);
  }

  /** A code is checked against the throttle before its use case runs: the caller must be allowed the use case first. */
  #throttled(useCase: UseCase<never, unknown>, context: RequestContext): Principal {
    authorizeBeforehand(useCase, context);
    return context.principal!;
  }

  #rulesOf(principal: Principal): Promise<AuthenticationRules> {
    return loadRules(this.authentication, { platform_role: principal.platformRole }, principal.tenantId);
  }

  /** The time step of a valid, not yet used code; undefined otherwise. One step of clock drift either way is tolerated. */
  async #check(factor: TotpFactorRow, code: string): Promise<number | undefined> {
    if (!/^\d{6}$/.test(code)) return undefined;
    const secret = this.secrets.open(factor.secret_ciphertext, factor.user_id);
    const result = await verify({
      secret,
      token: code,
      // The platform's clock is the wall clock the person's device also keeps (one step of drift is
      // tolerated); reading it here, not Date.now(), lets tests move time instead of waiting for steps.
      epoch: Math.floor(this.kernel.clock.now().getTime() / 1000),
      epochTolerance: 30,
      ...(factor.last_time_step !== null ? { afterTimeStep: Number(factor.last_time_step) } : {}),
    });
    return result.valid && 'timeStep' in result ? result.timeStep : undefined;
  }

  /** Marks the session MFA-verified and moves it to the next step it owes (an expired password) or none. */
  async #completeMfa(tx: Tx, principal: Principal, rules: AuthenticationRules, now: Date): Promise<void> {
    if (!principal.sessionId) return;
    const user = await this.#identity.findUser(tx, principal.userId);
    const next = restrictionOf({ hasFactor: true, mfaVerified: true, mfaRequired: rules.mfaRequired, passwordExpired: passwordExpired(rules.passwordPolicy, user?.password_changed_at ?? null, now) });
    await this.#credentials.setRestriction(tx, principal.sessionId, next, now);
  }

  async #refuse(context: RequestContext): Promise<never> {
    await this.#recordOnTheSide(context, 'identity.mfa.failed');
    throw new MfaCodeInvalidError();
  }

  /** A refused code or a lockout: recorded whatever becomes of the request. */
  async #recordOnTheSide(context: RequestContext, action: string): Promise<void> {
    await this.kernel.useCases.recordOnTheSide(context, [factorChange(action, context)]);
  }
}
