import { randomBytes } from 'node:crypto';
import { RedisStore } from '@/lib/cache/stores/redis-store';

export const SHARED_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A prefix unique to one test file and run, e.g. `t-race-1a2b3c`. */
export function testPrefix(name: string): string {
  return `t-${name}-${randomBytes(3).toString('hex')}`;
}

export async function sharedStore(): Promise<RedisStore> {
  const store = RedisStore.connect({ url: SHARED_REDIS_URL, commandTimeoutMs: 2_000 });
  await store.ready();
  return store;
}

/** Removes every key under a prefix from the shared Redis. */
export async function cleanPrefix(prefix: string): Promise<void> {
  const store = await sharedStore();
  try {
    for await (const keys of store.scan(`${prefix}:*`, { count: 1000 })) await store.unlink(keys);
  } finally {
    await store.close();
  }
}

/** Captures log lines for asserting "one line per state change". */
export function captureLogger() {
  const lines: { level: string; msg: string; obj: object }[] = [];
  const at = (level: string) => (obj: object, msg: string) => void lines.push({ level, msg, obj });
  return { lines, logger: { debug: () => {}, info: at('info'), warn: at('warn'), error: at('error') } };
}
