// The API reference at /docs, in a real browser: it renders the operations of our OpenAPI document
// and the browser reports nothing (a Content-Security-Policy refusal used to be logged on every load).
import { describe, expect, it } from 'vitest';
import { browserSuite, watchConsole } from './browser.js';

const suite = browserSuite();

describe('the API reference at /docs', () => {
  it('renders the operations with nothing in the browser console', { timeout: 60_000 }, async () => {
    const { browser, base } = suite;
    const page = await browser.newPage();
    const problems = watchConsole(page);
    const external: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(base) && !request.url().startsWith('data:')) external.push(request.url());
    });
    await page.goto(`${base}/docs`);
    await page.locator('.opblock').first().waitFor({ timeout: 30_000 });
    expect(await page.locator('.opblock').count()).toBeGreaterThan(50);
    await page.waitForLoadState('networkidle');
    expect(problems).toEqual([]);
    expect(external).toEqual([]);
    await page.close();
  });
});
