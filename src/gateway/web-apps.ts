// Serves the three single-page apps built by Vite (web/dist): hashed assets under /assets/ with a
// long cache, and each app's index.html for every path below its prefix (client-side routing).
// The HTML must never be cached as immutable: it names the hashed assets of one release, so a
// browser holding an old index.html would keep running the old app after an upgrade.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { HttpApp } from './http/server.js';
import { problem, sendProblem } from './http/problem.js';

export const WEB_APPS = ['admin', 'portal', 'partner'] as const;

export async function registerWebApps(app: HttpApp, webDist: string): Promise<void> {
  const built = existsSync(join(webDist, 'apps', 'admin', 'index.html'));
  if (built) await app.register(fastifyStatic, {
    root: join(webDist, 'assets'),
    prefix: '/assets/',
    wildcard: true,
    immutable: true,
    maxAge: '365d',
    index: false,
    decorateReply: true,
  });
  app.get('/', { schema: { hide: true }, config: { public: true } }, (_request, reply) => reply.redirect('/admin/'));
  for (const name of WEB_APPS) {
    const handler = (request: FastifyRequest, reply: FastifyReply) => {
      if (!built) return sendProblem(reply.status(503), { ...problem(request, 'PLAT_INTERNAL', 'The web apps are not built; run `npm run build:web`.'), status: 503 });
      // `cacheControl: false`: otherwise @fastify/static applies the assets' year-long immutable
      // policy (registered above) to this file too, replacing the no-cache set here.
      return reply.header('cache-control', 'no-cache').sendFile(join('apps', name, 'index.html'), webDist, { cacheControl: false });
    };
    app.get(`/${name}`, { schema: { hide: true }, config: { public: true } }, handler);
    app.get(`/${name}/*`, { schema: { hide: true }, config: { public: true } }, handler);
  }
}
