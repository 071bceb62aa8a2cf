// Schemas shared by every module's routes: the problem document, pagination, ids.
import { Type, type TSchema, type TProperties } from 'typebox';
import { idPattern, type IdKind } from '../ids.js';

/** An object that rejects unknown properties (every request body is one). */
export const StrictObject = <T extends TProperties>(properties: T, options: { description?: string; title?: string } = {}) =>
  Type.Object(properties, { additionalProperties: false, ...options });

export const Id = (kind: IdKind, description?: string) => Type.String({ pattern: idPattern(kind), description: description ?? `A ${kind} id` });

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
  },
  { additionalProperties: true, title: 'Problem', description: 'RFC 9457 problem document' },
);

/** Standard error responses for a route, plus the success ones given. */
export function responses<T extends Record<number, TSchema>>(success: T, errors: number[] = []) {
  const out: Record<number, TSchema> = { ...success };
  for (const status of [400, 401, 403, 404, 409, 412, 413, 415, 422, 429, ...errors]) out[status] = ProblemSchema;
  return out as T & Record<number, TSchema>;
}

export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 25, description: 'Page size (1-100)' })),
  cursor: Type.Optional(Type.String({ maxLength: 200, description: 'The nextCursor of the previous page' })),
};

export const Page = <T extends TSchema>(item: T, title: string) =>
  Type.Object({ data: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'Pass as cursor for the next page; null on the last page' }) }, { title });

export const NoContent = Type.Null({ description: 'No content' });
