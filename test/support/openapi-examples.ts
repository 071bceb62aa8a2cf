// Reads the API's own OpenAPI document and builds requests from it: which operations take ids
// (path parameters, and body members that are ids), and a minimal valid body for a schema. Ids are
// recognised by their pattern (`^ten_[0-9a-hjkmnp-tv-z]{26}$`, see src/kernel/ids.ts), so a new
// kind of id is noticed, not guessed.

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  default?: unknown;
  examples?: unknown[];
  $ref?: string;
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema: JsonSchema;
}

interface Operation {
  tags?: string[];
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
}

export interface ApiOperation {
  method: string;
  /** The OpenAPI path, e.g. /api/v1/tenants/{id}/members/{userId}. */
  path: string;
  /** The route family: the operation's first tag. */
  family: string;
  pathParams: { name: string; schema: JsonSchema }[];
  /** Query parameters the operation cannot do without. */
  requiredQuery: { name: string; schema: JsonSchema }[];
  /** Headers the operation cannot do without (e.g. Idempotency-Key on submit). */
  requiredHeaders: { name: string; schema: JsonSchema }[];
  body: JsonSchema | undefined;
}

const ID_PATTERN = /^\^([a-z]+)_\[0-9a-hjkmnp-tv-z\]\{26\}\$$/;

/** The id prefix (`ten`, `usr`, …) a schema accepts, if it is an id. */
export function idKindOf(schema: JsonSchema | undefined): string | undefined {
  return schema?.pattern ? ID_PATTERN.exec(schema.pattern)?.[1] : undefined;
}

export function operationsOf(document: OpenApiDocument): ApiOperation[] {
  const operations: ApiOperation[] = [];
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      operations.push({
        method: method.toUpperCase(),
        path,
        family: operation.tags?.[0] ?? 'untagged',
        pathParams: (operation.parameters ?? []).filter((p) => p.in === 'path').map((p) => ({ name: p.name, schema: p.schema })),
        requiredQuery: (operation.parameters ?? []).filter((p) => p.in === 'query' && p.required === true).map((p) => ({ name: p.name, schema: p.schema })),
        requiredHeaders: (operation.parameters ?? []).filter((p) => p.in === 'header' && p.required === true).map((p) => ({ name: p.name, schema: p.schema })),
        body: operation.requestBody?.content['application/json']?.schema,
      });
    }
  }
  return operations;
}

export function resolve(document: OpenApiDocument, schema: JsonSchema): JsonSchema {
  if (!schema.$ref) return schema;
  const name = schema.$ref.replace('#/components/schemas/', '');
  const target = document.components?.schemas?.[name];
  if (!target) throw new Error(`unresolvable $ref ${schema.$ref}`);
  return resolve(document, target);
}

export class CannotGenerate extends Error {}

export interface ExampleOptions {
  /** The value for an id of a kind (`ten` → a tenant id); throw CannotGenerate when there is none. */
  id(kind: string, pointer: string): string;
}

const STRING_CANDIDATES = ['example', 'x', '123456', 'example.com', '#336699', 'a.b', 'x:y', 'a:b.c', 'prn:platform:user/x', 'eu'];

/** A minimal value valid against the schema (its own example where it has one): required members only, plus every id member. */
export function exampleOf(document: OpenApiDocument, input: JsonSchema, options: ExampleOptions, pointer = ''): unknown {
  const schema = resolve(document, input);
  if (schema.const !== undefined) return schema.const;
  // The schema's own example is valid in meaning too, not only in shape (a policy statement).
  if (schema.examples?.length) return schema.examples[0];
  if (schema.enum) return schema.enum[0];
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) {
    // Prefer a non-null alternative: a value says more than null.
    const ordered = [...alternatives].sort((a, b) => Number(resolve(document, a).type === 'null') - Number(resolve(document, b).type === 'null'));
    return exampleOf(document, ordered[0] as JsonSchema, options, pointer);
  }
  if (schema.allOf) return Object.assign({}, ...schema.allOf.map((part) => exampleOf(document, part, options, pointer)));
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type ?? (schema.properties ? 'object' : undefined)) {
    case 'object': {
      const value: Record<string, unknown> = {};
      const required = new Set(schema.required ?? []);
      for (const [name, member] of Object.entries(schema.properties ?? {})) {
        if (required.has(name) || idKindOf(resolve(document, member)) !== undefined) value[name] = exampleOf(document, member, options, `${pointer}/${name}`);
      }
      return value;
    }
    case 'array':
      return Array.from({ length: schema.minItems ?? 0 }, (_, i) => exampleOf(document, schema.items ?? {}, options, `${pointer}/${i}`));
    case 'string':
      return exampleString(schema, options, pointer);
    case 'integer':
    case 'number':
      return schema.minimum ?? 1;
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      if (schema.default !== undefined) return schema.default;
      throw new CannotGenerate(`${pointer || '/'}: no example for a schema of type ${String(schema.type)}`);
  }
}

function exampleString(schema: JsonSchema, options: ExampleOptions, pointer: string): string {
  const kind = idKindOf(schema);
  if (kind) return options.id(kind, pointer);
  if (schema.format === 'email') return 'someone@example.com';
  if (schema.format === 'date-time') return '2030-01-01T00:00:00.000Z';
  if (schema.format === 'uri') return 'https://example.com/';
  const fits = (text: string) => (!schema.pattern || new RegExp(schema.pattern, 'u').test(text)) && text.length >= (schema.minLength ?? 0) && text.length <= (schema.maxLength ?? Infinity);
  const found = STRING_CANDIDATES.find(fits) ?? (schema.minLength ? 'x'.repeat(schema.minLength) : undefined);
  if (found === undefined || !fits(found)) throw new CannotGenerate(`${pointer || '/'}: no example string for pattern ${schema.pattern}`);
  return found;
}

/** Fills an OpenAPI path template: /tenants/{id} with { id: 'ten_…' }. */
export function fillPath(path: string, values: Record<string, string>): string {
  return path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new CannotGenerate(`no value for path parameter ${name}`);
    return encodeURIComponent(value);
  });
}
