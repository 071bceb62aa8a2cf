// Reading tables the way assistive technology does: a row is found by one of its cells, and a cell
// by the heading of its column (a screen reader announces each cell with that heading).
import { expect } from 'vitest';
import type { Locator, Page } from 'playwright-core';

/** A table by its accessible name (its caption, or the heading it is labelled by). */
export function tableNamed(scope: Page | Locator, name: string): Locator {
  return scope.getByRole('table', { name, exact: true });
}

/** The body rows of a table whose cell reads exactly `text` (an email, a name). */
export function rowWithCell(table: Locator, text: string): Locator {
  return table.getByRole('row').filter({ has: table.page().getByRole('cell', { name: text, exact: true }) });
}

/** The body rows of a table (the header row holds column headers, not cells). */
export function bodyRows(table: Locator): Locator {
  return table.getByRole('row').filter({ has: table.page().getByRole('cell') });
}

/** The cell of `row` in the column headed `column` of `table`. */
export async function cellUnder(table: Locator, row: Locator, column: string): Promise<Locator> {
  const headings = (await table.getByRole('columnheader').allTextContents()).map((heading) => heading.trim());
  const index = headings.indexOf(column);
  expect(index, `no column "${column}" among ${JSON.stringify(headings)}`).toBeGreaterThanOrEqual(0);
  return row.getByRole('cell').nth(index);
}

/** What the cell of `row` in the column headed `column` says. */
export async function textUnder(table: Locator, row: Locator, column: string): Promise<string | null> {
  return (await cellUnder(table, row, column)).textContent();
}
