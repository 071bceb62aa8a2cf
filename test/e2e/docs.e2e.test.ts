// The API reference at /docs, in a real browser: it renders the operations of our OpenAPI document
// and the browser reports nothing (a Content-Security-Policy refusal used to be logged on every load).
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import { launchChromium, watchConsole } from './browser.js';

let t: TestPlatform;
let browser: Browser;
let base: string;

beforeAll(async () => {
  t = await startTestPlatform({ start: true });
  base = `http://127.0.0.1:${(t.platform.app.server.address() as AddressInfo).port}`;
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe('the API reference at /docs', () => {
  it('renders the operations with nothing in the browser console', { timeout: 60_000 }, async () => {
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
