import { describe, expect, it } from 'vitest';
import { projectModule, runInFreshProcess } from '../support/fresh-process';
import { SHARED_REDIS_URL, testPrefix } from './support/shared-redis';

const WRITES = 20_000;

/**
 * ioredis 5 gave every Pipeline (ours in RedisStore.exec, and the one auto-pipelining makes per flush) a `length`
 * getter of its own: a map per instance, held from old space, so the scavenger promoted every pipeline and all it
 * referenced, values included, however short its life (patches/ioredis+*.patch moves the getter to the prototype).
 * Measured as V8 reports it: the bytes each scavenge promoted (--trace-gc-nvp), in a process of its own.
 */
function promotedBytesPerWrite(): number {
  const script = `
    import { RedisStore } from ${projectModule('lib/cache/stores/redis-store.ts')};
    const store = RedisStore.connect({ url: ${JSON.stringify(SHARED_REDIS_URL)}, commandTimeoutMs: 2_000 });
    await store.ready();
    const key = ${JSON.stringify(`${testPrefix('pipeline-gc')}:entry`)};
    const value = 'x'.repeat(2_000);
    for (let i = 0; i < ${WRITES}; i += 100) {
      const batch = [];
      for (let j = 0; j < 100; j++) {
        batch.push(store.exec([{ op: 'set', key, value, ttlMs: 10_000 }, { op: 'extend', key, ttlMs: 10_000 }]), store.mget([key]));
      }
      await Promise.all(batch);
    }
    await store.unlink([key]);
    await store.close();`;
  const trace = runInFreshProcess(script, ['--trace-gc-nvp']);
  const promoted = [...trace.matchAll(/ gc=s .*? promoted=(\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
  return promoted / WRITES;
}

describe('ioredis pipelines die young', () => {
  it('a finished write promotes nothing to the old generation (module loading aside)', () => {
    // Unpatched: about 5,500 B per write (the pipeline, its commands and the 2 KB value); patched: about 450, module
    // loading's promotions and the writes in flight at each scavenge spread over the run.
    expect(promotedBytesPerWrite()).toBeLessThan(1_500);
  });
});
