import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { serverArgv } from '../scripts/server-command';

const ROOT = path.resolve(import.meta.dirname, '..');

function rootWithStart(start: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'mizaj-start-'));
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ scripts: { start } }));
  return dir;
}

describe('serverArgv: the node command of `npm start`, for benchmarks and tests that start the server', () => {
  it("takes the start script's flags, then the caller's, then the bundle", () => {
    expect(serverArgv(ROOT, ['--cpu-prof'])).toEqual(['--single-threaded-gc', '--heap-growing-percent=300', '--cpu-prof', path.join(ROOT, '.next/mizaj-server.mjs')]);
  });

  it('reads flags with values and no flags at all', () => {
    const dir = rootWithStart('NODE_ENV=production node --max-old-space-size=512 dist/server.mjs');
    expect(serverArgv(dir)).toEqual(['--max-old-space-size=512', path.join(dir, 'dist/server.mjs')]);
    expect(serverArgv(rootWithStart('node server.mjs'))).toHaveLength(1);
  });

  it('refuses a start script it cannot read rather than starting something else', () => {
    expect(() => serverArgv(rootWithStart('next start'))).toThrow(/not "… node \[--flags\] <bundle>.mjs"/);
    expect(() => serverArgv(rootWithStart('node server.mjs && echo done'))).toThrow();
  });
});
