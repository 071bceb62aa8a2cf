// A bare HTTP server as the platform builds it (no modules, no database), for the gateway's own
// tests; each test file closes what it opened after every test.
import { afterEach } from 'vitest';
import { createLogger } from '../../src/kernel/logging.js';
import { createMetrics } from '../../src/kernel/metrics.js';
import { createHttpServer, type HttpApp } from '../../src/gateway/http/server.js';

export function bareServers(): () => Promise<HttpApp> {
  const opened: HttpApp[] = [];
  afterEach(async () => {
    for (const app of opened.splice(0)) await app.close();
  });
  return async () => {
    const app = await createHttpServer({ logger: createLogger('silent'), metrics: createMetrics(), bodyLimit: 1_000_000, version: 'test', trustedProxies: [] });
    opened.push(app);
    return app;
  };
}
