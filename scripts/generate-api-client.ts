// `npm run gen:api`: regenerates web/shared/api/openapi.json and schema.d.ts from the route
// schemas. Run it after changing any API route; test/web/api-client-fresh.test.ts fails until you do.
import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { generateApiClient, OPENAPI_JSON_PATH, SCHEMA_TS_PATH } from './lib/api-client.js';

const generated = await generateApiClient();
writeFileSync(OPENAPI_JSON_PATH, generated.openapiJson);
writeFileSync(SCHEMA_TS_PATH, generated.schemaTs);
for (const path of [OPENAPI_JSON_PATH, SCHEMA_TS_PATH]) console.log(`wrote ${relative(process.cwd(), path)}`);
