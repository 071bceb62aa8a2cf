// Signing in through a tenant's identity provider (docs/adr/0007-single-sign-on.md).
// - Identity first: the email's domain names the provider (discover), which the browser is sent to
//   (start) with OIDC state, nonce and PKCE, or a SAML AuthnRequest, all kept server-side.
// - The provider's answer (OIDC callback, SAML ACS) is checked: OIDC state (single use), nonce,
//   PKCE, ID token signature/issuer/audience/expiry by openid-client; SAML signature with the
//   configured certificate, audience, time conditions and InResponseTo by node-saml, and the
//   assertion ID against replay here. The email must be in the provider's domains.
// - Just-in-time: a first sign-in creates the account (no password) and the membership with the
//   provider's default role; an existing account gets the membership if it lacks it.
// - The answer arrives as a cross-site navigation, which may not carry (or, for SAML's POST, even
//   set) our SameSite=Strict cookie; so it ends on a tiny page that moves the browser to `finish`,
//   a same-site request that redeems a one-time handoff and sets the session cookie.
// Every outcome is audited on the tenant's chain and announced: the people a provider brings in are
// admitted by a use case (identity.admit-sso-user) acting as the provider, refusals are recorded on
// the side, whatever becomes of the request. The protocol's own bookkeeping (pending requests,
// replayed assertions, handoffs) runs in the system's scope before anyone is known. No token,
// assertion or secret is logged.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import * as oidc from 'openid-client';
import type { IdentityPorts } from '../module.js';
import { inTransaction, type Tx } from '../../../kernel/db/database.js';
import { newId } from '../../../kernel/ids.js';
import type { SecretBox } from '../../../kernel/encryption.js';
import type { Actor } from '../../../kernel/audit.js';
import type { RequestContext } from '../../../kernel/context.js';
import { defineUseCase, SYSTEM_SCOPE, type RecordedChange } from '../../../kernel/use-case.js';
import { NotFoundError } from '../../../kernel/errors.js';
import { IdentityRepository } from '../accounts/repository.js';
import { hashToken } from '../accounts/email-tokens.js';
import { TENANT_ROLES } from '../access/builtin-roles.js';
import type { IdentityService, SignedIn, TenantDirectory } from '../accounts/service.js';
import { SsoRepository } from './repository.js';
import { TenantProviderDirectory } from './tenant-providers.js';
import { usableProviders, type OidcProvider, type SsoProvider } from './provider-config.js';
import { OidcClients, PENDING_TTL_MS, samlFor } from './protocols.js';
import { secretContext } from './provider-service.js';
import { ssoUrls } from './urls.js';
import { identityEvent, SsoSignInFailed } from '../events.js';

const HANDOFF_TTL_MS = 60_000;
/** Where a finished sign-in may land: the apps' roots (never a URL from the request). */
export const RETURN_APPS = ['portal', 'admin', 'partner'] as const;
export type ReturnApp = (typeof RETURN_APPS)[number];
/** OIDC `amr` values (RFC 8176) that mean the provider did more than one factor. */
const MFA_AMR = ['mfa', 'otp', 'hwk'];
/** SAML AuthnContextClassRef values that mean multi-factor authentication. */
const MFA_AUTHN_CONTEXTS = [
  'https://refeds.org/profile/mfa',
  'http://schemas.microsoft.com/claims/multipleauthn',
  'urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract',
  'urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorUnregistered',
  'urn:oasis:names:tc:SAML:2.0:ac:classes:TimeSyncToken',
];
const SAML_EMAIL_ATTRIBUTES = ['email', 'mail', 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress', 'urn:oid:0.9.2342.19200300.100.1.3'];

/** A sign-in the provider's answer does not allow: `reason` is for the audit trail, `message` for the person. */
export class SsoFailure extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

export type Discovery = { method: 'password' } | { method: 'sso'; providerName: string; startUrl: string; passwordAllowed: boolean };
export type SsoOutcome = { ok: true; handoff: string } | { ok: false; message: string };

const domainOf = (email: string) => email.slice(email.lastIndexOf('@') + 1).toLowerCase();

/** Someone a provider vouched for, to let in: their account and membership are made when missing. */
interface Admission {
  tenantId: string;
  provider: SsoProvider;
  email: string;
  mfaByIdp: boolean;
  app: ReturnApp;
  browserBinding: string | null;
  /** Whether the tenant takes new members (the tenants module's fact, read beforehand). */
  admitsNewMembers: boolean;
}

/**
 * A refused single sign-on, audited on the tenant's chain with its detail and announced with the
 * reason's code only (`assertion_rejected`, `state_invalid` …: never what the provider sent).
 */
function ssoSignInFailed(tenantId: string, providerId: string, actor: Actor, reason: string, after: { protocol?: string; reason: string }): RecordedChange {
  return {
    tenantId,
    actor,
    target: { type: 'identity-provider', id: providerId },
    after,
    event: { contract: SsoSignInFailed, payload: { tenantId, providerId, reason: reason.split(':')[0]! } },
  };
}

export class SsoSignInService {
  readonly #sso = new SsoRepository();
  readonly #identity = new IdentityRepository();
  readonly #oidc: OidcClients;
  readonly #providers: TenantProviderDirectory;

  constructor(
    private readonly kernel: IdentityPorts,
    private readonly tenants: TenantDirectory,
    private readonly secrets: SecretBox,
    private readonly identity: IdentityService,
  ) {
    this.#oidc = new OidcClients(kernel);
    this.#providers = new TenantProviderDirectory(kernel, tenants);
  }

  readonly useCases = {
    /**
     * Lets in the person a provider vouched for, before anyone is signed in: the system's scope,
     * the provider as the actor of what it brings about. Returns the one-time handoff.
     */
    admit: defineUseCase<Admission, string>({
      name: 'identity.admit-sso-user',
      access: { public: true },
      scope: () => SYSTEM_SCOPE.scope,
      run: ({ tx, input, record }) => this.#admit(tx, input, record),
    }),
  };

  /** The enabled provider claiming an email's domain, if any. Depends on the domain only. */
  async providerForEmail(email: string): Promise<{ tenantId: string; provider: SsoProvider } | undefined> {
    const at = email.lastIndexOf('@');
    if (at < 1) return undefined;
    const claims = await this.#providers.claiming([domainOf(email)]);
    for (const claim of claims) {
      const [provider] = usableProviders([claim.provider]);
      if (provider?.enabled) return { tenantId: claim.tenantId, provider };
    }
    return undefined;
  }

  /** How an email signs in. Answers from the domain alone, so it says nothing about whether an account exists. */
  async discover(email: string, app: ReturnApp = 'portal'): Promise<Discovery> {
    const found = await this.providerForEmail(email.trim().toLowerCase());
    if (!found) return { method: 'password' };
    return { method: 'sso', providerName: found.provider.name, startUrl: this.#startUrl(found.tenantId, found.provider.config.id, email, app), passwordAllowed: !found.provider.config.mandatory };
  }

  /** For password sign-in: the provider an email must use instead (its domain's provider is mandatory). */
  async requirementFor(email: string): Promise<{ providerName: string; startUrl: string } | undefined> {
    const found = await this.providerForEmail(email);
    if (!found?.provider.config.mandatory) return undefined;
    return { providerName: found.provider.name, startUrl: this.#startUrl(found.tenantId, found.provider.config.id, email, 'portal') };
  }

  #startUrl(tenantId: string, providerId: string, email: string, app: ReturnApp): string {
    return `${ssoUrls(this.kernel.config.publicUrl, tenantId, providerId).start}?${new URLSearchParams({ login_hint: email.trim().toLowerCase(), app })}`;
  }

  async #provider(tenantId: string, providerId: string): Promise<SsoProvider> {
    const tenant = await this.#providers.of(tenantId);
    const provider = tenant && tenant.status !== 'terminated' ? usableProviders(tenant.providers).find((p) => p.config.id === providerId && p.enabled) : undefined;
    if (!provider) throw new NotFoundError('Identity provider', providerId);
    return provider;
  }

  /** Where to send the browser to sign in: the provider's authorization endpoint or SSO service. */
  async start(
    tenantId: string,
    providerId: string,
    input: { loginHint?: string; app?: ReturnApp; browserBinding: string },
    context: RequestContext,
  ): Promise<{ ok: true; location: string } | { ok: false; message: string }> {
    const provider = await this.#provider(tenantId, providerId);
    const app = input.app ?? 'portal';
    const binding = hashToken(input.browserBinding);
    try {
      if (provider.type === 'saml') {
        const saml = samlFor(this.kernel, tenantId, provider.config);
        // RelayState comes back with the response: the app to land in and the browser's binding.
        return { ok: true, location: await saml.getAuthorizeUrlAsync(`${app}:${binding}`, undefined, {}) };
      }
      const configuration = await this.#oidcConfiguration(tenantId, provider);
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      const codeVerifier = oidc.randomPKCECodeVerifier();
      const now = this.kernel.clock.now();
      await inTransaction(this.kernel.db, SYSTEM_SCOPE, async (tx) => {
        await this.#sso.deleteExpiredPending(tx, now);
        await this.#sso.insertPending(tx, {
          key: `oidc:${hashToken(state)}`,
          tenant_id: tenantId,
          provider_id: providerId,
          protocol: 'oidc',
          nonce,
          code_verifier: codeVerifier,
          return_to: app,
          browser_binding: binding,
          created_at: now,
          expires_at: new Date(now.getTime() + PENDING_TTL_MS),
        });
      });
      const url = oidc.buildAuthorizationUrl(configuration, {
        redirect_uri: ssoUrls(this.kernel.config.publicUrl, tenantId, providerId).callback,
        scope: [...new Set(['openid', 'email', ...provider.config.scopes])].join(' '),
        state,
        nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
        ...(input.loginHint ? { login_hint: input.loginHint } : {}),
      });
      return { ok: true, location: url.href };
    } catch (error) {
      const failure = error instanceof SsoFailure ? error : new SsoFailure('provider_unreachable', `${provider.name} could not be reached.`);
      await this.#auditFailure(tenantId, provider, failure, describe(error), undefined, context);
      return { ok: false, message: failure.message };
    }
  }

  async #oidcConfiguration(tenantId: string, provider: OidcProvider): Promise<oidc.Configuration> {
    const sealed = await inTransaction(this.kernel.db, SYSTEM_SCOPE, (tx) => this.#sso.findClientSecret(tx, tenantId, provider.config.id));
    if (!sealed) throw new SsoFailure('client_secret_missing', `${provider.name} is not completely configured.`);
    return this.#oidc.configuration(provider.config, this.secrets.open(sealed, secretContext(tenantId, provider.config.id)));
  }

  /** The OIDC redirect back (`currentUrl` as the provider sent it). */
  async completeOidc(tenantId: string, providerId: string, currentUrl: URL, context: RequestContext): Promise<SsoOutcome> {
    const provider = await this.#provider(tenantId, providerId);
    if (provider.type !== 'oidc') throw new NotFoundError('Identity provider', providerId);
    let email: string | undefined;
    try {
      const state = currentUrl.searchParams.get('state');
      const pending = state ? await inTransaction(this.kernel.db, SYSTEM_SCOPE, (tx) => this.#sso.takePending(tx, `oidc:${hashToken(state)}`, providerId, this.kernel.clock.now())) : undefined;
      if (!state || !pending) throw new SsoFailure('state_invalid', 'This sign-in has expired or was already used. Start again.');
      const idpError = currentUrl.searchParams.get('error');
      if (idpError) throw new SsoFailure('idp_error', `${provider.name} did not sign you in (${idpError.slice(0, 64).replace(/[^\w.-]/g, '')}).`);
      const configuration = await this.#oidcConfiguration(tenantId, provider);
      const tokens = await oidc.authorizationCodeGrant(configuration, currentUrl, {
        pkceCodeVerifier: pending.code_verifier ?? undefined,
        expectedState: state,
        expectedNonce: pending.nonce ?? undefined,
        idTokenExpected: true,
      });
      const idToken = tokens.claims();
      if (!idToken) throw new SsoFailure('id_token_missing', `${provider.name} sent no ID token.`);
      // Providers may keep scope claims out of the ID token (OIDC Core 5.4): then ask userinfo,
      // whose `sub` openid-client checks against the ID token's.
      const claims: Record<string, unknown> = typeof idToken.email === 'string' ? idToken : { ...(await oidc.fetchUserInfo(configuration, tokens.access_token, idToken.sub)), amr: idToken.amr };
      email = typeof claims.email === 'string' ? claims.email.trim().toLowerCase() : undefined;
      if (!email) throw new SsoFailure('email_missing', `${provider.name} did not tell us your email address.`);
      if (claims.email_verified === false) throw new SsoFailure('email_unverified', `${provider.name} has not verified your email address.`);
      const amr = Array.isArray(claims.amr) ? claims.amr.filter((v): v is string => typeof v === 'string') : [];
      const mfaByIdp = amr.some((method) => MFA_AMR.includes(method));
      const handoff = await this.#enter(tenantId, provider, email, mfaByIdp, (pending.return_to as ReturnApp | null) ?? 'portal', pending.browser_binding, context);
      return { ok: true, handoff };
    } catch (error) {
      return this.#failed(tenantId, provider, error, email, context);
    }
  }

  /** The SAML Response posted to our ACS. */
  async completeSaml(tenantId: string, providerId: string, samlResponse: string, relayState: string | undefined, context: RequestContext): Promise<SsoOutcome> {
    const provider = await this.#provider(tenantId, providerId);
    if (provider.type !== 'saml') throw new NotFoundError('Identity provider', providerId);
    let email: string | undefined;
    try {
      const saml = samlFor(this.kernel, tenantId, provider.config);
      let profile;
      try {
        ({ profile } = await saml.validatePostResponseAsync({ SAMLResponse: samlResponse }));
      } catch (error) {
        throw new SsoFailure(`assertion_rejected: ${describe(error)}`, `${provider.name} sent a sign-in we cannot accept.`);
      }
      if (!profile) throw new SsoFailure('no_assertion', `${provider.name} sent no sign-in.`);
      const assertion = (profile.getAssertion?.() as { Assertion?: SamlAssertion } | undefined)?.Assertion;
      const assertionId = assertion?.$?.ID;
      if (!assertion || !assertionId) throw new SsoFailure('assertion_id_missing', `${provider.name} sent an assertion without an ID.`);
      const found = SAML_EMAIL_ATTRIBUTES.map((name) => profile[name]).find((value): value is string => typeof value === 'string');
      email = (found ?? (/emailAddress$/.test(profile.nameIDFormat ?? '') ? profile.nameID : undefined))?.trim().toLowerCase();
      if (!email) throw new SsoFailure('email_missing', `${provider.name} did not tell us your email address.`);
      const now = this.kernel.clock.now();
      const notOnOrAfter = notOnOrAfterOf(assertion) ?? new Date(now.getTime() + 24 * 3600_000);
      const fresh = await inTransaction(this.kernel.db, SYSTEM_SCOPE, (tx) =>
        this.#sso.consumeAssertion(tx, { tenant_id: tenantId, provider_id: providerId, assertion_id: assertionId, not_on_or_after: notOnOrAfter }, now),
      );
      if (!fresh) throw new SsoFailure('assertion_replayed', `${provider.name} sent a sign-in that was already used.`);
      const mfaByIdp = authnContextsOf(assertion).some((context) => MFA_AUTHN_CONTEXTS.includes(context));
      const [relayApp, binding] = (relayState ?? '').split(':');
      const app = (RETURN_APPS as readonly string[]).includes(relayApp ?? '') ? (relayApp as ReturnApp) : 'portal';
      const handoff = await this.#enter(tenantId, provider, email, mfaByIdp, app, binding || null, context);
      return { ok: true, handoff };
    } catch (error) {
      return this.#failed(tenantId, provider, error, email, context);
    }
  }

  /** Our SAML service provider metadata, for the IdP administrator. */
  async samlMetadata(tenantId: string, providerId: string): Promise<string> {
    const provider = await this.#provider(tenantId, providerId);
    if (provider.type !== 'saml') throw new NotFoundError('Identity provider', providerId);
    return samlFor(this.kernel, tenantId, provider.config).generateServiceProviderMetadata(null, null);
  }

  /**
   * Redeems a handoff (once, within a minute) in the browser that started the sign-in (its binding
   * cookie): the session starts here, on a same-site request.
   */
  async finish(handoff: string, browserBinding: string | undefined, userAgent: string | undefined, context: RequestContext): Promise<{ signedIn: SignedIn; app: ReturnApp } | undefined> {
    const row = await inTransaction(this.kernel.db, SYSTEM_SCOPE, (tx) => this.#sso.takeHandoff(tx, hashToken(handoff), this.kernel.clock.now()));
    if (!row) return undefined;
    if (!row.browser_binding || !browserBinding || !sameText(row.browser_binding, hashToken(browserBinding))) {
      // Another browser than the one that started it: the handoff is spent, nobody is signed in.
      await this.kernel.useCases.recordOnTheSide(context, [ssoSignInFailed(row.tenant_id, row.provider_id, { type: 'anonymous', id: 'anonymous' }, 'browser_mismatch', { reason: 'browser_mismatch' })]);
      return undefined;
    }
    const tenant = await this.#providers.of(row.tenant_id);
    const provider = tenant ? usableProviders(tenant.providers).find((p) => p.config.id === row.provider_id) : undefined;
    const signedIn = await this.identity.startSsoSession(
      row.user_id,
      { tenantId: row.tenant_id, providerId: row.provider_id, providerName: provider?.name ?? row.provider_id, protocol: provider?.type ?? 'unknown', mfaByIdp: row.mfa_by_idp, userAgent },
      context,
    );
    return { signedIn, app: (RETURN_APPS as readonly string[]).includes(row.return_to) ? (row.return_to as ReturnApp) : 'portal' };
  }

  /**
   * Admits the person the provider vouched for: the email must be in the provider's domains, staff
   * never sign in this way; the account and membership are created when missing. Returns a handoff.
   */
  async #enter(tenantId: string, provider: SsoProvider, email: string, mfaByIdp: boolean, app: ReturnApp, browserBinding: string | null, context: RequestContext): Promise<string> {
    if (!provider.config.domains.includes(domainOf(email))) throw new SsoFailure('domain_not_allowed', `${email} is not an address ${provider.name} may sign in.`);
    const status = (await this.tenants.profileOf(tenantId))?.status;
    const admitsNewMembers = status === 'active' || status === 'pending';
    return this.kernel.useCases.run(this.useCases.admit, context, { tenantId, provider, email, mfaByIdp, app, browserBinding, admitsNewMembers });
  }

  async #admit(tx: Tx, input: Admission, record: (change: RecordedChange) => void): Promise<string> {
    const { tenantId, provider, email } = input;
    const handoff = randomBytes(32).toString('base64url');
    const now = this.kernel.clock.now();
    const actor = { type: 'system' as const, id: `identity-provider:${provider.config.id}`, label: provider.name };
    let user = await this.#identity.findUserByEmail(tx, email);
    if (user?.platform_role) throw new SsoFailure('staff_account', 'Platform staff sign in with their password and authenticator, not through a tenant’s identity provider.');
    if (!user) {
      user = { id: newId('user'), email, password_hash: null, platform_role: null, created_at: now, updated_at: now, email_verified_at: now, password_changed_at: null };
      await this.#identity.insertUser(tx, user);
      record({
        actor,
        target: { type: 'user', id: user.id },
        after: { email, via: 'sso', tenantId, provider: provider.config.id },
        event: { contract: identityEvent('identity.user.created'), payload: { userId: user.id, platformRole: null } },
      });
    }
    if (!(await this.#identity.findMembership(tx, tenantId, user.id))) {
      // A new member is a change to the tenant: not while the operator holds it suspended.
      if (!input.admitsNewMembers) throw new SsoFailure('tenant_not_active', `${provider.name} cannot bring new members into an organisation that is not active.`);
      // A custom default role deleted since the provider was configured falls back to member.
      const role = (TENANT_ROLES as readonly string[]).includes(provider.config.defaultRole) || (await this.#identity.findRole(tx, tenantId, provider.config.defaultRole)) ? provider.config.defaultRole : 'member';
      await this.#identity.insertMembership(tx, { tenant_id: tenantId, user_id: user.id, role, created_at: now });
      record({
        tenantId,
        actor,
        target: { type: 'user', id: user.id },
        after: { role, via: 'sso', provider: provider.config.id },
        event: { contract: identityEvent('identity.member.added'), payload: { userId: user.id, role } },
      });
    }
    await this.#sso.insertHandoff(tx, {
      token_hash: hashToken(handoff),
      tenant_id: tenantId,
      provider_id: provider.config.id,
      user_id: user.id,
      mfa_by_idp: input.mfaByIdp,
      return_to: input.app,
      browser_binding: input.browserBinding,
      created_at: now,
      expires_at: new Date(now.getTime() + HANDOFF_TTL_MS),
    });
    return handoff;
  }

  async #failed(tenantId: string, provider: SsoProvider, error: unknown, email: string | undefined, context: RequestContext): Promise<SsoOutcome> {
    const failure = error instanceof SsoFailure ? error : new SsoFailure(`rejected: ${describe(error)}`, `${provider.name} sent a sign-in we cannot accept.`);
    await this.#auditFailure(tenantId, provider, failure, failure.reason, email, context);
    return { ok: false, message: failure.message };
  }

  async #auditFailure(tenantId: string, provider: SsoProvider, failure: SsoFailure, detail: string, email: string | undefined, context: RequestContext): Promise<void> {
    // reqId: the key Fastify's own request log lines carry, so this line sits with them.
    this.kernel.logger.info({ tenantId, provider: provider.config.id, reason: failure.reason.split(':')[0], reqId: context.requestId }, 'sso sign-in refused');
    const actor: Actor = { type: 'anonymous', id: 'anonymous', ...(email ? { label: email } : {}) };
    await this.kernel.useCases.recordOnTheSide(context, [ssoSignInFailed(tenantId, provider.config.id, actor, failure.reason, { protocol: provider.type, reason: detail.slice(0, 300) })]);
  }
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

interface SamlAssertion {
  $?: { ID?: string };
  Conditions?: { $?: { NotOnOrAfter?: string } }[];
  Subject?: { SubjectConfirmation?: { SubjectConfirmationData?: { $?: { NotOnOrAfter?: string } }[] }[] }[];
  AuthnStatement?: { AuthnContext?: { AuthnContextClassRef?: (string | { _?: string })[] }[] }[];
}

function notOnOrAfterOf(assertion: SamlAssertion): Date | undefined {
  const values = [assertion.Conditions?.[0]?.$?.NotOnOrAfter, ...(assertion.Subject?.[0]?.SubjectConfirmation ?? []).map((c) => c.SubjectConfirmationData?.[0]?.$?.NotOnOrAfter)];
  const times = values.filter((v): v is string => typeof v === 'string').map((v) => new Date(v).getTime()).filter((t) => Number.isFinite(t));
  return times.length > 0 ? new Date(Math.max(...times)) : undefined;
}

function authnContextsOf(assertion: SamlAssertion): string[] {
  return (assertion.AuthnStatement ?? []).flatMap((s) => (s.AuthnContext ?? []).flatMap((c) => (c.AuthnContextClassRef ?? []).map((ref) => (typeof ref === 'string' ? ref : (ref._ ?? '')))));
}

/** An error's class and message, for the audit trail (library messages name checks, not token contents). */
function describe(error: unknown): string {
  if (error instanceof SsoFailure) return error.reason;
  if (error instanceof Error) {
    // openid-client names the failed check's claim in the cause ({ claim: 'nonce', … }); values are left out.
    let claim: unknown;
    for (let cause: unknown = error.cause, depth = 0; cause && claim === undefined && depth < 3; depth++) {
      claim = (cause as { claim?: unknown }).claim;
      cause = (cause as { cause?: unknown }).cause;
    }
    return `${error.name}: ${error.message}${typeof claim === 'string' ? ` (${claim})` : ''}`.slice(0, 300);
  }
  return 'unknown error';
}
