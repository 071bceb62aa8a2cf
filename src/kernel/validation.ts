// JSON Schema validation of stored documents (Ajv, draft 2020-12 compatible keywords). Request
// bodies are validated by the HTTP layer; this validates what we are about to store, after merges.
import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { Static, TSchema } from 'typebox';
import { ValidationError, type FieldError } from './errors.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const ajv = addFormats(new Ajv({ allErrors: true, strict: false, removeAdditional: false, coerceTypes: false }));

function toFieldErrors(errors: ErrorObject[] | null | undefined): FieldError[] {
  return (errors ?? []).map((e) => {
    const params = e.params as Record<string, unknown>;
    const extra = typeof params.missingProperty === 'string' ? `/${params.missingProperty}` : typeof params.additionalProperty === 'string' ? `/${params.additionalProperty}` : '';
    return { pointer: `${e.instancePath}${extra}` || '/', message: e.message ?? 'is invalid' };
  });
}

export function documentValidator<T extends TSchema>(schema: T, what: string): (value: unknown) => Static<T> {
  const validate = ajv.compile(schema);
  return (value) => {
    if (!validate(value)) throw new ValidationError(`The ${what} is not valid.`, toFieldErrors(validate.errors));
    return value as Static<T>;
  };
}
