// Named schemas (kernel/api/schemas.ts `named`) become components of the OpenAPI document: each is
// written once, under `components.schemas`, and referenced (`$ref`) wherever a route's body or
// response contains it. This happens in the document only: the route schemas that validate and
// serialise are the plain TypeBox objects, untouched.
//
// Two steps, because @fastify/swagger clones route schemas (losing the hidden name) and converts
// them to OpenAPI (TypeBox records' patternProperties, examples …) before we see the document:
// `markNamedSchemas` copies a route's body and responses with each named subschema marked by a
// vendor key, and `referenceNamedSchemas` lifts every marked (and by then converted) subschema into
// the components and leaves a `$ref` in its place. Likewise the problem responses every route
// declares are written once, under `components.responses` (`referenceProblemResponses`).
import { PROBLEM_RESPONSES, PROBLEM_SCHEMA_ID, schemaName } from '../../kernel/api/schemas.js';

const MARK = 'x-platforma-schema-name';
const COMPONENTS = '#/components/schemas/';

/** A copy of the value with every named schema in it carrying its name under MARK. */
function marked(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(marked);
  if (typeof value !== 'object' || value === null) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) copy[key] = marked(member);
  const name = schemaName(value);
  if (name !== undefined) copy[MARK] = name;
  return copy;
}

/**
 * The route schema as the document should describe it: bodies and responses with their named
 * schemas marked. Querystring, params and headers stay as they are: they become lists of
 * parameters, not schemas.
 */
export function markNamedSchemas<T extends { body?: unknown; response?: unknown } | undefined>(schema: T): T {
  if (schema === undefined) return schema;
  const copy = { ...schema };
  if (copy.body !== undefined) copy.body = marked(copy.body);
  if (copy.response !== undefined) copy.response = marked(copy.response);
  return copy;
}

/**
 * Moves every marked schema of the document into `components.schemas` and refers to it there.
 * Inner schemas are lifted first, so a component refers to the components it contains. Throws when
 * one name stands for two different schemas: a name is a promise to the API's clients.
 */
export function referenceNamedSchemas<T extends { components?: object }>(document: T): T {
  const found = new Map<string, { schema: Record<string, unknown>; text: string }>();
  const lift = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(lift);
    if (typeof value !== 'object' || value === null) return value;
    const copy: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value)) if (key !== MARK) copy[key] = lift(member);
    const name = (value as Record<string, unknown>)[MARK];
    if (typeof name !== 'string') return copy;
    const text = JSON.stringify(copy);
    const earlier = found.get(name);
    if (earlier === undefined) found.set(name, { schema: copy, text });
    else if (earlier.text !== text) throw new Error(`two different schemas are named ${name} in the API document:\n${earlier.text}\n${text}`);
    return { $ref: `${COMPONENTS}${name}` };
  };
  const result = lift(document) as T;
  const components = (result.components ?? {}) as { schemas?: Record<string, unknown> };
  const schemas: Record<string, unknown> = { ...components.schemas };
  for (const [name, { schema }] of found) {
    if (Object.hasOwn(schemas, name)) throw new Error(`the schema name ${name} is taken twice in the API document`);
    schemas[name] = schema;
  }
  // Sorted, so the document (and the web's generated types) does not reorder as routes move.
  const sorted = Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { ...result, components: { ...components, schemas: sorted } };
}

const PROBLEM_SCHEMA_REF = `${COMPONENTS}${PROBLEM_SCHEMA_ID}`;
const RESPONSES = '#/components/responses/';

/** A value's JSON with object keys sorted: two responses are the same whatever order their keys came in. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, member]) => `${JSON.stringify(key)}:${canonical(member)}`).join(',')}}`;
}

/**
 * Writes the problem responses every route declares (kernel/api/schemas.ts `PROBLEM_RESPONSES`)
 * once, under `components.responses` by their names, and has each operation refer to them there
 * instead of repeating them. An operation whose response at such a status is not the standard one
 * (a description of its own) keeps it inline, as declared.
 */
export function referenceProblemResponses<T extends { components?: object; paths?: object }>(document: T): T {
  const standard = new Map(
    Object.entries(PROBLEM_RESPONSES).map(([status, { name, description }]) => {
      const response = { description, content: { 'application/problem+json': { schema: { $ref: PROBLEM_SCHEMA_REF } } } };
      return [status, { name, response, text: canonical(response) }] as const;
    }),
  );
  const used = new Map<string, unknown>();
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [path, item] of Object.entries((document.paths ?? {}) as Record<string, Record<string, unknown>>)) {
    paths[path] = Object.fromEntries(
      Object.entries(item).map(([method, operation]) => {
        const responses = (operation as { responses?: Record<string, unknown> } | null)?.responses;
        if (typeof responses !== 'object' || responses === null) return [method, operation];
        const referenced = Object.fromEntries(
          Object.entries(responses).map(([status, response]) => {
            const known = standard.get(status);
            if (!known || canonical(response) !== known.text) return [status, response];
            used.set(status, known);
            return [status, { $ref: `${RESPONSES}${known.name}` }];
          }),
        );
        return [method, { ...(operation as object), responses: referenced }];
      }),
    );
  }
  const components = (document.components ?? {}) as { responses?: Record<string, unknown> };
  const declared: Record<string, unknown> = { ...components.responses };
  // In the order of their statuses, so the document does not reorder as routes move.
  for (const [status, { name, response }] of standard) {
    if (!used.has(status)) continue;
    if (Object.hasOwn(declared, name)) throw new Error(`the response name ${name} is taken twice in the API document`);
    declared[name] = response;
  }
  return { ...document, paths, components: { ...components, responses: declared } };
}
