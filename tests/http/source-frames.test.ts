import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { errorFields } from '@/lib/log';
import { sourceFrame } from '@/lib/log/source-frames';

// A minified bundle with its map beside it, like Next's chunks and .next/mizaj-server.mjs: its frames must be
// logged at the lines of the source, without node's --enable-source-maps.
const dir = mkdtempSync(path.join(tmpdir(), 'mizaj-frames-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function builtThrower(): Promise<() => void> {
  writeFileSync(
    path.join(dir, 'thrower.ts'),
    ['// line 1', 'export function outer(): void {', '  inner();', '}', '', 'function inner(): void {', "  throw new Error('from the source');", '}', ''].join('\n'),
  );
  await build({ entryPoints: [path.join(dir, 'thrower.ts')], outfile: path.join(dir, 'out/thrower.js'), bundle: true, minify: true, sourcemap: true, format: 'cjs', platform: 'node', logLevel: 'silent' });
  return (createRequire(import.meta.url)(path.join(dir, 'out/thrower.js')) as { outer: () => void }).outer;
}

function thrown(fn: () => void): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('did not throw');
}

describe('logged stack frames', () => {
  it('point at the source line of built, minified code through the map beside it', async () => {
    const error = thrown(await builtThrower());
    expect(error.stack).toContain(`${path.join(dir, 'out/thrower.js')}:1:`);
    const frames = errorFields(error).stack!.split('\n');
    expect(frames[0]).toMatch(/thrower\.ts:7:\d+\)?$/);
    expect(frames[1]).toMatch(/thrower\.ts:3:\d+\)?$/);
  });

  it('leave a frame as it is where no map lies beside the file, or it is not a frame', () => {
    const line = `    at f (${path.join(dir, 'nowhere.js')}:1:10)`;
    expect(sourceFrame(line)).toBe(line);
    expect(sourceFrame('    at new Promise (<anonymous>)')).toBe('    at new Promise (<anonymous>)');
  });
});
