// The one place where errors become HTTP responses: RFC 9457 problem documents with a stable
// `code` and the request id. Domain errors, Fastify's own errors (parsing, validation, size, media
// type) and anything unexpected all end here; an unexpected error is logged and answered as 500
// without leaking its message.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, ValidationError, errorDefinition, type ErrorCode, type FieldError } from '../../kernel/errors.js';
import { translateDatabaseError } from '../../kernel/db/errors.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  requestId: string;
  instance: string;
  errors?: FieldError[];
  [extra: string]: unknown;
}

export function statusOf(code: ErrorCode): number {
  return errorDefinition(code).status;
}

export function problem(request: FastifyRequest, code: ErrorCode, detail: string, extra: Record<string, unknown> = {}): Problem {
  return {
    type: `https://platforma.dev/problems/${code.toLowerCase().replace(/^plat_/, '').replace(/_/g, '-')}`,
    title: errorDefinition(code).title,
    status: statusOf(code),
    detail,
    code,
    requestId: String(request.id),
    instance: request.url.split('?')[0] ?? request.url,
    ...extra,
  };
}

export function sendProblem(reply: FastifyReply, body: Problem): FastifyReply {
  if (typeof body.retryAfterSeconds === 'number') reply.header('retry-after', String(Math.max(1, Math.ceil(body.retryAfterSeconds))));
  return reply.status(body.status).type(PROBLEM_CONTENT_TYPE).send(body);
}

/** Ajv error → JSON pointer into the part of the request it concerns. */
function fieldErrors(error: FastifyError): FieldError[] {
  const part = error.validationContext ?? 'body';
  return (error.validation ?? []).map((issue) => {
    let pointer = issue.instancePath || '';
    const params = issue.params as Record<string, unknown>;
    if (issue.keyword === 'required' && typeof params.missingProperty === 'string') pointer += `/${params.missingProperty}`;
    if (issue.keyword === 'additionalProperty' || issue.keyword === 'additionalProperties') {
      const name = params.additionalProperty;
      if (typeof name === 'string') pointer += `/${name}`;
      return { pointer: pointer || '/', message: `unknown property in ${part}`, in: part };
    }
    return { pointer: pointer || '/', message: issue.message ?? 'is invalid', in: part };
  });
}

export function problemFromError(request: FastifyRequest, error: unknown): Problem {
  if (error instanceof ValidationError) {
    return problem(request, error.code, error.message, { errors: error.fieldErrors, ...error.details });
  }
  if (error instanceof DomainError) return problem(request, error.code, error.message, error.details);
  const fromDatabase = translateDatabaseError(error);
  if (fromDatabase) return problem(request, fromDatabase.code, fromDatabase.message, fromDatabase.details);
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    const errors = fieldErrors(fastifyError);
    const first = errors[0];
    return problem(request, 'PLAT_VALIDATION_FAILED', first ? `${first.pointer}: ${first.message}` : 'The request is not valid.', { errors });
  }
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return problem(request, 'PLAT_MALFORMED_REQUEST', 'The request body is not valid JSON.');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return problem(request, 'PLAT_PAYLOAD_TOO_LARGE', fastifyError.message);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_TYPE':
      return problem(request, 'PLAT_UNSUPPORTED_MEDIA_TYPE', `Send application/json (got ${request.headers['content-type'] ?? 'no content type'}).`);
  }
  if (error instanceof SyntaxError || fastifyError.statusCode === 400) {
    return problem(request, 'PLAT_MALFORMED_REQUEST', 'The request could not be parsed.');
  }
  if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode === 413) {
    return problem(request, 'PLAT_PAYLOAD_TOO_LARGE', fastifyError.message);
  }
  if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode === 415) {
    return problem(request, 'PLAT_UNSUPPORTED_MEDIA_TYPE', fastifyError.message);
  }
  return problem(request, 'PLAT_INTERNAL', 'An unexpected error occurred. Quote the request id when you report it.');
}
