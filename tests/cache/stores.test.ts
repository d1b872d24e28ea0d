import { expect } from 'vitest';
import { ChaosStore } from './support/chaos-store';
import { MemoryStore } from '@/lib/cache/stores/memory-store';
import { RedisStore } from '@/lib/cache/stores/redis-store';
import { runStoreContract } from './store-contract';
import { cleanPrefix, SHARED_REDIS_URL, testPrefix } from './support/shared-redis';
import { startLocalCluster } from './support/local-cluster';
import { startLocalSentinel } from './support/local-sentinel';

runStoreContract('memory', async () => ({ store: new MemoryStore({ maxBytes: 16 * 1024 * 1024 }), prefix: 'mem', cleanup: async () => {} }));

runStoreContract('redis', async () => {
  const prefix = testPrefix('contract');
  const store = RedisStore.connect({ url: SHARED_REDIS_URL, commandTimeoutMs: 2_000 });
  await store.ready();
  return {
    store,
    prefix,
    cleanup: async () => {
      await store.close();
      await cleanPrefix(prefix);
    },
  };
});

runStoreContract('chaos(memory) with chaos off', async () => ({
  store: new ChaosStore(new MemoryStore()),
  prefix: 'chaos',
  cleanup: async () => {},
}));

runStoreContract('redis cluster (3 local masters)', async () => {
  const cluster = await startLocalCluster();
  const store = RedisStore.connect({ url: cluster.url, commandTimeoutMs: 2_000 });
  await store.ready(10_000);
  return {
    store,
    prefix: testPrefix('cluster'),
    cleanup: async () => {
      await store.close();
      await cluster.stop();
    },
  };
});

runStoreContract('redis via sentinel (own master + sentinel)', async () => {
  const sentinel = await startLocalSentinel();
  const store = RedisStore.connect({ url: sentinel.url, commandTimeoutMs: 2_000 });
  await store.ready(10_000);
  expect(store.backend).toBe('sentinel');
  return {
    store,
    prefix: testPrefix('sentinel'),
    cleanup: async () => {
      await store.close();
      await sentinel.stop();
    },
  };
});
