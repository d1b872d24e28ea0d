// Figures about the committed OpenAPI document (client/openapi.json): `node scripts/openapi-stats.mjs`.
import { readFileSync } from 'node:fs';

const doc = JSON.parse(readFileSync(new URL('../client/openapi.json', import.meta.url), 'utf8'));
const ops = Object.values(doc.paths).flatMap((item) => Object.values(item));
const params = ops.flatMap((op) => op.parameters ?? []);
let properties = 0;
let described = 0;
const seen = new Set();
const walk = (s) => {
  if (!s || typeof s !== 'object' || seen.has(s)) return;
  seen.add(s);
  for (const [name, p] of Object.entries(s.properties ?? {})) {
    properties++;
    if (p.description || (p.$ref && doc.components.schemas[p.$ref.split('/').pop()]?.description)) described++;
    else if (process.argv.includes('--list')) console.log('  undescribed:', name);
  }
  for (const v of Object.values(s)) if (v && typeof v === 'object') walk(v);
};
walk(doc);
const bodies = ops.filter((op) => op.requestBody);
console.log(`operations: ${ops.length}, with operationId: ${ops.filter((o) => o.operationId).length}, with description: ${ops.filter((o) => o.description).length}, with x-mizaj-permission: ${ops.filter((o) => o['x-mizaj-permission']).length}`);
console.log(`success answers with an example: ${ops.filter((o) => Object.entries(o.responses).some(([s, r]) => s < 300 && Object.values(r.content ?? {}).some((c) => c.example !== undefined))).length} of ${ops.filter((o) => Object.entries(o.responses).some(([s, r]) => s < 300 && r.content)).length}`);
console.log(`parameters: ${params.length}, described: ${params.filter((p) => p.description).length}, with an example: ${params.filter((p) => p.example !== undefined || p.schema?.example !== undefined).length}`);
console.log(`request bodies: ${bodies.length}, with a description: ${bodies.filter((o) => o.requestBody.description).length}, with an example: ${bodies.filter((o) => Object.values(o.requestBody.content).some((c) => c.example !== undefined)).length}`);
console.log(`schema properties: ${properties}, described: ${described}`);
console.log(`Problem.code values: ${doc.components.schemas.Problem.properties.code.enum.length}`);
