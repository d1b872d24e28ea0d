import { Cluster, Redis, type ClusterNode, type RedisOptions } from 'ioredis';
import type { Backend } from '../types';

export interface RedisConnectionOptions {
  /** redis://, rediss://, redis+sentinel://[:pw@]h:p,h:p/master[/db], redis+cluster://[:pw@]h:p,h:p */
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

function parseHosts(list: string): { host: string; port: number }[] {
  return list.split(',').map((hp) => {
    const m = /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(hp.trim());
    if (!m) throw new Error(`bad Redis host "${hp}"`);
    return { host: m[1]!, port: m[2] ? Number(m[2]) : 6379 };
  });
}

function withoutPassword(url: string): string {
  const u = new URL(url);
  u.password = '';
  return u.toString();
}

const MULTI_HOST = /^redis\+(sentinel|cluster):\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^/]+)(?:\/([^/]+))?(?:\/(\d+))?\/?$/;

export function createRedisConnection(options: RedisConnectionOptions): RedisConnection {
  const base = failFastOptions(options);
  const multi = MULTI_HOST.exec(options.url);
  if (!multi) {
    // ioredis lets a password in the URL win over the options: drop it from the URL so REDIS_PASSWORD overrides.
    const client = new Redis(options.password ? withoutPassword(options.url) : options.url, { ...base, ...(options.password ? { password: options.password } : {}) });
    return { client, backend: 'redis' };
  }
  const [, kind, user, urlPassword, hosts, name, db] = multi;
  const password = options.password ?? (urlPassword ? decodeURIComponent(urlPassword) : undefined);
  const username = user ? decodeURIComponent(user) : undefined;
  const auth = { ...(password ? { password } : {}), ...(username ? { username } : {}) };
  if (kind === 'sentinel') {
    if (!name) throw new Error('redis+sentinel:// URL needs the master name as its path: redis+sentinel://h:p,h:p/mymaster');
    const client = new Redis({
      ...base,
      ...auth,
      sentinels: parseHosts(hosts!),
      name,
      db: db ? Number(db) : 0,
      ...(password ? { sentinelPassword: password } : {}),
    });
    return { client, backend: 'sentinel' };
  }
  const nodes: ClusterNode[] = parseHosts(hosts!);
  const client = new Cluster(nodes, {
    enableOfflineQueue: false,
    enableAutoPipelining: options.autoPipelining ?? true,
    clusterRetryStrategy: (attempt) => Math.min(100 * 2 ** attempt, 2_000),
    redisOptions: { ...base, ...auth },
  });
  return { client, backend: 'cluster' };
}
