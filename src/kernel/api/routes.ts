// The routes port: what a module needs to put its use cases on the HTTP API, and nothing of how the
// gateway serves them. A module registers routes on an `HttpApp` (Fastify with TypeBox schemas),
// declares on each the action it needs (or that it is public), and turns a request into the
// `RequestContext` its services take. The server, authentication, idempotency and problem mapping
// are the gateway's (src/gateway); modules never import from it.
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest, RawServerDefault } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Action } from '../authz/authorize.js';
import type { Authentication, SessionRestriction } from '../authentication.js';
import type { RequestContext } from '../context.js';

export type HttpApp = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger, TypeBoxTypeProvider>;

/** A route and the action it declares (for the access catalogue, tests and documentation). */
export interface RouteAction {
  method: string;
  url: string;
  action: string | null;
  public: boolean;
  /** The route's schema summary, if it has one (what the action does, for people). */
  summary: string | null;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The action a caller must be allowed; every /api/v1 route other than public ones declares one. */
    action?: Action;
    /** Reachable without authentication (sign-in, health, docs). */
    public?: boolean;
    /** Restrictions under which a session may still reach this route (the step that lifts them, sign-out, the session read). */
    allowRestricted?: readonly SessionRestriction[];
  }
  interface FastifyInstance {
    /** Every route with the action it declares. */
    routeActions: RouteAction[];
  }
  interface FastifyRequest {
    /** Set by the gateway when the request carried a credential it could resolve. */
    authentication?: Authentication;
  }
}

/** Who is asking, for the services: the request's principal (if the route accepts it), id and address. */
export function requestContext(request: FastifyRequest): RequestContext {
  const authentication = request.authentication;
  // A restricted session has a principal only on the routes that accept its restriction (the
  // gateway refused it everywhere else already; this keeps the rule true for public routes too).
  const accepted = authentication && (authentication.restriction === null || restrictionAllowed(request, authentication.restriction));
  const principal = authentication && accepted ? authentication.principal : null;
  return { principal, requestId: String(request.id), sourceIp: request.ip };
}

/** Whether the route the request reached accepts sessions under this restriction. */
export function restrictionAllowed(request: FastifyRequest, restriction: SessionRestriction): boolean {
  return request.routeOptions.config?.allowRestricted?.includes(restriction) ?? false;
}
