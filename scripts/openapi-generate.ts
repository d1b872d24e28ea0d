/**
 * Writes the OpenAPI document the server serves to client/openapi.json and the client's types generated from
 * it to client/src/schema.ts (openapi-typescript). `npm run api:generate`; tests/api/client-types.test.ts
 * fails when the committed files are stale.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderClientFiles } from './openapi-render';

const root = path.resolve(import.meta.dirname, '..');
for (const [file, text] of Object.entries(await renderClientFiles())) writeFileSync(path.join(root, file), text);
console.log('wrote client/openapi.json and client/src/schema.ts');
