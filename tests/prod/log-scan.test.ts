import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOG_DIR, PII_MARKER } from './support';

/**
 * Run last (npm run test:fuzz runs it on its own): the output of every production server the suite started
 * — the browser tests' (e2e/serve.sh) and tests/prod's — holds none of the personal data their databases
 * were seeded with (patient names, emails, feedback comments), nor what the tests sent as personal data.
 */
describe('server logs', () => {
  it('carry no personal data from the seed or the requests', () => {
    expect(existsSync(LOG_DIR), `${LOG_DIR} is missing: run npm test or the production tests first`).toBe(true);
    const files = readdirSync(LOG_DIR);
    const logs = files.filter((f) => f.endsWith('.log'));
    const pii = new Set([PII_MARKER]);
    for (const f of files.filter((f) => f.endsWith('.pii.txt'))) {
      for (const line of readFileSync(path.join(LOG_DIR, f), 'utf8').split('\n')) if (line.trim().length >= 6) pii.add(line.trim());
    }
    expect(logs.length).toBeGreaterThan(0);
    expect(pii.size).toBeGreaterThan(100);
    const found: string[] = [];
    let bytes = 0;
    for (const f of logs) {
      const text = readFileSync(path.join(LOG_DIR, f), 'utf8');
      bytes += text.length;
      for (const p of pii) if (text.includes(p)) found.push(`${f}: ${p.length > 12 ? `${p.slice(0, 4)}…(${p.length} chars)` : '…'}`);
    }
    console.log(`log scan: ${logs.length} logs, ${bytes} chars, ${pii.size} personal strings`);
    expect(found).toEqual([]);
  });
});
