// HTTP surface of tenants: schema in, one service call, schema out.
import { Type } from 'typebox';
import type { HttpApp } from '../../kernel/api/routes.js';
import { responses } from '../../kernel/api/schemas.js';
import { requestContext } from '../../kernel/api/routes.js';
import type { AuditEntry } from '../../kernel/audit.js';
import type { TenantService } from './service.js';
import { etagOf } from '../../kernel/api/etags.js';
import {
  Tenant,
  TenantPage,
  CreateTenantBody,
  UpdateTenantBody,
  ListTenantsQuery,
  TenantIdParams,
  ReasonBody,
  OptionalReasonBody,
  Quotas,
  AuditPage,
  AuditQuery,
} from './schemas.js';
import type { TenantTransition } from './status.js';

const tags = ['tenants'];
const IfMatchHeaders = Type.Object({
  'if-match': Type.Optional(Type.String({ description: 'The ETag from a previous read; the change is refused with 412 if the tenant changed since' })),
});

function auditView(entry: AuditEntry) {
  return { ...entry, occurredAt: entry.occurredAt.toISOString() };
}

export function tenantRoutes(app: HttpApp, service: TenantService): void {
  app.post(
    '/api/v1/tenants',
    {
      config: { action: service.useCases.create.action },
      schema: {
        tags,
        summary: 'Create a tenant',
        description: 'Accepts an Idempotency-Key header. Omitted quotas and settings take their defaults.',
        body: CreateTenantBody,
        response: responses({ 201: Tenant }),
      },
    },
    async (request, reply) => {
      const tenant = await service.create(request.body, requestContext(request));
      return reply.status(201).header('etag', etagOf(tenant.version)).header('location', `/api/v1/tenants/${tenant.id}`).send(tenant);
    },
  );

  app.get(
    '/api/v1/tenants',
    {
      config: { action: service.useCases.list.action },
      schema: { tags, summary: 'List tenants, newest first', querystring: ListTenantsQuery, response: responses({ 200: TenantPage }) },
    },
    async (request) => service.list(request.query, requestContext(request)),
  );

  app.get(
    '/api/v1/tenants/:id',
    {
      config: { action: service.useCases.get.action },
      schema: { tags, summary: 'Get a tenant', params: TenantIdParams, response: responses({ 200: Tenant }) },
    },
    async (request, reply) => {
      const tenant = await service.get(request.params.id, requestContext(request));
      return reply.header('etag', etagOf(tenant.version)).send(tenant);
    },
  );

  app.patch(
    '/api/v1/tenants/:id',
    {
      config: { action: service.useCases.update.action },
      schema: {
        tags,
        summary: 'Change a tenant’s name, domain, admin email or settings',
        params: TenantIdParams,
        headers: IfMatchHeaders,
        body: UpdateTenantBody,
        response: responses({ 200: Tenant }),
      },
    },
    async (request, reply) => {
      const tenant = await service.update(request.params.id, request.body, request.headers['if-match'], requestContext(request));
      return reply.header('etag', etagOf(tenant.version)).send(tenant);
    },
  );

  app.put(
    '/api/v1/tenants/:id/quotas',
    {
      config: { action: service.useCases.setQuotas.action },
      schema: { tags, summary: 'Replace a tenant’s quotas', params: TenantIdParams, headers: IfMatchHeaders, body: Quotas, response: responses({ 200: Tenant }) },
    },
    async (request, reply) => {
      const tenant = await service.setQuotas(request.params.id, request.body, request.headers['if-match'], requestContext(request));
      return reply.header('etag', etagOf(tenant.version)).send(tenant);
    },
  );

  const transitions: { path: string; transition: TenantTransition; summary: string; reasonRequired: boolean }[] = [
    { path: 'suspend', transition: 'suspend', summary: 'Suspend an active tenant (reason required)', reasonRequired: true },
    { path: 'reactivate', transition: 'reactivate', summary: 'Reactivate a suspended tenant', reasonRequired: false },
    { path: 'activate', transition: 'activate', summary: 'Activate a pending tenant', reasonRequired: false },
    { path: 'terminate', transition: 'terminate', summary: 'Terminate a tenant (final; its data is kept)', reasonRequired: false },
  ];
  for (const { path, transition, summary, reasonRequired } of transitions) {
    app.post(
      `/api/v1/tenants/:id/${path}`,
      {
        config: { action: service.useCases[transition].action },
        schema: {
          tags,
          summary,
          description: 'An invalid transition is refused with 409 PLAT_INVALID_TRANSITION naming the current status.',
          params: TenantIdParams,
          body: reasonRequired ? ReasonBody : OptionalReasonBody,
          response: responses({ 200: Tenant }),
        },
      },
      async (request, reply) => {
        const tenant = await service.transition(request.params.id, transition, request.body.reason, requestContext(request));
        return reply.header('etag', etagOf(tenant.version)).send(tenant);
      },
    );
  }

  app.get(
    '/api/v1/tenants/:id/audit-events',
    {
      config: { action: service.useCases.listAuditEvents.action },
      schema: { tags, summary: 'The tenant’s audit trail, newest first', params: TenantIdParams, querystring: AuditQuery, response: responses({ 200: AuditPage }) },
    },
    async (request) => {
      const page = await service.auditTrail(request.params.id, request.query, requestContext(request));
      return { data: page.data.map(auditView), nextCursor: page.nextCursor };
    },
  );
}
