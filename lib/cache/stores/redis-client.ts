import { Cluster, Redis, type ClusterNode, type RedisOptions } from 'ioredis';
import type { Backend } from '../types';
import { parseRedisUrl } from '@/lib/config/redis-url';

export interface RedisConnectionOptions {
  /** Any form of redis-url.ts: redis://, rediss://, redis+sentinel://…/master, redis+cluster://h:p,h:p (+ TLS forms). */
  url: string;
  /** Overrides the URL's password (REDIS_PASSWORD). */
  password?: string;
  /** Per-command timeout; a slow Redis costs a read at most this long. */
  commandTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** Batch concurrent commands into one write (good under load, neutral otherwise). */
  autoPipelining?: boolean;
}

export interface RedisConnection {
  client: Redis | Cluster;
  backend: Exclude<Backend, 'memory'>;
}

/** Settings that keep a dead Redis from ever making a caller wait: no offline queue, one try, short timeouts. */
export function failFastOptions(options: RedisConnectionOptions): RedisOptions {
  return {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: options.commandTimeoutMs ?? 200,
    connectTimeout: options.connectTimeoutMs ?? 2_000,
    enableAutoPipelining: options.autoPipelining ?? true,
    retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 2_000),
    lazyConnect: false,
  };
}

/**
 * Connects from any REDIS_URL form (redis-url.ts). `password` (REDIS_PASSWORD) wins over the URL's, for every
 * form; TLS (rediss…) applies to every node, and to the sentinels too.
 */
export function createRedisConnection(options: RedisConnectionOptions): RedisConnection {
  const base = failFastOptions(options);
  const url = parseRedisUrl(options.url);
  const password = options.password ?? url.password;
  const auth = { ...(password ? { password } : {}), ...(url.username ? { username: url.username } : {}) };
  const tls = url.tls ? { tls: {} } : {};
  if (url.kind === 'standalone') {
    const { host, port } = url.hosts[0]!;
    return { client: new Redis({ ...base, ...auth, ...tls, host, port, db: url.db }), backend: 'redis' };
  }
  if (url.kind === 'sentinel') {
    const client = new Redis({
      ...base,
      ...auth,
      ...tls,
      sentinels: url.hosts,
      name: url.name!,
      db: url.db,
      ...(password ? { sentinelPassword: password } : {}),
      ...(url.tls ? { enableTLSForSentinelMode: true, sentinelTLS: {} } : {}),
    });
    return { client, backend: 'sentinel' };
  }
  const client = new Cluster(url.hosts as ClusterNode[], {
    enableOfflineQueue: false,
    // ioredis's ready check (CLUSTER INFO right after the slot refresh) races the node connections it is
    // replacing: on a busy host it failed with "Connection is closed" again and again, and a client seeded
    // with one node stayed unready for over 15 s. A cluster that is down answers CLUSTERDOWN to commands,
    // which fail fast like any other store error.
    enableReadyCheck: false,
    enableAutoPipelining: options.autoPipelining ?? true,
    clusterRetryStrategy: (attempt) => Math.min(100 * 2 ** attempt, 2_000),
    redisOptions: { ...base, ...auth, ...tls },
  });
  return { client, backend: 'cluster' };
}
