// The web apps' HTML is revalidated on every load (no-cache) while the hashed assets it names are
// cached for good: a browser that kept an old index.html would keep running the old release after
// an upgrade. Needs `npm run build:web` (as the browser tests do).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';

let t: TestPlatform;

beforeAll(async () => {
  t = await startTestPlatform();
});
afterAll(async () => {
  await t?.close();
});

const get = (url: string) => t.platform.app.inject({ method: 'GET', url });

describe('caching of the web apps', () => {
  it('serves every app page and index.html with Cache-Control: no-cache, never immutable', async () => {
    const pages = ['/admin', '/admin/', '/admin/orders', '/admin/catalog/products/x', '/admin/index.html', '/portal/', '/portal/shop', '/portal/index.html', '/partner', '/partner/customers', '/partner/index.html'];
    for (const url of pages) {
      const response = await get(url);
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['content-type'], url).toMatch(/^text\/html/);
      expect(response.headers['cache-control'], url).toBe('no-cache');
    }
  });

  it('serves the hashed assets the HTML names as public, immutable, for a year', async () => {
    const html = (await get('/admin/')).body;
    const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1] as string);
    expect(assets.length).toBeGreaterThan(0);
    for (const url of assets) {
      // Vite names each built file after its content: a new release has new names.
      expect(url, url).toMatch(/-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/);
      const response = await get(url);
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['cache-control'], url).toBe('public, max-age=31536000, immutable');
    }
  });
});
