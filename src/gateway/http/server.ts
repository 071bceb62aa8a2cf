// The HTTP server factory: Fastify with TypeBox schemas on every route (one schema validates,
// serialises and documents), strict bodies (unknown properties and wrong types are 400, never
// coerced), problem+json for every error, 405 with Allow, request ids, metrics and security headers.
import Fastify, { LogController, type FastifyBaseLogger } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Ajv, type ValidateFunction } from 'ajv';
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import addFormatsModule from 'ajv-formats';
import FindMyWay from 'find-my-way';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import cookie from '@fastify/cookie';
import helmet from 'helmet';
import type { Logger } from '../../kernel/logging.js';
import type { Metrics } from '../../kernel/metrics.js';
import { newId } from '../../kernel/ids.js';
import { problem, problemFromError, sendProblem } from './problem.js';
import { ProblemSchema } from '../../kernel/api/schemas.js';
import { markNamedSchemas, referenceNamedSchemas, referenceProblemResponses } from './openapi-components.js';
import { ValidationError } from '../../kernel/errors.js';

import type { HttpApp, RouteAction } from '../../kernel/api/routes.js';

export type { HttpApp, RouteAction };

export interface ServerOptions {
  logger: Logger;
  metrics: Metrics;
  bodyLimit: number;
  version: string;
  /** Proxies whose X-Forwarded-* headers are believed (config TRUSTED_PROXIES); empty: none. */
  trustedProxies: readonly string[];
}

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

function ajv(coerceTypes: boolean | 'array'): Ajv {
  // removeAdditional must stay off: unknown properties are an error, never silently dropped.
  const instance = new Ajv({ allErrors: true, coerceTypes, useDefaults: true, removeAdditional: false, strict: false });
  addFormats(instance);
  return instance;
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/**
 * Route schemas are compiled on a route's first request, not at boot. Compiling every validator
 * and serializer (each route's body, parameters and each of its responses, errors included) was
 * half of the CPU a warm boot spends (about 1.2 s of 4.7 s profiled, fast-json-stringify and Ajv),
 * for routes a given process may never serve; one route's compile is a few milliseconds on its
 * first request. A schema that cannot compile would then fail on first use instead of at boot, so
 * `compileRouteSchemas` compiles everything pending, and the suite calls it on the whole API.
 */
const pendingCompiles = new WeakMap<object, Set<() => void>>();

export function compileRouteSchemas(app: HttpApp): number {
  const pending = pendingCompiles.get(app) ?? new Set();
  const count = pending.size;
  for (const compile of [...pending]) compile();
  return count;
}

function compiledOnFirstUse<F extends (data: never) => unknown>(pending: Set<() => void>, compile: () => F): F & { errors?: unknown } {
  let compiled: F | undefined;
  const ensure = () => {
    compiled ??= compile();
    pending.delete(ensure);
    return compiled;
  };
  pending.add(ensure);
  // Fastify reads a failed validation's errors from the function it was given, as Ajv leaves them.
  const first = ((data: never) => {
    const fn = ensure();
    const result = fn(data);
    first.errors = (fn as { errors?: unknown }).errors;
    return result;
  }) as F & { errors?: unknown };
  return first;
}

// eslint-disable-next-line no-control-regex -- NUL is exactly what this looks for
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * How deep a JSON body may nest. Every walk over a body (Ajv, the text check below, canonical JSON
 * for idempotency and audit, PostgreSQL's own jsonb parser, which stops at its stack limit) is
 * recursive, so a few kilobytes of `[[[[…` would otherwise exhaust the stack as a 500 before any
 * check ran. 64 is far beyond any document the API takes: the deepest are catalog configuration
 * schemas, where each nested object costs two levels (`properties` → name), so 64 still allows
 * about 30 nested objects in a configuration form.
 */
export const MAX_JSON_DEPTH = 64;

/** The pointer of the first value nested deeper than `limit`, found without recursion. */
export function tooDeep(value: unknown, limit: number): string | undefined {
  const stack: { value: unknown; depth: number; pointer: string }[] = [{ value, depth: 0, pointer: '' }];
  while (stack.length > 0) {
    const item = stack.pop() as { value: unknown; depth: number; pointer: string };
    if (typeof item.value !== 'object' || item.value === null) continue;
    // The outermost object or array is depth 1.
    if (item.depth + 1 > limit) return item.pointer || '/';
    for (const [key, member] of Object.entries(item.value)) {
      if (typeof member === 'object' && member !== null) stack.push({ value: member, depth: item.depth + 1, pointer: `${item.pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}` });
    }
  }
  return undefined;
}

/** The JSON pointer of the first string or key PostgreSQL could not store, if any. */
function unstorableText(value: unknown, pointer: string): string | undefined {
  if (typeof value === 'string') return UNSTORABLE.test(value) ? pointer || '/' : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, member] of Object.entries(value)) {
    const at = `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (UNSTORABLE.test(key)) return at;
    const found = unstorableText(member, at);
    if (found !== undefined) return found;
  }
  return undefined;
}

export async function createHttpServer(options: ServerOptions): Promise<HttpApp> {
  const pending = new Set<() => void>();
  const buildSerializers = SerializerSelector();
  const app = Fastify({
    schemaController: {
      compilersFactory: {
        buildSerializer: (externalSchemas: unknown, serializerOptions: unknown) => {
          const compile = buildSerializers(externalSchemas as never, serializerOptions as never);
          return (routeSchema: Parameters<typeof compile>[0]) => compiledOnFirstUse(pending, () => compile(routeSchema));
        },
      },
    },
    loggerInstance: options.logger as FastifyBaseLogger,
    bodyLimit: options.bodyLimit,
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && /^[A-Za-z0-9._-]{8,128}$/.test(given) ? given : newId('request');
    },
    // One line per request is written by our onResponse hook (errors only), not Fastify's pair.
    logController: new LogController({ disableRequestLogging: true }),
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    // request.ip (rate limits, source-IP conditions, audit) and request.protocol come from the
    // socket unless the peer is a configured proxy: anyone else could write X-Forwarded-For.
    trustProxy: options.trustedProxies.length > 0 ? [...options.trustedProxies] : false,
  }).withTypeProvider<TypeBoxTypeProvider>();

  // Bodies are validated strictly; querystring, params and headers arrive as text and are coerced.
  const bodyAjv = ajv(false);
  const textAjv = ajv('array');
  app.setValidatorCompiler(({ schema, httpPart }) => compiledOnFirstUse(pending, (): ValidateFunction => (httpPart === 'body' ? bodyAjv : textAjv).compile(schema)));
  // Only JSON bodies: Fastify's default text/plain parser would let a wrong content type through.
  app.removeContentTypeParser('text/plain');
  // Fastify's own JSON parser (prototype-poisoning checks included), followed by a depth limit
  // checked iteratively before anything recursive (hooks, Ajv) sees the body. JSON.parse itself
  // does not recurse on V8, so parsing a deep body is safe; walking it is not.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    parseJson(request, body as string, (error: Error | null, value?: unknown) => {
      if (error) return done(error, undefined);
      const pointer = tooDeep(value, MAX_JSON_DEPTH);
      if (pointer === undefined) return done(null, value);
      const message = `nests deeper than ${MAX_JSON_DEPTH} levels of objects and arrays (the limit)`;
      done(new ValidationError(`The request body ${message}.`, [{ pointer, message, in: 'body' }]), undefined);
    });
  });

  // 405 needs to know which methods a path has: keep our own index of every route as it is added.
  const routeIndex = FindMyWay();
  const actionsByRoute: RouteAction[] = [];
  app.decorate('routeActions', actionsByRoute);
  app.addHook('onRoute', (route) => {
    // Deny by default starts at registration: an API route that names no action cannot exist.
    const config = (route.config ?? {}) as { action?: string; public?: boolean };
    if (route.url.startsWith('/api/') && !config.public && !config.action) {
      throw new Error(`route ${[route.method].flat().join(',')} ${route.url} declares no action (config.action) and is not public`);
    }
    const summary = (route.schema as { summary?: unknown } | undefined)?.summary;
    actionsByRoute.push({ method: [route.method].flat().join(','), url: route.url, action: config.action ?? null, public: Boolean(config.public), summary: typeof summary === 'string' ? summary : null });
    for (const method of [route.method].flat()) {
      try {
        routeIndex.on(method as 'GET', route.url, () => {});
      } catch {
        // A route registered twice under HEAD/GET by Fastify: already indexed.
      }
    }
  });

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  // A write without a body is a write with an empty object: actions with only optional members
  // (reactivate) need none, and a missing required member is reported by name instead of "body
  // must be object".
  app.addHook('preValidation', async (request) => {
    if (request.body === undefined && (request.method === 'POST' || request.method === 'PUT' || request.method === 'PATCH')) request.body = {};
  });
  // Text PostgreSQL cannot store (NUL, unpaired UTF-16 surrogates) is refused here with a pointer,
  // instead of failing at the database as a 500.
  app.addHook('preValidation', async (request) => {
    for (const [part, value] of [['body', request.body], ['querystring', request.query]] as const) {
      const pointer = unstorableText(value, '');
      if (pointer !== undefined) {
        throw new ValidationError(`${pointer}: contains a NUL character or an unpaired surrogate`, [{ pointer, message: `contains a NUL character or an unpaired surrogate (in the ${part})` }]);
      }
    }
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    options.metrics.httpRequestDuration.observe({ method: request.method, route, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
    if (reply.statusCode >= 500) request.log.error({ req: request, statusCode: reply.statusCode }, 'request failed');
  });

  app.setErrorHandler((error, request, reply) => {
    const body = problemFromError(request, error);
    if (body.code === 'PLAT_DATABASE_UNAVAILABLE') request.log.warn({ err: error, requestId: request.id }, 'database unavailable');
    else if (body.status >= 500) request.log.error({ err: error, requestId: request.id }, 'unhandled error');
    return sendProblem(reply, body);
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const allowed = METHODS.filter((method) => method !== request.method && routeIndex.find(method, path) !== null);
    if (allowed.length > 0) {
      reply.header('allow', allowed.join(', '));
      return sendProblem(reply, problem(request, 'PLAT_METHOD_NOT_ALLOWED', `${request.method} is not allowed here; use ${allowed.join(', ')}.`));
    }
    return sendProblem(reply, problem(request, 'PLAT_ROUTE_NOT_FOUND', `No route ${request.method} ${path}.`));
  });

  await app.register(cookie);
  // Helmet's headers, built once: @fastify/helmet rebuilt the middleware (and reparsed the CSP) on every request.
  const securityHeaders = helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        // Served over plain http on localhost by default: upgrading would break it.
        upgradeInsecureRequests: null,
      },
    },
    crossOriginEmbedderPolicy: false,
  });
  app.addHook('onRequest', (request, reply, done) => {
    securityHeaders(request.raw, reply.raw, (error?: unknown) => done(error instanceof Error ? error : undefined));
  });
  app.addSchema(ProblemSchema);
  await app.register(swagger, {
    // Shared schemas keep their $id as their name in components.schemas (not def-0, def-1 …).
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
    // Schemas named with `named()`, and the standard problem responses, are written once, as
    // components, and referenced (openapi-components.ts).
    transform: ({ schema, url }) => ({ schema: markNamedSchemas(schema), url }),
    transformObject: (documentObject) => ('openapiObject' in documentObject ? referenceProblemResponses(referenceNamedSchemas(documentObject.openapiObject)) : documentObject.swaggerObject),
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Platforma API',
        version: options.version,
        description:
          'The public API of Platforma. Errors are RFC 9457 problem documents (`application/problem+json`) with a stable `code` and the `requestId`. ' +
          'POST requests that create resources accept an `Idempotency-Key` header.',
      },
      servers: [{ url: '/' }],
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'platforma_session', description: 'Session cookie from POST /api/v1/auth/sign-in; writes also need X-CSRF-Token.' },
        },
      },
      security: [{ session: [] }],
    },
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    staticCSP: true,
    // Like the rest of the server (see upgradeInsecureRequests above): on plain http the docs' own
    // scripts and styles would be upgraded to https and fail to load. Swagger UI sets inline styles
    // as it renders (the browser refused them under the plugin's policy), as our apps' policy allows;
    // and it asks no outside validator about our document.
    transformStaticCSP: (header) =>
      header
        .replace(/\s*upgrade-insecure-requests;?/, '')
        .replace(/style-src [^;]*/, "style-src 'self' 'unsafe-inline'")
        .replace(/ validator\.swagger\.io/, ''),
    uiConfig: { deepLinking: true, validatorUrl: null },
  });
  pendingCompiles.set(app, pending);
  return app;
}
