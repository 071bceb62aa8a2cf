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
  const ajv = addFormats(new Ajv2020({ strict: true, allErrors: true, useDefaults: true, coerceTypes: false, removeAdditional: false, validateFormats: true }));
  // The operator's message for a property (shown to customers instead of the validator's words,
  // which for a pattern would be the regular expression itself). An annotation: it never changes
  // what is valid; the meta-schema below checks its shape when the version is published.
  ajv.addKeyword({ keyword: ERROR_MESSAGE, schemaType: 'string', metaSchema: { type: 'string', minLength: 1, maxLength: 300 } });
  return ajv;
}

/**
 * The annotation a configuration schema uses for its own error message per property:
 * `"x-errorMessage": "Use 3 to 63 lower-case letters, digits and dashes."`. Chosen over ajv-errors'
 * `errorMessage` keyword because it is one plain string (no per-keyword objects to keep right), the
 * `x-` prefix marks it as ours in any JSON-Schema tool, and it needs no extra package.
 */
export const ERROR_MESSAGE = 'x-errorMessage';

const ajv = newAjv();
const compiled = new Map<string, ValidateFunction>();
const MAX_CACHED = 5_000;

/** Problems that make a configuration schema unusable, each with a pointer into the version content. */
export function checkConfigurationSchema(content: Pick<VersionContent, 'configurationSchema' | 'provisioning'>): FieldError[] {
  const schema = content.configurationSchema;
  const problems: FieldError[] = [];
  if (schema.type !== 'object') problems.push({ pointer: '/configurationSchema/type', message: 'the root of a configuration schema must be "type": "object"' });
  if ('$id' in schema) problems.push({ pointer: '/configurationSchema/$id', message: 'must not be set: the catalog identifies schemas by product version' });
  const messageProblems = errorMessageProblems(schema, '/configurationSchema');
  // The keyword's own meta-schema would only say "does not compile"; these name the place.
  if (messageProblems.length > 0) return [...problems, ...messageProblems];
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

/** Every `x-errorMessage` in the schema must be one line of text a customer can read (1–300 characters). */
function errorMessageProblems(node: unknown, pointer: string): FieldError[] {
  if (typeof node !== 'object' || node === null) return [];
  const problems: FieldError[] = [];
  for (const [key, value] of Object.entries(node)) {
    const at = `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (key === ERROR_MESSAGE && !Array.isArray(node)) {
      if (typeof value !== 'string' || value.trim().length === 0 || value.length > 300 || /[\r\n]/.test(value)) problems.push({ pointer: at, message: 'must be one line of text of 1 to 300 characters: the message customers see when this setting is not valid' });
    } else {
      problems.push(...errorMessageProblems(value, at));
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
  return { ok: false, errors: toFieldErrors(schema, validate.errors) };
}

/**
 * Ajv's errors as field errors in words a customer can act on: the property's `x-errorMessage`
 * when the operator wrote one; otherwise Ajv's message, except that a pattern is never shown (a
 * regular expression means nothing to most people). One message per pointer: a property that
 * breaks several keywords gets the operator's message once.
 */
function toFieldErrors(schema: Record<string, unknown>, errors: ErrorObject[] | null | undefined): FieldError[] {
  const byPointer = new Map<string, FieldError>();
  for (const error of errors ?? []) {
    const params = error.params as Record<string, unknown>;
    const missing = typeof params.missingProperty === 'string' ? params.missingProperty : undefined;
    const child = missing !== undefined ? `/${missing}` : typeof params.additionalProperty === 'string' ? `/${params.additionalProperty}` : '';
    const pointer = `${error.instancePath}${child}` || '/';
    const node = schemaAt(schema, pointer);
    const title = typeof node?.title === 'string' ? node.title : undefined;
    const operatorMessage = typeof node?.[ERROR_MESSAGE] === 'string' ? (node[ERROR_MESSAGE] as string) : undefined;
    let message: string;
    if (missing !== undefined) message = `${title ?? missing} is required`;
    else if (typeof params.additionalProperty === 'string') message = `is not a setting of this product`;
    else if (operatorMessage) message = operatorMessage;
    else if (error.keyword === 'enum' && Array.isArray(params.allowedValues)) message = `must be one of ${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    else if (error.keyword === 'pattern') message = typeof node?.description === 'string' ? `is not in the expected format (${node.description})` : 'is not in the expected format';
    else message = error.message ?? 'is invalid';
    if (!byPointer.has(pointer)) byPointer.set(pointer, { pointer, message, in: 'configuration' });
  }
  return [...byPointer.values()];
}

/** The subschema a configuration pointer lands on, through nested `properties` and `items`. */
export function schemaAt(schema: Record<string, unknown>, pointer: string): Record<string, unknown> | undefined {
  let node: unknown = schema;
  for (const raw of pointer.split('/').slice(1)) {
    if (raw === '') continue;
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const current = node as { properties?: Record<string, unknown>; items?: unknown } | undefined;
    if (current?.properties && segment in current.properties) node = current.properties[segment];
    else if (/^\d+$/.test(segment) && current?.items && typeof current.items === 'object') node = current.items;
    else return undefined;
  }
  return node && typeof node === 'object' && !Array.isArray(node) ? (node as Record<string, unknown>) : undefined;
}

/** One setting of a configuration as people read it: the schema's title and the value in words. */
export interface ConfigurationEntry {
  key: string;
  title: string;
  value: string;
}

/**
 * A configuration in the words of its schema, in the schema's order of properties: each setting's
 * `title` (else its key made readable) and its value (Yes/No for booleans, lists joined, objects
 * as compact JSON). Kept on each order item, so carts and orders never show raw keys.
 */
export function describeConfiguration(schema: Record<string, unknown>, configuration: Record<string, unknown>): ConfigurationEntry[] {
  const properties = (schema.properties && typeof schema.properties === 'object' ? schema.properties : {}) as Record<string, unknown>;
  const keys = [...Object.keys(properties).filter((key) => key in configuration), ...Object.keys(configuration).filter((key) => !(key in properties))];
  return keys.map((key) => {
    const node = properties[key] as Record<string, unknown> | undefined;
    const title = typeof node?.title === 'string' ? node.title : readableKey(key);
    return { key, title, value: valueInWords(configuration[key]) };
  });
}

function readableKey(key: string): string {
  const spaced = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ');
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

function valueInWords(value: unknown): string {
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  if (Array.isArray(value) && value.every((item) => typeof item === 'string' || typeof item === 'number')) return value.join(', ');
  return JSON.stringify(value);
}
