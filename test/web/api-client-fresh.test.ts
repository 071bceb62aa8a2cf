// The web apps' typed client (web/shared/api/openapi.json and schema.d.ts) is generated from the
// route schemas. Regenerating it here, in memory, and comparing it with the committed files catches
// an API change that forgot `npm run gen:api` before the apps drift from the server.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateApiClient, OPENAPI_JSON_PATH, SCHEMA_TS_PATH } from '../../scripts/lib/api-client.js';

const STALE = 'the generated client is stale; run npm run gen:api';

/** Where two texts first differ, in a line short enough to read in a test report. */
function firstDifference(path: string, committed: string, generated: string): string | undefined {
  if (committed === generated) return undefined;
  const left = committed.split('\n');
  const right = generated.split('\n');
  const index = left.findIndex((line, i) => line !== right[i]);
  const line = index === -1 ? left.length : index;
  const show = (text: string | undefined) => (text === undefined ? '<end of file>' : JSON.stringify(text.trim().slice(0, 120)));
  return `${relative(process.cwd(), path)} line ${line + 1}: committed ${show(left[line])}, generated ${show(right[line])}`;
}

function readCommitted(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

describe('generated API client', () => {
  it('matches what the current route schemas generate', async () => {
    const generated = await generateApiClient();
    expect(firstDifference(OPENAPI_JSON_PATH, readCommitted(OPENAPI_JSON_PATH), generated.openapiJson), STALE).toBeUndefined();
    expect(firstDifference(SCHEMA_TS_PATH, readCommitted(SCHEMA_TS_PATH), generated.schemaTs), STALE).toBeUndefined();
  });
});
