// Every API error is an RFC 9457 problem document (application/problem+json). This turns whatever
// came back — a problem, an unexpected body, or no response at all — into one ApiError the UI can
// show: `detail` for people, `fieldErrors` keyed by JSON pointer for inline messages next to fields.
export interface FieldProblem {
  pointer: string;
  message: string;
  in?: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  requestId: string;
  errors?: FieldProblem[];
  [extension: string]: unknown;
}

export class ApiError extends Error {
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(problem.detail);
    this.name = 'ApiError';
    this.problem = problem;
  }

  get status(): number {
    return this.problem.status;
  }

  get code(): string {
    return this.problem.code;
  }

  /** Messages by JSON pointer ('/domain', '/subscription/tier'), first message per field wins. */
  get fieldErrors(): Record<string, string> {
    const byPointer: Record<string, string> = {};
    for (const error of this.problem.errors ?? []) byPointer[error.pointer] ??= error.message;
    // Some domain errors (a taken domain) name their field in a `field` member instead of errors[].
    const field = this.problem.field;
    if (typeof field === 'string' && field.startsWith('/')) byPointer[field] ??= this.problem.detail;
    return byPointer;
  }
}

function isProblem(body: unknown): body is Problem {
  if (typeof body !== 'object' || body === null) return false;
  const candidate = body as Record<string, unknown>;
  return typeof candidate.detail === 'string' && typeof candidate.status === 'number' && typeof candidate.code === 'string';
}

/** An ApiError for a failed response, even when its body is not a problem document. */
export function apiErrorFrom(body: unknown, response: Response | undefined): ApiError {
  if (isProblem(body)) return new ApiError(body);
  const status = response?.status ?? 0;
  return new ApiError({
    type: 'about:blank',
    title: response ? response.statusText || 'Request failed' : 'Network error',
    status,
    detail: response ? `The server answered ${status} ${response.statusText}.`.replace(' .', '.') : 'The server could not be reached. Check your connection and try again.',
    code: response ? 'UNEXPECTED_RESPONSE' : 'NETWORK_ERROR',
    requestId: response?.headers.get('x-request-id') ?? '',
  });
}

/** Turns anything thrown by a request into an ApiError (network failures become one too). */
export function toApiError(error: unknown): ApiError {
  return error instanceof ApiError ? error : apiErrorFrom(undefined, undefined);
}
