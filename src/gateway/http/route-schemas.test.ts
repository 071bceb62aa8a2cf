// Route schemas compile on a route's first request (server.ts): validation and serialisation
// behave exactly as when compiled at boot, and a schema that cannot compile is still found before
// release, by compileRouteSchemas, which the API suite runs over every route (test/api/operations).
import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { compileRouteSchemas } from './server.js';
import { bareServers } from '../../../test/support/http-server.js';

const server = bareServers();

describe('route schemas compiled on first use', () => {
  it('validate the first request and every later one, and serialise only what the response schema names', async () => {
    const app = await server();
    app.post(
      '/things',
      { config: { public: true }, schema: { body: Type.Object({ size: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }), response: { 200: Type.Object({ size: Type.Integer() }) } } },
      // The handler returns more than the schema names: the serializer writes only `size`.
      async (request) => ({ ...(request.body as { size: number }), secret: 'not in the schema' }) as { size: number },
    );
    await app.ready();
    expect(compileRouteSchemas(app)).toBeGreaterThan(0);

    // Nothing compiled yet on a fresh server: the first request compiles its validator and reports its errors.
    const fresh = await server();
    fresh.post('/things', { config: { public: true }, schema: { body: Type.Object({ size: Type.Integer({ minimum: 1 }) }) } }, async () => ({}));
    await fresh.ready();
    const refused = await fresh.inject({ method: 'POST', url: '/things', payload: { size: 0 } });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({ code: 'PLAT_VALIDATION_FAILED', errors: [expect.objectContaining({ pointer: '/size' })] });

    const first = await app.inject({ method: 'POST', url: '/things', payload: { size: 0 } });
    expect(first.statusCode).toBe(400);
    const ok = await app.inject({ method: 'POST', url: '/things', payload: { size: 3 } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ size: 3 });
  });

  it('leave a broken schema to compileRouteSchemas, which throws on it', async () => {
    const app = await server();
    app.get('/broken', { config: { public: true }, schema: { response: { 200: { type: 'object', properties: { a: { $ref: '#/definitions/missing' } } } } } }, async () => ({ a: 1 }));
    await app.ready();
    expect(() => compileRouteSchemas(app)).toThrow();
  });
});
