// What SchemaForm draws, worked out from a product version's configuration schema (JSON Schema
// 2020-12, an object at the root): one field per property it understands — strings (enum → select,
// pattern, length, format), integers and numbers (minimum, maximum), booleans — with defaults and
// required marks. A property using anything else is edited as raw JSON, and so is the whole
// configuration when the root is not a plain object of properties. Client-side checks cover
// required, enum, length, pattern and bounds; the server validates again and is the authority.
// Labels and hints come from the schema's `title` and `description`; a property's `x-errorMessage`
// (the operator's words, checked when the version is published) replaces every message about a
// value that is not valid, and a pattern is never shown to people (a regular expression explains
// nothing to them).
import type { ApiError } from '../api/problem.js';

type Json = unknown;
type SchemaNode = Record<string, Json>;

export type FieldSpec =
  | { kind: 'string'; name: string; label: string; description?: string; errorMessage?: string; required: boolean; default?: string; enum?: string[]; pattern?: string; minLength?: number; maxLength?: number; format?: string }
  | { kind: 'number'; name: string; label: string; description?: string; errorMessage?: string; required: boolean; default?: number; integer: boolean; minimum?: number; maximum?: number; exclusiveMinimum?: number; exclusiveMaximum?: number; enum?: number[] }
  | { kind: 'boolean'; name: string; label: string; description?: string; errorMessage?: string; required: boolean; default?: boolean }
  | { kind: 'json'; name: string; label: string; description?: string; errorMessage?: string; required: boolean; default?: Json; why: string };

export interface FormModel {
  /** Null when the schema as a whole cannot be drawn as fields: the configuration is raw JSON. */
  fields: FieldSpec[] | null;
  /** Why the form (or the whole configuration) falls back to raw JSON, for the note shown to people. */
  fallback?: string;
}

/** What the inputs hold: text for strings, numbers and JSON (parsed on the way out), booleans as is. */
export type FormValues = Record<string, string | boolean>;

/** The annotation holding the operator's error message for a property (see src/modules/catalog/configuration.ts). */
export const ERROR_MESSAGE = 'x-errorMessage';
const ANNOTATIONS = new Set(['title', 'description', 'default', 'examples', '$comment', 'readOnly', 'writeOnly', 'deprecated', ERROR_MESSAGE]);
const STRING_KEYWORDS = new Set(['type', 'enum', 'pattern', 'minLength', 'maxLength', 'format', ...ANNOTATIONS]);
const NUMBER_KEYWORDS = new Set(['type', 'enum', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', ...ANNOTATIONS]);
const BOOLEAN_KEYWORDS = new Set(['type', ...ANNOTATIONS]);
const ROOT_KEYWORDS = new Set(['type', 'properties', 'required', 'additionalProperties', '$schema', ...ANNOTATIONS]);
const FORMATS = new Set(['email', 'uri', 'hostname', 'ipv4', 'ipv6', 'date', 'date-time', 'time', 'uuid']);

const isObject = (value: Json): value is SchemaNode => typeof value === 'object' && value !== null && !Array.isArray(value);
const optionalNumber = (value: Json): number | undefined => (typeof value === 'number' ? value : undefined);
const optionalString = (value: Json): string | undefined => (typeof value === 'string' ? value : undefined);

function unknownKeywords(node: SchemaNode, known: Set<string>): string[] {
  return Object.keys(node).filter((keyword) => !known.has(keyword));
}

function humanise(name: string): string {
  const spaced = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ');
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

function describeProperty(name: string, node: Json, required: boolean): FieldSpec {
  const label = isObject(node) ? (optionalString(node.title) ?? humanise(name)) : humanise(name);
  if (!isObject(node)) return { kind: 'json', name, label, required, why: 'its schema is not an object' };
  const description = optionalString(node.description);
  const errorMessage = optionalString(node[ERROR_MESSAGE]);
  const common = { name, label, required, ...(description ? { description } : {}), ...(errorMessage ? { errorMessage } : {}) };
  const json = (why: string): FieldSpec => ({ kind: 'json', ...common, ...(node.default !== undefined ? { default: node.default } : {}), why });
  const type = node.type;
  if (type === 'string') {
    const extra = unknownKeywords(node, STRING_KEYWORDS);
    if (extra.length > 0) return json(`uses ${extra.join(', ')}`);
    if (node.enum !== undefined && !(Array.isArray(node.enum) && node.enum.every((v) => typeof v === 'string'))) return json('has a mixed enum');
    return {
      kind: 'string',
      ...common,
      ...(typeof node.default === 'string' ? { default: node.default } : {}),
      ...(Array.isArray(node.enum) ? { enum: node.enum as string[] } : {}),
      ...(typeof node.pattern === 'string' ? { pattern: node.pattern } : {}),
      ...(typeof node.minLength === 'number' ? { minLength: node.minLength } : {}),
      ...(typeof node.maxLength === 'number' ? { maxLength: node.maxLength } : {}),
      ...(typeof node.format === 'string' ? { format: node.format } : {}),
    };
  }
  if (type === 'integer' || type === 'number') {
    const extra = unknownKeywords(node, NUMBER_KEYWORDS);
    if (extra.length > 0) return json(`uses ${extra.join(', ')}`);
    if (node.enum !== undefined && !(Array.isArray(node.enum) && node.enum.every((v) => typeof v === 'number'))) return json('has a mixed enum');
    const bounds = { minimum: optionalNumber(node.minimum), maximum: optionalNumber(node.maximum), exclusiveMinimum: optionalNumber(node.exclusiveMinimum), exclusiveMaximum: optionalNumber(node.exclusiveMaximum) };
    return {
      kind: 'number',
      ...common,
      integer: type === 'integer',
      ...(typeof node.default === 'number' ? { default: node.default } : {}),
      ...(Array.isArray(node.enum) ? { enum: node.enum as number[] } : {}),
      ...Object.fromEntries(Object.entries(bounds).filter(([, value]) => value !== undefined)),
    };
  }
  if (type === 'boolean') {
    const extra = unknownKeywords(node, BOOLEAN_KEYWORDS);
    if (extra.length > 0) return json(`uses ${extra.join(', ')}`);
    return { kind: 'boolean', ...common, ...(typeof node.default === 'boolean' ? { default: node.default } : {}) };
  }
  return json(type === undefined ? 'has no single type' : `is of type ${JSON.stringify(type)}`);
}

/** The fields of a configuration schema, or the reason it has to be edited as raw JSON. */
export function describeSchema(schema: Json): FormModel {
  if (!isObject(schema)) return { fields: null, fallback: 'The configuration schema is not an object.' };
  if (schema.type !== 'object') return { fields: null, fallback: 'The configuration schema’s root is not "type": "object".' };
  const extra = unknownKeywords(schema, ROOT_KEYWORDS);
  if (extra.length > 0) return { fields: null, fallback: `The configuration schema uses ${extra.join(', ')} at its root, which this form cannot draw.` };
  const properties = isObject(schema.properties) ? schema.properties : {};
  const required = new Set(Array.isArray(schema.required) ? schema.required.filter((name): name is string => typeof name === 'string') : []);
  return { fields: Object.entries(properties).map(([name, node]) => describeProperty(name, node, required.has(name))) };
}

/** The inputs' starting values: each field's default, or empty. */
export function initialValues(model: FormModel, start: Record<string, Json> = {}): FormValues {
  const values: FormValues = {};
  if (!model.fields) {
    values[RAW_CONFIGURATION] = JSON.stringify(start, null, 2);
    return values;
  }
  for (const field of model.fields) {
    const value = field.name in start ? start[field.name] : field.default;
    if (field.kind === 'boolean') values[field.name] = typeof value === 'boolean' ? value : false;
    else if (field.kind === 'json') values[field.name] = value === undefined ? '' : JSON.stringify(value, null, 2);
    else values[field.name] = value === undefined || value === null ? '' : String(value);
  }
  return values;
}

/** The key holding the whole configuration's JSON text when the schema cannot be drawn as fields. */
export const RAW_CONFIGURATION = '';

export interface BuiltConfiguration {
  configuration: Record<string, Json>;
  /** Messages by field name (RAW_CONFIGURATION for the whole configuration); empty when it can be sent. */
  errors: Record<string, string>;
}

function checkString(field: Extract<FieldSpec, { kind: 'string' }>, text: string): string | undefined {
  if (field.enum && !field.enum.includes(text)) return `Choose one of: ${field.enum.join(', ')}.`;
  if (field.minLength !== undefined && [...text].length < field.minLength) return `Must be at least ${field.minLength} characters.`;
  if (field.maxLength !== undefined && [...text].length > field.maxLength) return `Must be at most ${field.maxLength} characters.`;
  if (field.pattern !== undefined) {
    try {
      if (!new RegExp(field.pattern, 'u').test(text)) return field.description ? `Not in the expected format: ${field.description}` : 'Not in the expected format.';
    } catch {
      // A pattern this browser cannot compile is left to the server.
    }
  }
  return undefined;
}

/** The number typed (undefined when it is not one) and what is wrong with it, if anything. */
function checkNumber(field: Extract<FieldSpec, { kind: 'number' }>, text: string): { value?: number; error?: string } {
  const trimmed = text.trim();
  const notANumber = field.integer ? 'Enter a whole number.' : 'Enter a number.';
  if (!/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(trimmed)) return { error: notANumber };
  const value = Number(trimmed);
  const problem = (): string | undefined => {
    if (field.integer && !Number.isInteger(value)) return notANumber;
    if (field.enum && !field.enum.includes(value)) return `Choose one of: ${field.enum.join(', ')}.`;
    if (field.minimum !== undefined && value < field.minimum) return `Must be at least ${field.minimum}.`;
    if (field.maximum !== undefined && value > field.maximum) return `Must be at most ${field.maximum}.`;
    if (field.exclusiveMinimum !== undefined && value <= field.exclusiveMinimum) return `Must be more than ${field.exclusiveMinimum}.`;
    if (field.exclusiveMaximum !== undefined && value >= field.exclusiveMaximum) return `Must be less than ${field.exclusiveMaximum}.`;
    return undefined;
  };
  const error = problem();
  return error ? { value, error } : { value };
}

/**
 * The configuration to send, built from the inputs. Empty optional inputs are left out so the
 * server fills in the schema's defaults. With `check`, required/enum/length/pattern/bounds are
 * checked here too (JSON that does not parse is always an error: there is nothing to send).
 */
export function buildConfiguration(model: FormModel, values: FormValues, check = true): BuiltConfiguration {
  const errors: Record<string, string> = {};
  if (!model.fields) {
    const text = String(values[RAW_CONFIGURATION] ?? '').trim();
    if (text === '') return { configuration: {}, errors };
    try {
      const parsed: Json = JSON.parse(text);
      if (isObject(parsed)) return { configuration: parsed, errors };
      errors[RAW_CONFIGURATION] = 'The configuration must be a JSON object.';
    } catch {
      errors[RAW_CONFIGURATION] = 'This is not valid JSON.';
    }
    return { configuration: {}, errors };
  }
  const configuration: Record<string, Json> = {};
  for (const field of model.fields) {
    const raw = values[field.name];
    if (field.kind === 'boolean') {
      configuration[field.name] = raw === true;
      continue;
    }
    const text = typeof raw === 'string' ? raw : '';
    if (text.trim() === '') {
      if (check && field.required) errors[field.name] = 'Required.';
      continue;
    }
    if (field.kind === 'json') {
      try {
        configuration[field.name] = JSON.parse(text);
      } catch {
        errors[field.name] = 'This is not valid JSON.';
      }
    } else if (field.kind === 'number') {
      const { value, error } = checkNumber(field, text);
      if (value !== undefined) configuration[field.name] = value;
      // Text that is no number cannot be sent at all; a number out of bounds is the server's call too.
      if (error && (check || value === undefined)) errors[field.name] = field.errorMessage ?? error;
    } else {
      const error = check ? checkString(field, text) : undefined;
      if (error) errors[field.name] = field.errorMessage ?? error;
      configuration[field.name] = text;
    }
  }
  return { configuration, errors };
}

/**
 * The server's messages about the configuration, by form field. Pointers look like
 * /configuration/region (adding an item, a preview) or /items/0/configuration/region (submitting);
 * `itemIndex` picks the item when several are in the order. Messages about the configuration as
 * a whole (or a property the form does not show) go under RAW_CONFIGURATION.
 */
export function configurationErrors(error: ApiError | null, model: FormModel, itemIndex?: number): Record<string, string> {
  const byField: Record<string, string> = {};
  if (!error) return byField;
  const names = new Set((model.fields ?? []).map((field) => field.name));
  for (const problem of error.problem.errors ?? []) {
    const match = /^(?:\/items\/(\d+))?\/configuration(\/[^/]*)?/.exec(problem.pointer);
    if (!match) continue;
    if (match[1] !== undefined && itemIndex !== undefined && Number(match[1]) !== itemIndex) continue;
    const name = match[2] ? match[2].slice(1).replace(/~1/g, '/').replace(/~0/g, '~') : undefined;
    const key = name !== undefined && names.has(name) ? name : RAW_CONFIGURATION;
    const message = key === RAW_CONFIGURATION && name ? `${name}: ${readable(problem.message)}` : readable(problem.message);
    byField[key] = byField[key] ? `${byField[key]} ${message}` : message;
  }
  return byField;
}

/** Ajv speaks lower case without a full stop ("must be >= 10"): make it a sentence. */
function readable(message: string): string {
  // Ajv's own words for a pattern carry the regular expression: people get the gist instead.
  const sentence = (/^must match pattern /.test(message) ? 'is not in the expected format' : message).replace(/\bNOT\b/g, 'not');
  const capitalised = sentence.charAt(0).toUpperCase() + sentence.slice(1);
  return /[.!?]$/.test(capitalised) ? capitalised : `${capitalised}.`;
}

/** Input type for a string format the browser has a control for. */
export function inputTypeFor(format: string | undefined): 'text' | 'email' | 'url' | 'date' | 'datetime-local' | 'time' {
  switch (format) {
    case 'email':
      return 'email';
    case 'uri':
      return 'url';
    case 'date':
      return 'date';
    case 'time':
      return 'time';
    default:
      return 'text';
  }
}

/** A hint in words for a field's constraints ("10 to 500", "3–63 characters", "email address"). */
export function constraintHint(field: FieldSpec): string | undefined {
  const parts: string[] = [];
  if (field.description) parts.push(field.description);
  if (field.kind === 'number') {
    const low = field.minimum ?? (field.exclusiveMinimum !== undefined ? `more than ${field.exclusiveMinimum}` : undefined);
    const high = field.maximum ?? (field.exclusiveMaximum !== undefined ? `less than ${field.exclusiveMaximum}` : undefined);
    if (low !== undefined && high !== undefined) parts.push(`From ${low} to ${high}.`);
    else if (low !== undefined) parts.push(`At least ${low}.`);
    else if (high !== undefined) parts.push(`At most ${high}.`);
    if (field.integer) parts.push('Whole number.');
  }
  if (field.kind === 'string' && !field.enum) {
    if (field.minLength !== undefined && field.maxLength !== undefined) parts.push(`${field.minLength}–${field.maxLength} characters.`);
    else if (field.minLength !== undefined) parts.push(`At least ${field.minLength} characters.`);
    else if (field.maxLength !== undefined) parts.push(`Up to ${field.maxLength} characters.`);
    if (field.format && FORMATS.has(field.format)) parts.push(`Format: ${field.format}.`);
  }
  if (field.kind === 'json') parts.push(`Raw JSON: this form cannot draw this property (it ${field.why}).`);
  return parts.length > 0 ? parts.join(' ') : undefined;
}
