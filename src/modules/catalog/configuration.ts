// Configuration schemas: the JSON Schema (2020-12) an operator writes for each product version, and
// the configurations customers fill in against it. A schema is checked when its version is
// published (meta-schema, strict compilation, an object at the root, provisioning pointers that
// resolve); a published version never changes, so its compiled validator is cached for good.
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { FieldError } from '../../kernel/errors.js';
import type { VersionContent } from './schemas.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

/**
 * Strict: an unknown keyword or a misspelt format in an operator's schema is a mistake to report at
 * publish time, not something to ignore silently at checkout. `useDefaults` fills in defaults the
 * schema declares, so the stored configuration is complete.
 */
function newAjv(): Ajv2020 {
  return addFormats(new Ajv2020({ strict: true, allErrors: true, useDefaults: true, coerceTypes: false, removeAdditional: false, validateFormats: true }));
}

const ajv = newAjv();
const compiled = new Map<string, ValidateFunction>();
const MAX_CACHED = 5_000;

/** Problems that make a configuration schema unusable, each with a pointer into the version content. */
export function checkConfigurationSchema(content: Pick<VersionContent, 'configurationSchema' | 'provisioning'>): FieldError[] {
  const schema = content.configurationSchema;
  const problems: FieldError[] = [];
  if (schema.type !== 'object') problems.push({ pointer: '/configurationSchema/type', message: 'the root of a configuration schema must be "type": "object"' });
  if ('$id' in schema) problems.push({ pointer: '/configurationSchema/$id', message: 'must not be set: the catalog identifies schemas by product version' });
  if (!ajv.validateSchema(schema)) {
    for (const error of ajv.errors ?? []) problems.push({ pointer: `/configurationSchema${error.instancePath}`, message: error.message ?? 'is not valid JSON Schema' });
    return problems;
  }
  try {
    newAjv().compile(schema);
  } catch (error) {
    problems.push({ pointer: '/configurationSchema', message: `does not compile: ${(error as Error).message}` });
  }
  for (const [parameter, source] of Object.entries(content.provisioning?.parameters ?? {})) {
    if ('configuration' in source && !pointerIsDeclared(schema, source.configuration)) {
      problems.push({ pointer: `/provisioning/parameters/${parameter}/configuration`, message: `${source.configuration} is not a property the configuration schema declares` });
    }
  }
  return problems;
}

/** Whether a JSON pointer names a property reachable through nested `properties` of the schema. */
function pointerIsDeclared(schema: Record<string, unknown>, pointer: string): boolean {
  let node: unknown = schema;
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const properties = (node as { properties?: Record<string, unknown> } | undefined)?.properties;
    if (!properties || !(segment in properties)) return false;
    node = properties[segment];
  }
  return true;
}

/**
 * Validates a configuration against a version's schema, filling in declared defaults. Returns the
 * completed configuration, or the field errors with JSON pointers into the configuration.
 */
export function validateConfiguration(cacheKey: string, schema: Record<string, unknown>, configuration: unknown): { ok: true; value: Record<string, unknown> } | { ok: false; errors: FieldError[] } {
  let validate = compiled.get(cacheKey);
  if (!validate) {
    validate = ajv.compile(schema);
    if (compiled.size >= MAX_CACHED) compiled.clear();
    compiled.set(cacheKey, validate);
  }
  // Defaults are written into the object; work on a copy so the caller's input is never changed.
  const value = structuredClone(configuration ?? {}) as Record<string, unknown>;
  if (validate(value)) return { ok: true, value };
  return { ok: false, errors: toFieldErrors(validate.errors) };
}

function toFieldErrors(errors: ErrorObject[] | null | undefined): FieldError[] {
  return (errors ?? []).map((error) => {
    const params = error.params as Record<string, unknown>;
    const child = typeof params.missingProperty === 'string' ? `/${params.missingProperty}` : typeof params.additionalProperty === 'string' ? `/${params.additionalProperty}` : '';
    const message = error.keyword === 'enum' && Array.isArray(params.allowedValues) ? `must be one of ${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}` : (error.message ?? 'is invalid');
    return { pointer: `${error.instancePath}${child}` || '/', message, in: 'configuration' };
  });
}
