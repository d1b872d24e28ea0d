import { defineConfig, globalIgnores } from 'eslint/config';
import nextVitals from 'eslint-config-next/core-web-vitals';
import nextTs from 'eslint-config-next/typescript';

/**
 * The layers and what each may import (docs/architecture.md has the table and why). A layer listed here
 * may import ONLY the lib layers named (besides itself and packages); the others may import any lib layer
 * but never what `never` names. Imports across layers are written `@/lib/<layer>`; a relative import that
 * climbs out of its layer's folder is refused, so the rule cannot be walked around.
 */
const ONLY = {
  cache: ['config', 'errors', 'log'],
  db: ['config', 'errors', 'log'],
  domain: ['db', 'errors', 'config', 'log'],
  config: [],
  errors: [],
  log: ['errors'],
  etag: [],
  // The API's contract (request/response schemas, examples, path params): what lib/resources and lib/json-api both speak.
  'api-contract': ['db', 'http'],
};
const NEVER = {
  auth: ['http', 'json-api'],
  // The cached reads and the write door sit below HTTP: lib/http answers for them (write-answer), not the other way.
  'cached-reads': ['http', 'json-api'],
  'write-door': ['http', 'json-api'],
  // The declarations sit below the API that serves them: lib/json-api reads lib/resources, never the reverse.
  resources: ['json-api'],
};
const APP = { group: ['@/app', '@/app/**'], message: 'lib/ never imports app/: business logic knows no route or page.' };
const lib = (layers) => layers.flatMap((l) => [`@/lib/${l}`, `@/lib/${l}/**`]);
const otherLayers = (layer, allowed) => ({
  group: ['@/lib/*', '@/lib/*/**', ...[layer, ...allowed].flatMap((l) => [`!@/lib/${l}`, `!@/lib/${l}/**`])],
  message: `lib/${layer} imports only ${allowed.length ? allowed.map((l) => `lib/${l}`).join(', ') : 'packages'} (docs/architecture.md).`,
});
const restrict = (files, patterns) => ({ files, rules: { 'no-restricted-imports': ['error', { patterns }] } });
const climbOut = (depth) => ({ regex: `^(\\.\\./){${depth},}`, message: 'Import another layer as @/lib/<layer>, not by climbing out of this folder.' });

const layerRules = [
  // Nothing in lib imports app/; a file in a layer's folder never climbs out of it.
  restrict(['lib/*/*.{ts,tsx}'], [APP, climbOut(1)]),
  restrict(['lib/*/*/*.{ts,tsx}'], [APP, climbOut(2)]),
  restrict(['lib/*/*/*/*.{ts,tsx}'], [APP, climbOut(3)]),
  ...Object.entries(ONLY).flatMap(([layer, allowed]) => [
    restrict([`lib/${layer}.ts`], [APP, otherLayers(layer, allowed)]),
    restrict([`lib/${layer}/*.{ts,tsx}`], [APP, climbOut(1), otherLayers(layer, allowed)]),
    restrict([`lib/${layer}/*/*.{ts,tsx}`], [APP, climbOut(2), otherLayers(layer, allowed)]),
  ]),
  ...Object.entries(NEVER).flatMap(([layer, never]) => {
    const pattern = { group: lib(never), message: `lib/${layer} never imports ${never.map((l) => `lib/${l}`).join(' or ')}: it sits below them.` };
    return [restrict([`lib/${layer}/*.{ts,tsx}`], [APP, climbOut(1), pattern]), restrict([`lib/${layer}/*/*.{ts,tsx}`], [APP, climbOut(2), pattern])];
  }),
  // Pages and route handlers read through lib (domain, cached-reads, status), never the database directly.
  restrict(['app/**/*.{ts,tsx}'], [{ group: lib(['db']), message: 'app/ imports no lib/db: read through lib/cached-reads, lib/status or a lib function that takes no db.' }]),
];

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  {
    // Test helpers named use* (useTestDb) are vitest fixtures, not React hooks.
    files: ['tests/**', '**/*.test.ts', 'e2e/**', 'bench/**'],
    rules: { 'react-hooks/rules-of-hooks': 'off' },
  },
  {
    rules: { '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }] },
  },
  ...layerRules,
  globalIgnores(['.next/**', 'node_modules/**', '.data/**', 'test-results/**', 'playwright-report/**', 'next-env.d.ts', 'drizzle/meta/**', 'client/dist/**', 'client/src/schema.ts']),
]);
