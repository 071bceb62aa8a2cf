// Identity: who people are, how they prove it, and what they may do. Accounts (one person across
// several tenants), password sign-in and server-side sessions, memberships with built-in and custom
// roles evaluated as policies, invitations by email, API keys (service and personal) and OAuth
// access tokens as bearer credentials, the OAuth 2.0 / OpenID Connect authorization server (oauth/);
// TOTP MFA with recovery codes, password policies, reset and email verification by emailed links,
// throttled sign-in with lockout, session listing and timeouts, and single sign-on through each
// tenant's own OIDC or SAML identity providers (federation/). A tenant's authentication settings and
// identity providers are identity's own per-tenant data (ADR 0017), which identity registers with
// the tenants module as its part of the composed tenant document (tenants never imports identity).
import type { ModuleContext, ModuleInstance } from '../../kernel/module.js';
import type { IdentityPorts } from './module.js';
import { on } from '../../kernel/events.js';
import { TenantCreated } from '../tenants/index.js';
import type { Authentication, Authenticators } from '../../kernel/authentication.js';
import { IdentityService } from './accounts/service.js';
import { AccessService } from './access/service.js';
import { identityRoutes } from './accounts/routes.js';
import { accessRoutes } from './access/routes.js';
import { InvitationService } from './access/invitation-service.js';
import { invitationRoutes } from './access/invitation-routes.js';
import { accountRoutes } from './accounts/account-routes.js';
import { MfaService } from './accounts/mfa-service.js';
import { AccountService } from './accounts/account-service.js';
import { SignInThrottle } from './accounts/sign-in-throttle.js';
import { EmailTokens } from './accounts/email-tokens.js';
import { ImpersonationService } from './access/impersonation-service.js';
import { impersonationRoutes } from './access/impersonation-routes.js';
import { UserAdminService } from './accounts/user-admin-service.js';
import { userAdminRoutes } from './accounts/user-admin-routes.js';
import { ApiKeyService } from './credentials/api-key-service.js';
import { apiKeyRoutes } from './credentials/api-key-routes.js';
import { CredentialCache, credentialKey } from './credentials/credential-cache.js';
import { dispatchBearer, type BearerResolver } from './credentials/bearer-dispatch.js';
import { PARTNER_ROLES, consoleOperatorContext } from './access/builtin-roles.js';
import { AuthorizationServer } from './credentials/oauth/authorization-server.js';
import { OAuthBearer, looksLikeJwt } from './credentials/oauth/access-token-bearer.js';
import { OAuthClientService } from './credentials/oauth/client-service.js';
import { oauthClientRoutes } from './credentials/oauth/client-routes.js';
import { interactionRoutes } from './credentials/oauth/interaction-routes.js';
import { IdentityProviderService } from './federation/provider-service.js';
import { SsoSignInService } from './federation/sign-in-service.js';
import { ssoRoutes } from './federation/routes.js';
import { ContactDirectory, type Contacts } from './access/contacts.js';
import { TenantAuthenticationService } from './accounts/tenant-authentication-service.js';
import { tenantAuthenticationRoutes } from './accounts/tenant-authentication-routes.js';

export type { PublicUser, TenantDirectory } from './accounts/service.js';
export { MIN_PASSWORD_LENGTH } from './accounts/service.js';
export * from './events.js';
export { TENANT_ROLES, PARTNER_ROLES, consoleOperatorContext } from './access/builtin-roles.js';
export type { BearerResolver } from './credentials/bearer-dispatch.js';
export type { Contacts } from './access/contacts.js';

export interface IdentityApi {
  service: IdentityService;
  access: AccessService;
  invitations: InvitationService;
  apiKeys: ApiKeyService;
  mfa: MfaService;
  account: AccountService;
  impersonations: ImpersonationService;
  users: UserAdminService;
  authenticators: Authenticators;
  /** Resolved sessions and keys, kept briefly; dropped whenever the database announces a change. */
  credentials: CredentialCache<CachedCredential>;
  oauth: AuthorizationServer;
  oauthClients: OAuthClientService;
  identityProviders: IdentityProviderService;
  /** Each tenant's password policy and MFA requirement (identity's own per-tenant settings). */
  tenantAuthentication: TenantAuthenticationService;
  sso: SsoSignInService;
  /** Whom mail about a tenant's business or the operators' work goes to. */
  contacts: Contacts;
}

interface CachedCredential {
  authentication: Authentication;
  /** Set for API keys: where to record the key's use. */
  keyId?: string;
  tenantId?: string;
}

// Partner roles' reach follows the partner's customer tenants, which the tenants module changes:
// the identity triggers cannot announce that, so such principals are looked up every time. So are
// impersonating sessions: the impersonation lapses at its own time, not the session's.
const isPartnerRole = (role: string | null) => role !== null && (PARTNER_ROLES as readonly string[]).includes(role);

export function createIdentityModule({ kernel, use }: ModuleContext<keyof IdentityPorts>): ModuleInstance<IdentityApi> {
  const deps = { kernel, tenants: use('tenants').service, mailer: use('notifications').mailer, secrets: kernel.secrets };
  // The one use of the raw pool in identity (why it is a declared port: module.ts).
  const throttle = new SignInThrottle(deps.kernel.pool, deps.kernel.config.modules.identity);
  const emailTokens = new EmailTokens(deps.kernel, deps.mailer);
  // Password sign-in asks single sign-on whether the email's domain must use its provider; the
  // SSO service in turn starts sessions through the identity service.
  const tenantAuthentication = new TenantAuthenticationService(deps.kernel, deps.tenants);
  // settings.authentication of the tenant document is identity's: the tenants module composes it
  // into its view through this port (and writes it there for the document's combined PATCH).
  deps.tenants.registerParts({ authentication: tenantAuthentication.part });
  const service: IdentityService = new IdentityService(deps.kernel, deps.tenants, tenantAuthentication, throttle, emailTokens, (email) => sso.requirementFor(email));
  const sso: SsoSignInService = new SsoSignInService(deps.kernel, deps.tenants, deps.secrets, service);
  const identityProviders = new IdentityProviderService(deps.kernel, deps.tenants, deps.secrets);
  const mfa = new MfaService(deps.kernel, deps.secrets, deps.tenants, tenantAuthentication, throttle);
  const account = new AccountService(deps.kernel, deps.tenants, tenantAuthentication, throttle, emailTokens);
  const access = new AccessService(deps.kernel, deps.tenants);
  const invitations = new InvitationService(deps.kernel, deps.tenants, tenantAuthentication, deps.mailer, throttle);
  const apiKeys = new ApiKeyService(deps.kernel, deps.tenants, tenantAuthentication);
  const oauth = new AuthorizationServer(deps.kernel, deps.secrets);
  const oauthBearer = new OAuthBearer(deps.kernel, oauth);
  const oauthClients = new OAuthClientService(deps.kernel, deps.tenants);
  const credentials = new CredentialCache<CachedCredential>(deps.kernel.changes, deps.kernel.clock);
  const impersonations = new ImpersonationService(deps.kernel);
  const users = new UserAdminService(deps.kernel, deps.tenants, emailTokens, throttle);
  const secureCookies = deps.kernel.config.publicUrl.startsWith('https://');
  const session = async (token: string) => {
    const cached = await credentials.resolve(credentialKey('session', token), async () => {
      const authentication = await service.resolveSession(token);
      return authentication && { value: { authentication }, expiresAt: authentication.expiresAt, cacheable: !isPartnerRole(authentication.principal.tenantRole) && !authentication.principal.impersonator };
    });
    return cached?.authentication;
  };
  // Bearer tokens by kind: `pk_…` are API keys, JWTs are OAuth access tokens. Both are cached; a
  // revoked OAuth token's row is deleted by the provider, and a trigger announces that (migration
  // 202611211700) so the cache drops it before the revoking call returns.
  const bearerResolvers: BearerResolver[] = [
    {
      accepts: ApiKeyService.looksLikeKey,
      async resolve(token) {
        const cached = await credentials.resolve(credentialKey('api-key', token), () => apiKeys.resolve(token));
        if (cached?.keyId && cached.tenantId) apiKeys.noteUse(cached.keyId, cached.tenantId);
        return cached?.authentication;
      },
    },
    {
      accepts: looksLikeJwt,
      async resolve(token) {
        const cached = await credentials.resolve(credentialKey('oauth', token), async () => {
          const authentication = await oauthBearer.authenticate(token);
          return authentication && { value: { authentication }, expiresAt: authentication.expiresAt, cacheable: true };
        });
        return cached?.authentication;
      },
    },
  ];
  const authenticators: Authenticators = { session, bearer: dispatchBearer(bearerResolvers) };
  if (deps.kernel.config.insecureNoAuth) {
    authenticators.insecureNoAuth = { principal: { ...consoleOperatorContext().principal!, userId: 'insecure-no-auth', subjectId: 'insecure-no-auth', email: 'nobody (authentication is off)' }, csrfToken: null, expiresAt: null, restriction: null };
    deps.kernel.logger.warn('AUTHENTICATION IS OFF (PLATFORMA_INSECURE_NO_AUTH, NODE_ENV=benchmark): every request without credentials acts as a platform administrator. For benchmarks only.');
  }
  return {
    api: {
      service,
      access,
      invitations,
      apiKeys,
      mfa,
      account,
      credentials,
      authenticators,
      oauth,
      oauthClients,
      impersonations,
      identityProviders,
      tenantAuthentication,
      sso,
      users,
      contacts: new ContactDirectory(),
    },
    useCases: [service, access, invitations, apiKeys, mfa, account, impersonations, users, oauthClients, identityProviders, tenantAuthentication, sso].flatMap((owner) => Object.values(owner.useCases)),
    subscriptions: [
      // A new tenant's administrator is invited to own it (and accepts like anyone invited).
      on(TenantCreated, 'identity.invite-first-owner', async (event, tx) => {
        const { tenantId, adminEmail, organizationName } = event.payload;
        if (!tenantId || !adminEmail || !organizationName) return; // created by an older version: nobody named
        await invitations.inviteFirstOwner(tx, { tenantId, adminEmail, organizationName, actorId: event.actorId, requestId: event.requestId });
      }),
    ],
    routes: async (app) => {
      identityRoutes(app, service, secureCookies);
      accessRoutes(app, access);
      invitationRoutes(app, invitations, service, secureCookies);
      apiKeyRoutes(app, apiKeys);
      oauthClientRoutes(app, oauthClients);
      await interactionRoutes(app, {
        kernel: deps.kernel,
        server: oauth,
        tenants: deps.tenants,
        authentication: tenantAuthentication,
        // An impersonating session never consents to an OAuth client: that would hand out
        // credentials of the person being impersonated. To the consent screen it is not signed in.
        resolveSession: async (token) => {
          const session = await service.resolveSession(token);
          return session?.principal.impersonator ? undefined : session;
        },
      });
      impersonationRoutes(app, impersonations);
      userAdminRoutes(app, users);
      accountRoutes(app, mfa, account);
      tenantAuthenticationRoutes(app, tenantAuthentication);
      ssoRoutes(app, identityProviders, sso, { secureCookies, publicUrl: deps.kernel.config.publicUrl });
    },
  };
}
