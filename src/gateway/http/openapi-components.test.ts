// Named schemas and the standard problem responses are written once in the API document and
// referenced, while the routes keep validating and serialising with the plain schemas.
import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { named, PROBLEM_RESPONSES, PROBLEM_SCHEMA_ID, responses, StrictObject } from '../../kernel/api/schemas.js';
import { bareServers } from '../../../test/support/http-server.js';

interface Document {
  paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: unknown }> }; responses: Record<string, { $ref?: string; description?: string; content?: Record<string, { schema: unknown }> }> }>>;
  components: { schemas: Record<string, { properties?: Record<string, unknown> }>; responses: Record<string, { description: string; content: Record<string, { schema: unknown }> }> };
}

const server = bareServers();

describe('problem responses in the API document', () => {
  it('are written once, under components.responses by name, and every operation refers to them', async () => {
    const api = await server();
    api.get('/widgets', { config: { public: true }, schema: { response: responses({ 200: Type.Object({ n: Type.Integer() }) }) } }, async () => ({ n: 1 }));
    api.delete('/widgets/:id', { config: { public: true }, schema: { response: responses({ 204: Type.Null() }) } }, async (_request, reply) => reply.status(204).send(null));
    await api.ready();

    const document = api.swagger() as unknown as Document;
    const names = Object.values(PROBLEM_RESPONSES).map((r) => r.name);
    expect(Object.keys(document.components.responses)).toEqual(names);
    for (const [status, { name, description }] of Object.entries(PROBLEM_RESPONSES)) {
      expect(document.components.responses[name]).toEqual({ description, content: { 'application/problem+json': { schema: { $ref: `#/components/schemas/${PROBLEM_SCHEMA_ID}` } } } });
      for (const operation of [document.paths['/widgets']?.get, document.paths['/widgets/{id}']?.delete]) {
        expect(operation?.responses[status], `${status}`).toEqual({ $ref: `#/components/responses/${name}` });
      }
    }
    expect(document.paths['/widgets']?.get?.responses['200']?.content?.['application/json']?.schema).toMatchObject({ properties: { n: { type: 'integer' } } });
  });

  it('keep a route’s own error response inline, as it declared it', async () => {
    const api = await server();
    const ownNotFound = { description: 'No widget of that name (PLAT_NOT_FOUND)', content: { 'application/problem+json': { schema: Type.Ref(PROBLEM_SCHEMA_ID) } } };
    api.get('/widgets/:name', { config: { public: true }, schema: { response: { ...responses({ 200: Type.Object({ n: Type.Integer() }) }), 404: ownNotFound } } }, async () => ({ n: 1 }));
    await api.ready();

    const document = api.swagger() as unknown as Document;
    const operation = document.paths['/widgets/{name}']?.get;
    expect(operation?.responses['404']).toEqual({ description: ownNotFound.description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } });
    expect(operation?.responses['400']).toEqual({ $ref: '#/components/responses/BadRequest' });
    expect(Object.keys(document.components.responses)).not.toContain('NotFound');
  });
});

describe('named schemas in the API document', () => {
  it('are written once as components and referenced from bodies, responses and each other, optional or not', async () => {
    const Price = named('TestPrice', Type.Object({ amount: Type.String(), currency: Type.String() }));
    const Widget = named('TestWidget', Type.Object({ id: Type.String(), price: Price, previous: Type.Optional(Price), next: Type.Union([Price, Type.Null()]) }));
    const CreateWidget = named('TestCreateWidget', StrictObject({ price: Price }));
    const api = await server();
    api.post('/widgets', { config: { public: true }, schema: { body: CreateWidget, response: responses({ 201: Widget }) } }, async (request, reply) =>
      reply.status(201).send({ id: 'w1', price: request.body.price, next: null }),
    );
    api.get('/widgets', { config: { public: true }, schema: { response: responses({ 200: Type.Object({ data: Type.Array(Widget) }) }) } }, async () => ({ data: [] }));
    await api.ready();

    const document = api.swagger() as unknown as Document;
    const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
    expect(document.paths['/widgets']?.post?.requestBody?.content['application/json']?.schema).toEqual(ref('TestCreateWidget'));
    expect(document.paths['/widgets']?.post?.responses['201']?.content?.['application/json']?.schema).toEqual(ref('TestWidget'));
    expect(document.paths['/widgets']?.get?.responses['200']?.content?.['application/json']?.schema).toMatchObject({ properties: { data: { items: ref('TestWidget') } } });
    expect(document.components.schemas.TestWidget?.properties).toEqual({
      id: { type: 'string' },
      price: ref('TestPrice'),
      previous: ref('TestPrice'),
      next: { anyOf: [ref('TestPrice'), { type: 'null' }] },
    });
    expect(document.components.schemas.TestCreateWidget?.properties).toEqual({ price: ref('TestPrice') });
    // The problem document stays the one shared schema it was, under the one shared response.
    expect(document.paths['/widgets']?.post?.responses['400']).toEqual({ $ref: '#/components/responses/BadRequest' });
    expect(document.components.responses.BadRequest?.content['application/problem+json']?.schema).toEqual(ref('Problem'));
    expect(JSON.stringify(document)).not.toContain('x-platforma-schema-name');
  });

  it('leave validation and serialisation as the plain schema has them', async () => {
    const Price = named('TestStrictPrice', StrictObject({ amount: Type.String({ pattern: '^[0-9]+$' }) }));
    const api = await server();
    api.post('/prices', { config: { public: true }, schema: { body: StrictObject({ price: Price }), response: responses({ 200: Type.Object({ price: Price }) }) } }, async (request) => ({
      price: { ...request.body.price, secret: 'not serialised' },
    }));
    await api.ready();

    const accepted = await api.inject({ method: 'POST', url: '/prices', payload: { price: { amount: '12' } } });
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json()).toEqual({ price: { amount: '12' } });
    const unknownMember = await api.inject({ method: 'POST', url: '/prices', payload: { price: { amount: '12', extra: true } } });
    expect(unknownMember.statusCode).toBe(400);
    const badPattern = await api.inject({ method: 'POST', url: '/prices', payload: { price: { amount: 'twelve' } } });
    expect(badPattern.statusCode).toBe(400);
    expect(JSON.stringify(Price)).not.toContain('TestStrictPrice');
  });

  it('refuse one name for two different schemas', async () => {
    const api = await server();
    api.get('/a', { config: { public: true }, schema: { response: { 200: Type.Object({ x: named('TestTwice', Type.Object({ a: Type.String() })) }) } } }, async () => ({ x: { a: '' } }));
    api.get('/b', { config: { public: true }, schema: { response: { 200: Type.Object({ x: named('TestTwice', Type.Object({ b: Type.String() })) }) } } }, async () => ({ x: { b: '' } }));
    await api.ready();
    expect(() => api.swagger()).toThrow(/two different schemas are named TestTwice/);
  });

  it('refuse a second name for a named schema', () => {
    const schema = named('TestFirst', Type.String());
    expect(() => named('TestSecond', schema)).toThrow(/TestFirst cannot also be named TestSecond/);
  });
});
