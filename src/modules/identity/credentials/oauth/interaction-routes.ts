// The authorization server on HTTP: oidc-provider answers everything under /oauth (discovery, JWKS,
// authorize, token, revocation, introspection, userinfo) on the raw request, and we answer its
// interactions: the end-user is whoever holds the Platforma session cookie, and the consent page
// shows the client, the scopes it asks for and the tenant it belongs to. Only members of the
// client's tenant can authorise it. Nothing here is under /api, so the gateway's authentication
// hook does not run: the provider authenticates clients, and the pages below read the session.
import { identityEvent } from '../../events.js';
import type { IncomingMessage } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import type { HttpApp } from '../../../../kernel/api/routes.js';
import type { Kernel } from '../../../../kernel/kernel.js';
import { inTransaction } from '../../../../kernel/db/database.js';
import { SYSTEM_SCOPE } from '../../../../kernel/use-case.js';
import { SESSION_COOKIE, type Authentication } from '../../../../kernel/authentication.js';
import { IdentityRepository } from '../../accounts/repository.js';
import { tenantNames, type TenantDirectory } from '../../accounts/service.js';
import { OAUTH_PATH, type AuthorizationServer } from './authorization-server.js';
import { SCOPE_DESCRIPTIONS, isApiScope } from './scopes.js';
import { restrictionIn, type TenantAuthenticationSource } from '../../accounts/authentication-rules.js';

export interface InteractionDeps {
  kernel: Pick<Kernel, 'config' | 'clock' | 'db' | 'useCases'>;
  server: AuthorizationServer;
  tenants: TenantDirectory;
  authentication: TenantAuthenticationSource;
  resolveSession(token: string): Promise<Authentication | undefined>;
}

const html = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${html(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#1f2937}h1{font-size:1.4rem}li{margin:.3rem 0}.actions{display:flex;gap:.75rem;margin-top:1.5rem}button{font:inherit;padding:.5rem 1rem;border-radius:.375rem;border:1px solid #9ca3af;background:#fff;cursor:pointer}button.primary{background:#1d4ed8;color:#fff;border-color:#1d4ed8}</style></head><body>${body}</body></html>`;
}

export async function interactionRoutes(app: HttpApp, deps: InteractionDeps): Promise<void> {
  const identity = new IdentityRepository();

  /** Our pages: no scripts, and forms may only post here and redirect to the client's URIs. */
  function sendPage(reply: FastifyReply, status: number, body: string, redirectOrigins: string[] = []) {
    const formAction = ["'self'", ...redirectOrigins].join(' ');
    reply.header('content-security-policy', `default-src 'none'; style-src 'unsafe-inline'; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`);
    reply.header('cache-control', 'no-store');
    return reply.status(status).type('text/html; charset=utf-8').send(body);
  }

  async function signedIn(request: FastifyRequest): Promise<Authentication | undefined> {
    const cookie = request.cookies[SESSION_COOKIE];
    const authentication = cookie ? await deps.resolveSession(cookie) : undefined;
    // A restricted session (second factor owed, MFA to enrol, expired password) may not consent.
    return authentication && authentication.restriction === null ? authentication : undefined;
  }

  const publicOrigin = new URL(deps.kernel.config.publicUrl);
  /**
   * What the session still owes the client's tenant (its mandatory MFA, its password policy), which
   * bind the session only where it works: consenting there from another tenant must not dodge them.
   */
  async function owedIn(authentication: Authentication, tenantId: string): Promise<string | null> {
    const { principal } = authentication;
    if (!principal.sessionId) return 'a signed-in session';
    return restrictionIn(deps.kernel.db, deps.authentication, { ...principal, sessionId: principal.sessionId }, tenantId, deps.kernel.clock.now());
  }

  async function refuseOwed(request: FastifyRequest, reply: FastifyReply, oidc: Provider) {
    reply.hijack();
    return oidc.interactionFinished(
      request.raw,
      reply.raw,
      { error: 'access_denied', error_description: 'The organisation this application belongs to asks for more than this session has done (two-step verification or a new password): switch to it in Platforma first.' },
      { mergeWithLastSubmission: false },
    );
  }

  let handle: ReturnType<Provider['callback']> | undefined;
  await app.register(async (scope) => {
    // The provider reads request bodies itself: leave the stream untouched for it.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null));

    scope.all(`${OAUTH_PATH}/*`, { config: { public: true }, schema: { hide: true } }, async (request, reply) => {
      const oidc = await deps.server.ready();
      reply.hijack();
      const raw = request.raw as IncomingMessage & { originalUrl?: string };
      // The provider builds its endpoints' URLs (discovery, redirects) from the request's host and
      // scheme: give it PUBLIC_URL's, whatever Host or X-Forwarded-* the client sent, and the
      // client address the gateway decided (trusted proxies only).
      raw.headers.host = publicOrigin.host;
      raw.headers['x-forwarded-host'] = publicOrigin.host;
      raw.headers['x-forwarded-proto'] = publicOrigin.protocol.slice(0, -1);
      raw.headers['x-forwarded-for'] = request.ip;
      raw.originalUrl = raw.url;
      raw.url = (raw.url ?? '/').slice(OAUTH_PATH.length) || '/';
      handle ??= oidc.callback();
      handle(raw, reply.raw);
    });

    scope.register(async (pages) => {
      pages.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
        done(null, Object.fromEntries(new URLSearchParams(String(body))));
      });

      pages.get(`${OAUTH_PATH}/interaction/:uid`, { config: { public: true }, schema: { hide: true } }, async (request, reply) => {
        const oidc = await deps.server.ready();
        const details = await oidc.interactionDetails(request.raw, reply.raw);
        const client = await oidc.Client.find(String(details.params.client_id));
        if (!client) return sendPage(reply, 400, page('Unknown application', '<h1>Unknown application</h1>'));
        const clientTenant = String((client as unknown as { tenant_id: string }).tenant_id);
        const redirectOrigins = [...new Set((client.redirectUris ?? []).map((uri) => new URL(uri).origin))];
        const authentication = await signedIn(request);
        if (!authentication) {
          // A session cookie is SameSite=Strict: the first hop from another site arrives without it.
          // Following this same-site link sends it; without a session, sign in first.
          return sendPage(
            reply,
            200,
            page(
              'Sign in to continue',
              `<h1>Sign in to continue</h1><p>${html(client.clientName ?? client.clientId)} asks for access to your Platforma account.</p>
<p><a href="${html(request.url)}">Continue</a> if you are signed in, or <a href="/portal/">sign in to Platforma</a> and come back to this page.</p>`,
            ),
          );
        }
        const userId = authentication.principal.userId;
        const member = await inTransaction(deps.kernel.db, SYSTEM_SCOPE, (tx) => identity.findMembership(tx, clientTenant, userId));
        if (!member) {
          reply.hijack();
          return oidc.interactionFinished(request.raw, reply.raw, { error: 'access_denied', error_description: 'The signed-in user is not a member of the tenant this application belongs to.' }, { mergeWithLastSubmission: false });
        }
        if (await owedIn(authentication, clientTenant)) return refuseOwed(request, reply, oidc);
        const tenantName = (await tenantNames(deps.tenants, [clientTenant])).get(clientTenant) ?? clientTenant;
        const scopes = String(details.params.scope ?? '').split(' ').filter(Boolean);
        const uid = html(details.uid);
        const csrf = html(authentication.csrfToken ?? '');
        return sendPage(
          reply,
          200,
          page(
            'Authorize application',
            `<h1>Allow ${html(client.clientName ?? client.clientId)} to use your account?</h1>
<p>Signed in as <strong>${html(authentication.principal.email)}</strong>. The application belongs to the tenant <strong>${html(tenantName)}</strong> and acts there with your role (${html(member.role)}).</p>
<p>It asks to:</p><ul>${scopes.map((s) => `<li><code>${html(s)}</code> — ${html(SCOPE_DESCRIPTIONS[s] ?? s)}</li>`).join('')}</ul>
<div class="actions"><form method="post" action="${OAUTH_PATH}/interaction/${uid}/confirm"><input type="hidden" name="csrf" value="${csrf}"><button class="primary" type="submit">Allow</button></form>
<form method="post" action="${OAUTH_PATH}/interaction/${uid}/abort"><input type="hidden" name="csrf" value="${csrf}"><button type="submit">Deny</button></form></div>`,
          ),
          redirectOrigins,
        );
      });

      pages.post(`${OAUTH_PATH}/interaction/:uid/confirm`, { config: { public: true }, schema: { hide: true } }, async (request, reply) => {
        const oidc = await deps.server.ready();
        const authentication = await signedIn(request);
        const csrf = (request.body as Record<string, string> | undefined)?.csrf;
        if (!authentication || !csrf || csrf !== authentication.csrfToken) {
          return sendPage(reply, 403, page('Not allowed', '<h1>Not allowed</h1><p>Sign in to Platforma and open the consent page again.</p>'));
        }
        const details = await oidc.interactionDetails(request.raw, reply.raw);
        const clientId = String(details.params.client_id);
        const client = await oidc.Client.find(clientId);
        const clientTenant = client ? String((client as unknown as { tenant_id: string }).tenant_id) : '';
        const userId = authentication.principal.userId;
        const member = client ? await inTransaction(deps.kernel.db, SYSTEM_SCOPE, (tx) => identity.findMembership(tx, clientTenant, userId)) : undefined;
        if (client && member && (await owedIn(authentication, clientTenant))) return refuseOwed(request, reply, oidc);
        reply.hijack();
        if (!client || !member) {
          return oidc.interactionFinished(request.raw, reply.raw, { error: 'access_denied', error_description: 'The signed-in user is not a member of the tenant this application belongs to.' }, { mergeWithLastSubmission: false });
        }
        const scopes = String(details.params.scope ?? '').split(' ').filter(Boolean);
        const existing = details.grantId && details.session?.accountId === userId ? await oidc.Grant.find(details.grantId) : undefined;
        const grant = existing ?? new oidc.Grant({ accountId: userId, clientId });
        // API scopes are also registered with the provider (so unknown ones are refused), which
        // makes them "OIDC" scopes to its consent check as well as resource scopes of the API.
        const api = scopes.filter(isApiScope);
        if (scopes.length > 0) grant.addOIDCScope(scopes.join(' '));
        if (api.length > 0) grant.addResourceScope(deps.server.audience, api.join(' '));
        const grantId = await grant.save();
        await inTransaction(deps.kernel.db, { scope: { kind: 'tenant', tenantId: clientTenant }, actorId: userId }, (tx) =>
          deps.kernel.useCases.record(tx, { principal: null, requestId: String(request.id), sourceIp: request.ip }, [
            {
              tenantId: clientTenant,
              actor: { type: 'user', id: userId, label: authentication.principal.email },
              target: { type: 'oauth-client', id: clientId },
              after: { scopes },
              event: { contract: identityEvent('identity.oauth_consent.granted'), payload: { clientId, userId, scopes } },
            },
          ]),
        );
        return oidc.interactionFinished(request.raw, reply.raw, { login: { accountId: userId }, consent: { grantId } }, { mergeWithLastSubmission: true });
      });

      pages.post(`${OAUTH_PATH}/interaction/:uid/abort`, { config: { public: true }, schema: { hide: true } }, async (request, reply) => {
        const oidc = await deps.server.ready();
        reply.hijack();
        return oidc.interactionFinished(request.raw, reply.raw, { error: 'access_denied', error_description: 'The user denied the request.' }, { mergeWithLastSubmission: false });
      });
    });
  });
}
