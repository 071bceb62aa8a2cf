// HTTP surface of API keys: a tenant's service keys, and the caller's own personal keys.
import { Type } from 'typebox';
import type { HttpApp } from '../../../kernel/api/routes.js';
import { StrictObject, Id, NoContent, responses, named } from '../../../kernel/api/schemas.js';
import { requestContext } from '../../../kernel/api/routes.js';
import type { ApiKeyService } from './api-key-service.js';

const tags = ['api-keys'];
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
const TenantParams = StrictObject({ id: Id('tenant') });
const KeyParams = StrictObject({ id: Id('tenant'), keyId: Id('apiKey') });
const MyKeyParams = StrictObject({ keyId: Id('apiKey') });

const Scopes = Type.Array(Type.String({ minLength: 1, maxLength: 128 }), {
  minItems: 1,
  maxItems: 50,
  description: 'Action patterns the key is limited to (e.g. tenants:tenant.read, billing:*); they only narrow what the role allows. Leave out for no narrowing.',
});
const KeyFields = {
  name: Type.String({ minLength: 1, maxLength: 100, description: 'What the key is for, to recognise it later' }),
  scopes: Type.Optional(Nullable(Scopes)),
  expiresAt: Type.Optional(Nullable(Type.String({ format: 'date-time', description: 'After this the key no longer authenticates; leave out for no expiry' }))),
};

const ApiKey = named(
  'ApiKey',
  Type.Object(
    {
      id: Type.String(),
      kind: Type.Union([Type.Literal('service'), Type.Literal('personal')]),
      tenantId: Type.String(),
      userId: Nullable(Type.String()),
      name: Type.String(),
      prefix: Type.String({ description: 'The visible start of the key (pk_<prefix>_…)' }),
      role: Nullable(Type.String({ description: 'A service key’s role; personal keys act with their user’s membership role' })),
      scopes: Nullable(Type.Array(Type.String())),
      expiresAt: Nullable(Type.String({ format: 'date-time' })),
      lastUsedAt: Nullable(Type.String({ format: 'date-time', description: 'Recorded at most once a minute' })),
      createdAt: Type.String({ format: 'date-time' }),
    },
    { title: 'ApiKey' },
  ),
);
const CreatedApiKey = named(
  'CreatedApiKey',
  Type.Object(
    { ...ApiKey.properties, secret: Type.String({ description: 'The whole key, for `Authorization: Bearer <key>`. Shown only in this response.' }) },
    { title: 'CreatedApiKey' },
  ),
);
const ApiKeyList = named('ApiKeyList', Type.Object({ data: Type.Array(ApiKey) }));

export function apiKeyRoutes(app: HttpApp, service: ApiKeyService): void {
  app.post(
    '/api/v1/tenants/:id/api-keys',
    {
      config: { action: service.useCases.createServiceKey.action },
      schema: {
        tags,
        summary: 'Create a service API key for the tenant (the secret is shown once)',
        params: TenantParams,
        body: StrictObject({ ...KeyFields, role: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'A built-in tenant role or a custom role id; default read-only' })) }),
        response: responses({ 201: CreatedApiKey }),
      },
    },
    async (request, reply) => reply.status(201).send(await service.createServiceKey(request.params.id, request.body, requestContext(request))),
  );

  app.get(
    '/api/v1/tenants/:id/api-keys',
    { config: { action: service.useCases.listServiceKeys.action }, schema: { tags, summary: 'The tenant’s live service API keys (never their secrets)', params: TenantParams, response: responses({ 200: ApiKeyList }) } },
    async (request) => ({ data: await service.listServiceKeys(request.params.id, requestContext(request)) }),
  );

  app.delete(
    '/api/v1/tenants/:id/api-keys/:keyId',
    { config: { action: service.useCases.revokeServiceKey.action }, schema: { tags, summary: 'Revoke a service API key; refused from the next call on', params: KeyParams, response: responses({ 204: NoContent }) } },
    async (request, reply) => {
      await service.revokeServiceKey(request.params.id, request.params.keyId, requestContext(request));
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/v1/me/api-keys',
    {
      config: { action: service.useCases.createPersonalKey.action },
      schema: {
        tags,
        summary: 'Create a personal API key (the secret is shown once)',
        description: 'The key acts as you in one tenant (default: the one you work in), with your role there, narrowed by its scopes.',
        body: StrictObject({ ...KeyFields, tenantId: Type.Optional(Id('tenant', 'The tenant the key works in; default the current one')) }),
        response: responses({ 201: CreatedApiKey }),
      },
    },
    async (request, reply) => reply.status(201).send(await service.createPersonalKey(request.body, requestContext(request))),
  );

  app.get(
    '/api/v1/me/api-keys',
    { config: { action: service.useCases.listPersonalKeys.action }, schema: { tags, summary: 'Your live personal API keys (never their secrets)', response: responses({ 200: ApiKeyList }) } },
    async (request) => ({ data: await service.listPersonalKeys(requestContext(request)) }),
  );

  app.delete(
    '/api/v1/me/api-keys/:keyId',
    { config: { action: service.useCases.revokePersonalKey.action }, schema: { tags, summary: 'Revoke one of your personal API keys', params: MyKeyParams, response: responses({ 204: NoContent }) } },
    async (request, reply) => {
      await service.revokePersonalKey(request.params.keyId, requestContext(request));
      return reply.status(204).send(null);
    },
  );
}
