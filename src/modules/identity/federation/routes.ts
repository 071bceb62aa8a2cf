// HTTP surface of single sign-on. For tenant administrators: the identity providers of a tenant
// (stored in the tenant document, so reads return its ETag and writes accept If-Match). Public:
// discovery by email (in the API description), and the browser's round trip, which is not an API
// for programs and so not in the OpenAPI document: the redirect to the provider, its way back
// (OIDC callback, SAML ACS), our SAML metadata, and the same-site finish that sets the cookie.
import { Type } from 'typebox';
import { randomBytes } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { HttpApp } from '../../../kernel/api/routes.js';
import { StrictObject, responses, NoContent, Id, named } from '../../../kernel/api/schemas.js';
import { requestContext } from '../../../kernel/api/routes.js';
import { SESSION_COOKIE } from '../../../kernel/authentication.js';
import { etagOf } from '../../../kernel/api/etags.js';
import type { IdentityProviderService } from './provider-service.js';
import { RETURN_APPS, type SsoSignInService } from './sign-in-service.js';
import { SSO_PATH } from './urls.js';

const tags = ['identity providers'];
const ProviderId = Id('identityProvider', 'An identity provider id');
const Params = StrictObject({ id: Id('tenant') });
const ProviderParams = StrictObject({ id: Id('tenant'), providerId: ProviderId });
const SsoParams = StrictObject({ tenantId: Id('tenant'), providerId: ProviderId });
const IfMatchHeaders = Type.Object({ 'if-match': Type.Optional(Type.String({ description: 'The tenant’s ETag from a previous read; 412 if the tenant changed since' })) });
const Config = Type.Record(Type.String(), Type.Unknown(), {
  description:
    'oidc: {issuer, clientId, clientSecret (write-only), scopes?, domains, defaultRole, mandatory}; saml: {entryPoint, idpCertificate (PEM), idpEntityId?, domains, defaultRole, mandatory}. Responses carry clientSecretSet instead of the secret.',
});
const IdentityProvider = named(
  'IdentityProvider',
  Type.Object(
    {
      id: Type.String(),
      type: Type.Union([Type.Literal('oidc'), Type.Literal('saml')]),
      name: Type.String(),
      enabled: Type.Boolean(),
      config: Config,
      serviceProvider: Type.Object(
        {
          startUrl: Type.String({ description: 'Where a browser starts signing in with this provider' }),
          redirectUri: Type.Optional(Type.String({ description: 'OIDC: register this redirect URI with the provider' })),
          entityId: Type.Optional(Type.String({ description: 'SAML: our entity id (also the audience)' })),
          acsUrl: Type.Optional(Type.String({ description: 'SAML: our assertion consumer service (HTTP-POST)' })),
          metadataUrl: Type.Optional(Type.String({ description: 'SAML: our service provider metadata' })),
        },
        { description: 'What to configure at the identity provider' },
      ),
    },
    { title: 'IdentityProvider' },
  ),
);
const Name = Type.String({ minLength: 1, maxLength: 100 });
const CreateBody = named(
  'CreateIdentityProvider',
  StrictObject(
    { type: Type.Union([Type.Literal('oidc'), Type.Literal('saml'), Type.Literal('oauth')]), name: Name, enabled: Type.Optional(Type.Boolean()), config: Config },
    { title: 'CreateIdentityProvider' },
  ),
);
const UpdateBody = named(
  'UpdateIdentityProvider',
  StrictObject(
    { name: Type.Optional(Name), enabled: Type.Optional(Type.Boolean()), config: Type.Optional(Config) },
    { title: 'UpdateIdentityProvider', description: 'Given config members replace the stored ones; omit clientSecret to keep it.' },
  ),
);
const App = Type.Union(RETURN_APPS.map((app) => Type.Literal(app)), { description: 'The app to land in after signing in (default portal)' });

/** Marks the browser that started a sign-in (see the start and finish routes). */
export const BINDING_COOKIE = 'platforma_sso';

const html = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Our own small pages: no scripts at all, nothing framed, never cached. */
function sendPage(reply: FastifyReply, status: number, title: string, body: string, refreshTo?: string) {
  reply.header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'");
  reply.header('cache-control', 'no-store');
  reply.header('referrer-policy', 'no-referrer');
  const refresh = refreshTo ? `<meta http-equiv="refresh" content="0;url=${html(refreshTo)}">` : '';
  return reply
    .status(status)
    .type('text/html; charset=utf-8')
    .send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">${refresh}<title>${html(title)}</title>` +
        `<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#1f2937}h1{font-size:1.4rem}a{color:#1d4ed8}</style></head><body>${body}</body></html>`,
    );
}

function failurePage(reply: FastifyReply, message: string) {
  return sendPage(reply, 400, 'Sign-in failed', `<h1>Sign-in failed</h1><p>${html(message)}</p><p><a href="/portal/">Back to sign-in</a></p>`);
}

export function ssoRoutes(app: HttpApp, providers: IdentityProviderService, signIn: SsoSignInService, options: { secureCookies: boolean; publicUrl: string }): void {
  const { secureCookies, publicUrl } = options;
  // --- administration ----------------------------------------------------------------------------
  app.get(
    '/api/v1/tenants/:id/identity-providers',
    {
      config: { action: providers.useCases.list.action },
      schema: { tags, summary: 'The tenant’s identity providers (single sign-on)', params: Params, response: responses({ 200: Type.Object({ data: Type.Array(IdentityProvider) }, { title: 'IdentityProviderList' }) }) },
    },
    async (request, reply) => {
      const { data, version } = await providers.list(request.params.id, requestContext(request));
      return reply.header('etag', etagOf(version)).send({ data });
    },
  );

  app.post(
    '/api/v1/tenants/:id/identity-providers',
    {
      config: { action: providers.useCases.create.action },
      schema: {
        tags,
        summary: 'Add an identity provider (OIDC or SAML 2.0)',
        description: 'Domains must be the tenant’s domain or its subdomains, and each domain signs in through one provider only (409 otherwise).',
        params: Params,
        headers: IfMatchHeaders,
        body: CreateBody,
        response: responses({ 201: IdentityProvider }),
      },
    },
    async (request, reply) => {
      const { provider, version } = await providers.create(request.params.id, request.body, request.headers['if-match'], requestContext(request));
      return reply.status(201).header('etag', etagOf(version)).send(provider);
    },
  );

  app.get(
    '/api/v1/tenants/:id/identity-providers/:providerId',
    {
      config: { action: providers.useCases.get.action },
      schema: { tags, summary: 'One identity provider', params: ProviderParams, response: responses({ 200: IdentityProvider }) },
    },
    async (request, reply) => {
      const { provider, version } = await providers.get(request.params.id, request.params.providerId, requestContext(request));
      return reply.header('etag', etagOf(version)).send(provider);
    },
  );

  app.patch(
    '/api/v1/tenants/:id/identity-providers/:providerId',
    {
      config: { action: providers.useCases.update.action },
      schema: { tags, summary: 'Change an identity provider', params: ProviderParams, headers: IfMatchHeaders, body: UpdateBody, response: responses({ 200: IdentityProvider }) },
    },
    async (request, reply) => {
      const { provider, version } = await providers.update(request.params.id, request.params.providerId, request.body, request.headers['if-match'], requestContext(request));
      return reply.header('etag', etagOf(version)).send(provider);
    },
  );

  app.delete(
    '/api/v1/tenants/:id/identity-providers/:providerId',
    {
      config: { action: providers.useCases.delete.action },
      schema: { tags, summary: 'Remove an identity provider', params: ProviderParams, headers: IfMatchHeaders, response: responses({ 204: NoContent }) },
    },
    async (request, reply) => {
      await providers.delete(request.params.id, request.params.providerId, request.headers['if-match'], requestContext(request));
      return reply.status(204).send(null);
    },
  );

  // --- signing in (public) -----------------------------------------------------------------------
  app.post(
    '/api/v1/auth/discover',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: 'How an email signs in: password, or single sign-on through its organisation’s identity provider',
        description: 'Answers from the email’s domain alone: it does not reveal whether an account exists.',
        security: [],
        body: StrictObject({ email: Type.String({ minLength: 3, maxLength: 320 }), app: Type.Optional(App) }),
        response: responses({
          200: Type.Object(
            {
              method: Type.Union([Type.Literal('password'), Type.Literal('sso')]),
              providerName: Type.Optional(Type.String()),
              startUrl: Type.Optional(Type.String({ description: 'sso: send the browser here' })),
              passwordAllowed: Type.Optional(Type.Boolean({ description: 'sso: false when the provider is mandatory for the domain' })),
            },
            { title: 'SignInDiscovery' },
          ),
        }),
      },
    },
    async (request) => signIn.discover(request.body.email, request.body.app),
  );

  app.get(
    `${SSO_PATH}/:tenantId/:providerId/start`,
    {
      config: { public: true },
      schema: {
        hide: true,
        tags: ['auth'],
        summary: 'Start signing in with an identity provider (a browser navigation: 302 to the provider)',
        security: [],
        params: SsoParams,
        querystring: StrictObject({ login_hint: Type.Optional(Type.String({ maxLength: 320 })), app: Type.Optional(App) }),
      },
    },
    async (request, reply) => {
      // This browser's mark: only it may finish the sign-in (see finish). Lax, so the same-site
      // navigation to finish carries it; scoped to the SSO paths, gone after ten minutes.
      const browserBinding = randomBytes(32).toString('base64url');
      const started = await signIn.start(request.params.tenantId, request.params.providerId, { loginHint: request.query.login_hint, app: request.query.app, browserBinding }, requestContext(request));
      if (!started.ok) return failurePage(reply, started.message);
      reply.setCookie(BINDING_COOKIE, browserBinding, { path: SSO_PATH, httpOnly: true, sameSite: 'lax', secure: secureCookies, maxAge: 600 });
      reply.header('cache-control', 'no-store');
      return reply.redirect(started.location, 302);
    },
  );

  app.get(
    `${SSO_PATH}/:tenantId/:providerId/callback`,
    {
      config: { public: true },
      schema: {
        hide: true,
        tags: ['auth'],
        summary: 'OpenID Connect redirect URI (the provider sends the browser here)',
        security: [],
        params: SsoParams,
        // What the provider sends back; providers may add parameters of their own.
        querystring: Type.Object(
          {
            code: Type.Optional(Type.String({ maxLength: 4096 })),
            state: Type.Optional(Type.String({ maxLength: 512 })),
            iss: Type.Optional(Type.String({ maxLength: 2048 })),
            error: Type.Optional(Type.String({ maxLength: 256 })),
            error_description: Type.Optional(Type.String({ maxLength: 2048 })),
          },
          { additionalProperties: true },
        ),
      },
    },
    async (request, reply) => {
      const currentUrl = new URL(request.url, publicUrl);
      const outcome = await signIn.completeOidc(request.params.tenantId, request.params.providerId, currentUrl, requestContext(request));
      return outcome.ok ? handoffPage(reply, outcome.handoff) : failurePage(reply, outcome.message);
    },
  );

  app.register(async (scope) => {
    // The SAML HTTP-POST binding is a form post; only this route parses forms.
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    });
    scope.withTypeProvider<TypeBoxTypeProvider>().post(
      `${SSO_PATH}/:tenantId/:providerId/acs`,
      {
        config: { public: true },
        schema: {
        hide: true,
          tags: ['auth'],
          summary: 'SAML assertion consumer service (HTTP-POST binding)',
          security: [],
          params: SsoParams,
          consumes: ['application/x-www-form-urlencoded'],
          body: StrictObject({ SAMLResponse: Type.String({ minLength: 1, maxLength: 500_000 }), RelayState: Type.Optional(Type.String({ maxLength: 80 })) }),
        },
      },
      async (request, reply) => {
        const outcome = await signIn.completeSaml(request.params.tenantId, request.params.providerId, request.body.SAMLResponse, request.body.RelayState, requestContext(request));
        return outcome.ok ? handoffPage(reply, outcome.handoff) : failurePage(reply, outcome.message);
      },
    );
  });

  app.get(
    `${SSO_PATH}/:tenantId/:providerId/metadata`,
    {
      config: { public: true },
      schema: {
        hide: true, tags: ['auth'], summary: 'Our SAML service provider metadata for this provider', security: [], params: SsoParams },
    },
    async (request, reply) => {
      const xml = await signIn.samlMetadata(request.params.tenantId, request.params.providerId);
      return reply.type('application/samlmetadata+xml; charset=utf-8').send(xml);
    },
  );

  app.get(
    `${SSO_PATH}/finish`,
    {
      config: { public: true },
      schema: {
        hide: true,
        tags: ['auth'],
        summary: 'Completes a single sign-on on a same-site request: sets the session cookie and redirects into the app',
        security: [],
        querystring: StrictObject({ handoff: Type.String({ minLength: 20, maxLength: 100 }) }),
      },
    },
    async (request, reply) => {
      const finished = await signIn.finish(request.query.handoff, request.cookies[BINDING_COOKIE], request.headers['user-agent'], requestContext(request));
      reply.clearCookie(BINDING_COOKIE, { path: SSO_PATH });
      if (!finished) return failurePage(reply, 'This sign-in has expired, was already used, or was started in another browser. Start again.');
      reply.setCookie(SESSION_COOKIE, finished.signedIn.sessionToken, { path: '/', httpOnly: true, sameSite: 'strict', secure: secureCookies, expires: finished.signedIn.expiresAt });
      reply.header('cache-control', 'no-store');
      return reply.redirect(`/${finished.app}/`, 302);
    },
  );
}

/**
 * The provider's way back is a cross-site navigation: our SameSite=Strict cookie would neither be
 * sent on the next hop of a redirect chain nor (for a cross-site POST) be stored. This page moves
 * the browser on with a same-site navigation, without script (the CSP allows none).
 */
function handoffPage(reply: FastifyReply, handoff: string) {
  const next = `${SSO_PATH}/finish?handoff=${encodeURIComponent(handoff)}`;
  return sendPage(reply, 200, 'Signing in…', `<p>Signing you in… <a href="${html(next)}">Continue</a></p>`, next);
}
