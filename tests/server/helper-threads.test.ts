import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** nice of each thread of a fresh node process, after lowerHelperThreads() ran in it, by thread id. */
function niceAfterLowering(): { pid: number; lowered: number; nice: Record<string, number> } {
  const script = `
    import { readdirSync } from 'node:fs';
    import { getPriority } from 'node:os';
    import { lowerHelperThreads } from ${JSON.stringify(path.join(ROOT, 'lib/server/helper-threads.ts'))};
    const lowered = lowerHelperThreads();
    const nice = Object.fromEntries(readdirSync('/proc/self/task').map((tid) => [tid, getPriority(Number(tid))]));
    console.log(JSON.stringify({ pid: process.pid, lowered, nice }));`;
  const r = spawnSync(process.execPath, ['--conditions=react-server', '--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

describe('lowerHelperThreads: V8 helper threads yield the core to the main thread', () => {
  it('sets every thread but the main one to nice 19 and leaves the main one alone', () => {
    const { pid, lowered, nice } = niceAfterLowering();
    expect(nice[pid]).toBe(0);
    const others = Object.entries(nice).filter(([tid]) => Number(tid) !== pid);
    // V8's platform pool alone is 4 threads (node's --v8-pool-size).
    expect(others.length).toBeGreaterThanOrEqual(4);
    expect(lowered).toBe(others.length);
    for (const [, n] of others) expect(n).toBe(19);
  });
});
