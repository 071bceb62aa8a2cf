// HTTP surface of a tenant's OAuth clients.
import { Type } from 'typebox';
import type { HttpApp } from '../../../../kernel/api/routes.js';
import { StrictObject, Id, NoContent, responses, named } from '../../../../kernel/api/schemas.js';
import { requestContext } from '../../../../kernel/api/routes.js';
import type { OAuthClientService } from './client-service.js';
import { API_SCOPES } from './scopes.js';

const tags = ['oauth'];
const TenantParams = StrictObject({ id: Id('tenant') });
const ClientParams = StrictObject({ id: Id('tenant'), clientId: Id('oauthClient') });
const GrantType = Type.Union([Type.Literal('client_credentials'), Type.Literal('authorization_code')]);

const OAuthClient = named(
  'OAuthClient',
  Type.Object(
    {
      clientId: Type.String(),
      tenantId: Type.String(),
      name: Type.String(),
      grantType: GrantType,
      redirectUris: Type.Array(Type.String()),
      scopes: Type.Array(Type.String()),
      role: Type.Union([Type.String(), Type.Null()], { description: 'The role client-credentials tokens act with; null for authorization_code clients (they act with the user’s role)' }),
      issuer: Type.String({ description: 'The authorization server (its discovery document is at issuer + /.well-known/openid-configuration)' }),
      createdAt: Type.String({ format: 'date-time' }),
    },
    { title: 'OAuthClient' },
  ),
);
const CreatedOAuthClient = named(
  'CreatedOAuthClient',
  Type.Object(
    { ...OAuthClient.properties, clientSecret: Type.String({ description: 'Shown once; only its hash is stored' }) },
    { title: 'CreatedOAuthClient' },
  ),
);

const CreateBody = StrictObject({
  name: Type.String({ minLength: 1, maxLength: 100 }),
  grantType: Type.Optional(GrantType),
  redirectUris: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 2000 }), { maxItems: 10, description: 'Exact redirect URIs (authorization_code); https, or http on localhost' })),
  scopes: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: API_SCOPES.length, description: `Scopes the client may request: ${API_SCOPES.join(', ')}. Default: every :read scope` })),
  role: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'client_credentials only: the tenant role its tokens act with (default read-only)' })),
});

export function oauthClientRoutes(app: HttpApp, service: OAuthClientService): void {
  app.get(
    '/api/v1/tenants/:id/oauth-clients',
    { config: { action: service.useCases.list.action }, schema: { tags, summary: 'The tenant’s OAuth clients', params: TenantParams, response: responses({ 200: Type.Object({ data: Type.Array(OAuthClient) }) }) } },
    async (request) => ({ data: await service.list(request.params.id, requestContext(request)) }),
  );

  app.post(
    '/api/v1/tenants/:id/oauth-clients',
    {
      config: { action: service.useCases.create.action },
      schema: { tags, summary: 'Register an OAuth client; the response carries its secret, once', params: TenantParams, body: CreateBody, response: responses({ 201: CreatedOAuthClient }) },
    },
    async (request, reply) => reply.status(201).send(await service.create(request.params.id, request.body, requestContext(request))),
  );

  app.delete(
    '/api/v1/tenants/:id/oauth-clients/:clientId',
    { config: { action: service.useCases.delete.action }, schema: { tags, summary: 'Delete an OAuth client; its tokens stop working at once', params: ClientParams, response: responses({ 204: NoContent }) } },
    async (request, reply) => {
      await service.delete(request.params.id, request.params.clientId, requestContext(request));
      return reply.status(204).send(null);
    },
  );
}
