// A typed way for tests to call the API in-process (app.inject): the request body, path params and
// the parsed response body are typed from the generated OpenAPI schema (web/shared/api/schema.d.ts,
// what the web apps' client uses), so a test reads `order.items[0].price` instead of casting
// `response.json() as { … }` by hand, and a schema change breaks the test at compile time.
import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { paths } from '../../web/shared/api/schema.js';
import type { TestPlatform } from './platform.js';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type JsonContent<T> = T extends { content: { 'application/json': infer Body } } ? Body : never;
type OperationOf<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;
/** Paths that have an operation for this method. */
export type PathWith<M extends Method> = { [P in keyof paths]: paths[P][M] extends undefined | never ? never : P }[keyof paths];

/** What the API documents as the JSON body of this path, method and status. */
export type ResponseOf<P extends keyof paths, M extends Method, S extends number> = OperationOf<P, M> extends { responses: infer R } ? (S extends keyof R ? JsonContent<R[S]> : never) : never;
/** The JSON request body of this path and method. */
export type RequestOf<P extends keyof paths, M extends Method> = OperationOf<P, M> extends { requestBody?: infer B } ? JsonContent<NonNullable<B>> : never;
type PathParamsOf<P extends keyof paths, M extends Method> = OperationOf<P, M> extends { parameters: { path: infer Params } } ? Params : never;

export interface CallOptions<P extends keyof paths, M extends Method> {
  params?: PathParamsOf<P, M> extends never ? undefined : { [K in keyof PathParamsOf<P, M>]: string | number };
  body?: RequestOf<P, M>;
  query?: Record<string, string>;
  headers?: Record<string, string>;
}

/** The URL of a documented path with its `{param}`s filled in. */
export function urlOf(path: string, params: Record<string, string | number> = {}, query?: Record<string, string>): string {
  const filled = path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`${path}: no value for {${name}}`);
    return encodeURIComponent(String(value));
  });
  return query ? `${filled}?${new URLSearchParams(query).toString()}` : filled;
}

/** Calls the API without judging the answer (for tests of refusals: pair it with problemOf). */
export function send<M extends Method, P extends PathWith<M>>(t: TestPlatform, method: M, path: P, options: CallOptions<P, M> = {}): Promise<LightMyRequestResponse> {
  return t.platform.app.inject({
    method: method.toUpperCase() as 'GET',
    url: urlOf(path, options.params as Record<string, string | number> | undefined, options.query),
    headers: options.headers ?? {},
    ...(options.body === undefined ? {} : { payload: options.body as object }),
  });
}

/** The response's body as the API documents it for this status; fails the test (showing the body) on any other status. */
export function expectStatus<P extends keyof paths, M extends Method, S extends number>(response: LightMyRequestResponse, _route: { method: M; path: P }, status: S): ResponseOf<P, M, S> {
  expect(response.statusCode, `${_route.method.toUpperCase()} ${_route.path}: ${response.body}`).toBe(status);
  return (response.body === '' ? undefined : response.json()) as ResponseOf<P, M, S>;
}

/** Calls the API and returns the typed body of the expected status (any other status fails the test). */
export async function call<M extends Method, P extends PathWith<M>, S extends number>(t: TestPlatform, method: M, path: P, status: S, options: CallOptions<P, M> = {}): Promise<ResponseOf<P, M, S>> {
  return expectStatus(await send(t, method, path, options), { method, path }, status);
}
