import { describe, expect, it } from 'vitest';
import { projectModule, runInFreshProcess } from '../support/fresh-process';

/** nice of each thread of a fresh node process, after lowerHelperThreads() ran in it, by thread id. */
function niceAfterLowering(): { pid: number; lowered: number; nice: Record<string, number> } {
  const script = `
    import { readdirSync } from 'node:fs';
    import { getPriority } from 'node:os';
    import { lowerHelperThreads } from ${projectModule('lib/server/helper-threads.ts')};
    const lowered = lowerHelperThreads();
    const nice = Object.fromEntries(readdirSync('/proc/self/task').map((tid) => [tid, getPriority(Number(tid))]));
    console.log(JSON.stringify({ pid: process.pid, lowered, nice }));`;
  return JSON.parse(runInFreshProcess(script));
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
