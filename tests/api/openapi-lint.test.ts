import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROBLEM_CODE_NAMES, PROBLEM_CODES } from '@/lib/http/problem-codes';
import { renderClientFiles } from '@/scripts/openapi-render';

const ROOT = path.resolve(import.meta.dirname, '../..');

describe('the committed OpenAPI document and client types', () => {
  it('are what `npm run api:generate` makes from the operations now (not stale)', async () => {
    for (const [file, text] of Object.entries(await renderClientFiles())) {
      expect(readFileSync(path.join(ROOT, file), 'utf8') === text, `${file} is stale: run npm run api:generate`).toBe(true);
    }
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
