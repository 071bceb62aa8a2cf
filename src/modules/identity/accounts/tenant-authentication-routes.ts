// HTTP surface of a tenant's authentication settings (password policy, mandatory MFA): identity's
// part of the tenant, with its own ETag (ADR 0017). The tenant document shows the same settings
// under settings.authentication.
import { Type } from 'typebox';
import type { HttpApp } from '../../../kernel/api/routes.js';
import { requestContext } from '../../../kernel/api/routes.js';
import { StrictObject, Id, responses } from '../../../kernel/api/schemas.js';
import { etagOf } from '../../../kernel/api/etags.js';
import { TenantAuthenticationSettingsBody, type TenantAuthenticationService } from './tenant-authentication-service.js';

const tags = ['tenants'];
const TenantIdParams = StrictObject({ id: Id('tenant') });
const IfMatchHeaders = Type.Object({
  'if-match': Type.Optional(Type.String({ description: 'The ETag from a previous read of these settings; the change is refused with 412 if they changed since' })),
});

export function tenantAuthenticationRoutes(app: HttpApp, service: TenantAuthenticationService): void {
  app.get(
    '/api/v1/tenants/:id/authentication-settings',
    {
      config: { action: service.useCases.get.action },
      schema: { tags, summary: 'A tenant’s password policy and MFA requirement', params: TenantIdParams, response: responses({ 200: TenantAuthenticationSettingsBody }) },
    },
    async (request, reply) => {
      const { settings, version } = await service.get(request.params.id, requestContext(request));
      return reply.header('etag', etagOf(version)).send(settings);
    },
  );

  app.put(
    '/api/v1/tenants/:id/authentication-settings',
    {
      config: { action: service.useCases.replace.action },
      schema: {
        tags,
        summary: 'Replace a tenant’s password policy and MFA requirement',
        description: 'These settings have their own ETag (not the tenant’s); send it as If-Match. Identity providers are managed at /api/v1/tenants/{id}/identity-providers.',
        params: TenantIdParams,
        headers: IfMatchHeaders,
        body: TenantAuthenticationSettingsBody,
        response: responses({ 200: TenantAuthenticationSettingsBody }),
      },
    },
    async (request, reply) => {
      const { settings, version } = await service.replace(request.params.id, request.body, request.headers['if-match'], requestContext(request));
      return reply.header('etag', etagOf(version)).send(settings);
    },
  );
}
