// Schemas shared by every module's routes: the problem document, pagination, ids, and the naming of
// schemas for the API document.
import { Type, type TSchema, type TProperties } from 'typebox';
import { idPattern, type IdKind } from '../ids.js';

// The name rides on the schema as a hidden symbol rather than as `$id`: a nested `$id` changes how
// Ajv and fast-json-stringify resolve the schema (the same `$id` twice in one response, e.g. a change
// preview's current and proposed price, fails the route's build), while a non-enumerable symbol is
// invisible to validation and serialisation. TypeBox copies it along (Type.Optional makes a copy).
const SCHEMA_NAME = Symbol('platforma.schemaName');

/**
 * Names a schema for the API document: the gateway writes it once, as `components.schemas[name]`,
 * and every route schema containing it refers to it there (`$ref`), so the web's generated types
 * have one type per resource instead of a copy per operation. Validation and serialisation are
 * untouched. Names are unique across the API: two different schemas under one name fail the
 * document's generation.
 */
export function named<T extends TSchema>(name: string, schema: T): T {
  const given = schemaName(schema);
  if (given !== undefined && given !== name) throw new Error(`schema ${given} cannot also be named ${name}`);
  Object.defineProperty(schema, SCHEMA_NAME, { value: name, enumerable: false, writable: false, configurable: false });
  return schema;
}

/** The name a schema was given with named(), if any. */
export function schemaName(schema: unknown): string | undefined {
  if (typeof schema !== 'object' || schema === null) return undefined;
  const name = (schema as { [SCHEMA_NAME]?: unknown })[SCHEMA_NAME];
  return typeof name === 'string' ? name : undefined;
}

/** An object that rejects unknown properties (every request body is one). */
export const StrictObject = <T extends TProperties>(properties: T, options: { description?: string; title?: string } = {}) =>
  Type.Object(properties, { additionalProperties: false, ...options });

export const Id = (kind: IdKind, description?: string) => Type.String({ pattern: idPattern(kind), description: description ?? `A ${kind} id` });

export const PROBLEM_SCHEMA_ID = 'Problem';

export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String({ description: 'Stable machine-readable error code, e.g. PLAT_VALIDATION_FAILED' }),
    requestId: Type.String(),
    instance: Type.String(),
    errors: Type.Optional(Type.Array(Type.Object({ pointer: Type.String(), message: Type.String(), in: Type.Optional(Type.String()) }))),
    failedRules: Type.Optional(
      Type.Array(
        Type.Object({
          rule: Type.String({ description: 'min_length, requires_number, requires_special_character, common_password or contains_email' }),
          message: Type.String({ description: 'For people: what the password must (not) be' }),
          minLength: Type.Optional(Type.Integer({ description: 'min_length: the characters required' })),
        }),
        { description: 'PLAT_PASSWORD_POLICY_VIOLATED: every rule of the policy the password fails' },
      ),
    ),
  },
  { $id: PROBLEM_SCHEMA_ID, additionalProperties: true, title: 'Problem', description: 'RFC 9457 problem document' },
);

/** Error responses are problem documents, declared once (components.schemas.Problem) and referenced. */
const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: Type.Ref(PROBLEM_SCHEMA_ID) } },
});

/**
 * The problem responses every route declares, by status, each with the name it has in the API
 * document: the gateway writes each once, under `components.responses`, and operations refer to it.
 */
export const PROBLEM_RESPONSES: Readonly<Record<number, { name: string; description: string }>> = {
  400: {
    name: 'BadRequest',
    description: 'The request is malformed or invalid (PLAT_VALIDATION_FAILED, PLAT_MALFORMED_REQUEST), or a new password fails its policy (PLAT_PASSWORD_POLICY_VIOLATED, naming each rule in failedRules)',
  },
  401: { name: 'Unauthorized', description: 'Not signed in, or the credential’s tenant is terminated (PLAT_UNAUTHENTICATED, with tenantStatus)' },
  403: {
    name: 'Forbidden',
    description: 'Not allowed, the tenant’s status does not allow it, or the CSRF token is missing (PLAT_FORBIDDEN, PLAT_TENANT_NOT_ACTIVE with tenantStatus, PLAT_CSRF_TOKEN_INVALID)',
  },
  404: { name: 'NotFound', description: 'No such resource (PLAT_NOT_FOUND)' },
  409: { name: 'Conflict', description: 'Conflicts with the current state (PLAT_CONFLICT, PLAT_INVALID_TRANSITION, PLAT_QUOTA_EXCEEDED, PLAT_OUT_OF_STOCK, PLAT_IDEMPOTENCY_KEY_IN_USE)' },
  412: { name: 'PreconditionFailed', description: 'If-Match names a version that is no longer current (PLAT_PRECONDITION_FAILED)' },
  413: { name: 'PayloadTooLarge', description: 'The body is larger than BODY_LIMIT (PLAT_PAYLOAD_TOO_LARGE)' },
  415: { name: 'UnsupportedMediaType', description: 'The body is not application/json (PLAT_UNSUPPORTED_MEDIA_TYPE)' },
  422: {
    name: 'UnprocessableContent',
    description: 'Valid JSON that cannot be applied, each problem with a JSON pointer (PLAT_UNPROCESSABLE), or an Idempotency-Key used with another body (PLAT_IDEMPOTENCY_KEY_REUSED)',
  },
  423: { name: 'Locked', description: 'The account is locked after too many failed sign-ins; see Retry-After (PLAT_ACCOUNT_LOCKED)' },
  429: { name: 'TooManyRequests', description: 'Too many attempts; see Retry-After (PLAT_RATE_LIMITED)' },
  503: { name: 'ServiceUnavailable', description: 'The database is unavailable for a moment; retry after Retry-After (PLAT_DATABASE_UNAVAILABLE)' },
};

/** Standard error responses for a route, plus the success ones given. */
export function responses<T extends Record<number, TSchema>>(success: T) {
  const out: Record<number, unknown> = { ...success };
  for (const [status, { description }] of Object.entries(PROBLEM_RESPONSES)) out[Number(status)] = problemResponse(description);
  return out as T;
}

export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 25, description: 'Page size (1-100)' })),
  cursor: Type.Optional(Type.String({ maxLength: 200, description: 'The nextCursor of the previous page' })),
};

/** A page of a list; named by its title (e.g. TenantPage) in the API document. */
export const Page = <T extends TSchema>(item: T, title: string) =>
  named(title, Type.Object({ data: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'Pass as cursor for the next page; null on the last page' }) }, { title }));

/** The body of a POST that takes no input: `{}` (every write declares its body; unknown members are 400). */
export const EmptyBody = named('EmptyBody', StrictObject({}, { description: 'Empty: this operation takes no input' }));

export const NoContent = Type.Null({ description: 'No content' });
