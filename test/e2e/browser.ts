// Browser plumbing for the end-to-end tests: the built apps, a headless Chromium, and a watch on
// the console (CSP violations and uncaught errors arrive there).
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll } from 'vitest';
import { startTestPlatform, type TestPlatform, type TestPlatformOptions } from '../support/platform.js';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type ConsoleMessage, type Locator, type Page } from 'playwright-core';

/** The built apps; PLATFORMA_WEB_DIST (the server's own setting) points elsewhere. */
export const WEB_DIST = resolve(process.env.PLATFORMA_WEB_DIST ?? fileURLToPath(new URL('../../web/dist', import.meta.url)));

/** Fails (never skips): a browser test that silently did not run proves nothing. */
export function assertWebAppsBuilt(): void {
  const index = join(WEB_DIST, 'apps', 'admin', 'index.html');
  if (!existsSync(index)) {
    throw new Error(`${index} is missing: run \`npm run build:web\` before the browser tests (npm test does this).`);
  }
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

// Chromium logs every 4xx response as "Failed to load resource". The API answers 4xx on purpose
// (401 before sign-in, 400 for an invalid form, 412 for a stale write) and the apps show those
// answers, so only API 4xx are expected; anything else (CSP violations, exceptions, missing
// assets) is a failure.
function isExpectedApiRefusal(message: ConsoleMessage): boolean {
  return /^Failed to load resource: the server responded with a status of 4\d\d/.test(message.text()) && new URL(message.location().url || 'about:blank', 'http://x').pathname.startsWith('/api/v1/');
}

/** Collects console errors and uncaught exceptions of the page, for asserting there are none. */
export function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && !isExpectedApiRefusal(message)) problems.push(`console: ${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  return problems;
}

/**
 * Signs in through the sign-in page the way people do: the email first (Continue), then the
 * password step. Whatever the session still owes (an MFA code) is left to the caller.
 */
export async function signInThroughUi(page: Page, email: string, password: string): Promise<void> {
  // Still at the password step (a wrong password before): start again from the email.
  if (await page.getByLabel('Password', { exact: true }).isVisible()) await page.getByRole('button', { name: 'Use another email' }).click();
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByRole('button', { name: 'Continue', exact: true }).click();
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

// Finding things the way people (and assistive technology) do: by role and accessible name.

/** The main navigation's link to a section ("Orders"), whatever count it carries beside its name. */
export function navLink(page: Page, label: string): Locator {
  return page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: new RegExp(`^${label}\\b`) });
}

/** The dialog open now (a closed <dialog> is not in the accessibility tree), by its title if given. */
export function dialog(page: Page, title?: string | RegExp): Locator {
  return title === undefined ? page.getByRole('dialog') : page.getByRole('dialog', { name: title });
}

/** Presses a button of the open dialog: its confirm button by its label, or "Cancel". */
export async function pressInDialog(page: Page, label: string): Promise<void> {
  await page.getByRole('dialog').getByRole('button', { name: label, exact: true }).click();
}

/** What a description list says for a term ("Status" → "active"): the <dd> after the <dt> named so. */
export function definitionOf(scope: Page | Locator, term: string): Locator {
  return scope.getByRole('term').filter({ hasText: new RegExp(`^\\s*${term.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`) }).locator('xpath=following-sibling::dd[1]');
}

// Reading tables the way assistive technology does: a table by its name, a row by one of its cells
// (or its row header), and a cell by the heading of its column (a screen reader announces each cell
// with that heading). Column heads are <th scope="col"> in the table's <thead>.

/** A table by its accessible name (its caption, or the heading it is labelled by). */
export function tableNamed(scope: Page | Locator, name: string): Locator {
  return scope.getByRole('table', { name, exact: true });
}

/** The table row that holds this text (a name, an email, an order number). */
export function row(scope: Page | Locator, text: string | RegExp): Locator {
  return scope.getByRole('row').filter({ hasText: text });
}

/** The rows of a table with a cell that reads exactly `text` (an email, a name). */
export function rowWithCell(table: Locator, text: string): Locator {
  return table.getByRole('row').filter({ has: table.page().getByRole('cell', { name: text, exact: true }) });
}

/** The body rows of a table (the header row holds column headers, not cells). */
export function bodyRows(table: Locator): Locator {
  return table.getByRole('row').filter({ has: table.page().getByRole('cell') });
}

/** An order's row in the orders table, found by its number (the link that opens it). */
export function orderRow(page: Page, orderNumber: string): Locator {
  return page.getByRole('table', { name: 'Orders' }).getByRole('row').filter({ has: page.getByRole('link', { name: orderNumber, exact: true }) });
}

/** A table's row headed (<th scope="row">) by this name: an order's item by its product, a total by its name. */
export function rowHeadedBy(table: Locator, name: string | RegExp): Locator {
  return table.getByRole('row').filter({ has: table.page().getByRole('rowheader', { name, exact: typeof name === 'string' }) });
}

/** The value beside a row header: in a price, "Per month" → "€40.00 per month"; in an order, "Due now" → "€50.00". */
export function cellBeside(table: Locator, rowHeader: string): Locator {
  return rowHeadedBy(table, rowHeader).getByRole('cell').first();
}

/**
 * The cell of a table row under the column headed so ("Last used"): its position among the row's
 * cells is that of the column header (a th with scope="col") among the table's. Nothing matches
 * when the table has no such column.
 */
export function cellUnder(tableRow: Locator, column: string): Locator {
  if (column.includes('"')) throw new Error(`a column name with a double quote cannot be matched: ${column}`);
  const header = `ancestor::table[1]/thead/tr/th[@scope="col"][normalize-space(.)="${column}"]`;
  return tableRow.locator(`xpath=./*[self::td or self::th][${header}][count(${header}/preceding-sibling::th) + 1]`);
}

/** The alert (a problem shown to people) inside a scope. */
export function alertIn(scope: Page | Locator): Locator {
  return scope.getByRole('alert');
}

/**
 * The error a form field shows, as assistive technology reaches it: the text of the alerts its
 * aria-describedby names ('' when none). An error shown beside the field but not tied to it is not
 * found, so the tie itself is tested. Poll it: the error appears after the server answers.
 */
export function errorOf(field: Locator): Promise<string> {
  return field.evaluate((element) =>
    (element.getAttribute('aria-describedby') ?? '')
      .split(/\s+/)
      .map((id) => (id ? document.getElementById(id) : null))
      .filter((described) => described?.getAttribute('role') === 'alert')
      .map((described) => described!.textContent!.trim())
      .join(' '),
  );
}

/** A page whose browser already holds a session made through the API (when signing in is not what a test is about). */
export async function pageWithSession(browser: Browser, baseUrl: string, session: { cookie: string }): Promise<{ context: BrowserContext; page: Page; consoleProblems: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const [name, value] = [session.cookie.slice(0, session.cookie.indexOf('=')), session.cookie.slice(session.cookie.indexOf('=') + 1)];
  await context.addCookies([{ name, value, url: baseUrl, httpOnly: true, sameSite: 'Strict' }]);
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  return { context, page, consoleProblems: watchConsole(page) };
}

/**
 * A browser test file's platform (started, serving the built apps on a free port) and Chromium,
 * set up before its tests and closed after them. Read the fields inside tests (they are set in beforeAll).
 */
export function browserSuite(options: TestPlatformOptions = {}): { t: TestPlatform; browser: Browser; base: string } {
  const suite = {} as { t: TestPlatform; browser: Browser; base: string };
  beforeAll(async () => {
    assertWebAppsBuilt();
    suite.t = await startTestPlatform({ ...options, start: true });
    suite.base = `http://127.0.0.1:${(suite.t.platform.app.server.address() as AddressInfo).port}`;
    suite.browser = await launchChromium();
  });
  afterAll(async () => {
    await suite.browser?.close();
    await suite.t?.close();
  });
  return suite;
}
