import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROBLEM_CODE_NAMES, PROBLEM_CODES } from '@/lib/http/problem-codes';
import { renderClientFiles } from '@/scripts/openapi-render';
import { createConformance, type OpenApiDoc } from '../support/openapi-conformance';

type Json = Record<string, unknown>;

const ROOT = path.resolve(import.meta.dirname, '../..');

describe('the committed OpenAPI document and client types', () => {
  it('are what `npm run api:generate` makes from the operations now (not stale)', async () => {
    for (const [file, text] of Object.entries(await renderClientFiles())) {
      expect(readFileSync(path.join(ROOT, file), 'utf8') === text, `${file} is stale: run npm run api:generate`).toBe(true);
    }
  });

  it('every example in the document is valid against its own schema', async () => {
    await import('@/lib/json-api/operations');
    const { buildOpenApiDocument } = await import('@/lib/http/openapi');
    const doc = buildOpenApiDocument() as unknown as OpenApiDoc & { paths: Record<string, Record<string, Json>> };
    const check = createConformance(doc);
    const esc = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');
    const invalid: string[] = [];
    let examples = 0;
    for (const [p, item] of Object.entries(doc.paths)) {
      for (const [m, op] of Object.entries(item)) {
        const media = (op.requestBody as Json | undefined)?.content as Record<string, { example?: unknown }> | undefined;
        const places: [string, unknown][] = Object.entries(media ?? {}).map(([type, c]) => [`/paths/${esc(p)}/${m}/requestBody/content/${esc(type)}/schema`, c.example]);
        for (const [status, r] of Object.entries(op.responses as Record<string, { content?: Record<string, { example?: unknown }> }>)) {
          for (const [type, c] of Object.entries(r.content ?? {})) places.push([`/paths/${esc(p)}/${m}/responses/${status}/content/${esc(type)}/schema`, c.example]);
        }
        for (const [pointer, example] of places) {
          if (example === undefined) continue;
          examples++;
          const error = check.validate(pointer, example);
          if (error) invalid.push(`${pointer}: ${error}`);
        }
      }
    }
    expect(invalid).toEqual([]);
    expect(examples).toBeGreaterThanOrEqual(23);
  });

  it('docs/api.md lists every problem code the document does', () => {
    const docs = readFileSync(path.join(ROOT, 'docs/api.md'), 'utf8');
    expect(PROBLEM_CODE_NAMES.filter((c) => !docs.includes(`| \`${c}\` | ${PROBLEM_CODES[c].status} |`))).toEqual([]);
  });

  it('pass `redocly lint` (recommended) with no errors and no warnings but the justified ones', () => {
    let out = '';
    try {
      out = execFileSync(path.join(ROOT, 'node_modules/.bin/redocly'), ['lint', 'client/openapi.json', '--format=stylish'], { cwd: ROOT, encoding: 'utf8', stdio: 'pipe', env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' } });
    } catch (e) {
      const err = e as { stdout?: string; stderr?: string };
      throw new Error(`redocly lint failed:\n${err.stdout}\n${err.stderr}`);
    }
    expect(out).not.toMatch(/warning|error/i);
  }, 60_000);
});
