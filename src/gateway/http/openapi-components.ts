// Named schemas (kernel/api/schemas.ts `named`) become components of the OpenAPI document: each is
// written once, under `components.schemas`, and referenced (`$ref`) wherever a route's body or
// response contains it. This happens in the document only: the route schemas that validate and
// serialise are the plain TypeBox objects, untouched.
//
// Two steps, because @fastify/swagger clones route schemas (losing the hidden name) and converts
// them to OpenAPI (TypeBox records' patternProperties, examples …) before we see the document:
// `markNamedSchemas` copies a route's body and responses with each named subschema marked by a
// vendor key, and `referenceNamedSchemas` lifts every marked (and by then converted) subschema into
// the components and leaves a `$ref` in its place.
import { schemaName } from '../../kernel/api/schemas.js';

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
