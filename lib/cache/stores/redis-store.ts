import type { Cluster, Redis } from 'ioredis';
import type { Backend, CacheStore, ScanOptions, StoreOp, StoreOpResult } from '../types';
import { createRedisConnection, type RedisConnectionOptions } from './redis-client';

type Client = Redis | Cluster;

/** Compare-and-set on a prefix (an entry's header line holds its unique id): one key, so Cluster-safe. */
const REPLACE_IF = `local v = redis.call('GET', KEYS[1])
if v and string.sub(v, 1, #ARGV[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0`;

/**
 * Redis (standalone, Sentinel or Cluster). Standalone/Sentinel batches go out as one pipeline; Cluster
 * commands are auto-pipelined per node because one pipeline cannot span slots.
 */
export class RedisStore implements CacheStore {
  /** ioredis's commandTimeout is only a backstop (see StoreGate.timed for why the gate keeps the time). */
  readonly canHang = true;
  readonly backend: Exclude<Backend, 'memory'>;
  readonly client: Client;
  private readonly ownsClient: boolean;

  constructor(client: Client, backend: Exclude<Backend, 'memory'>, ownsClient = false) {
    this.client = client;
    this.backend = backend;
    this.ownsClient = ownsClient;
    // Errors reach callers through rejected commands; without a listener ioredis would print each one.
    if (ownsClient) client.on('error', () => {});
  }

  static connect(options: RedisConnectionOptions): RedisStore {
    const { client, backend } = createRedisConnection(options);
    return new RedisStore(client, backend, true);
  }

  private get isCluster(): boolean {
    return this.backend === 'cluster';
  }

  available(): boolean {
    return this.client.status === 'ready';
  }

  /** Resolves once connected (tests and start-up); rejects after timeoutMs. */
  ready(timeoutMs = 5_000): Promise<void> {
    if (this.client.status === 'ready') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.client.off('ready', onReady);
        reject(new Error(`Redis not ready after ${timeoutMs} ms`));
      }, timeoutMs);
      const onReady = () => {
        clearTimeout(timer);
        resolve();
      };
      this.client.once('ready', onReady);
    });
  }

  mget(keys: readonly string[]): Promise<(string | null)[]> {
    if (keys.length === 0) return Promise.resolve([]);
    if (this.isCluster) return Promise.all(keys.map((k) => this.client.get(k)));
    return (this.client as Redis).mget(keys as string[]);
  }

  mgetBuffer(keys: readonly string[]): Promise<(Buffer | null)[]> {
    if (keys.length === 0) return Promise.resolve([]);
    if (this.isCluster) return Promise.all(keys.map((k) => this.client.getBuffer(k)));
    return (this.client as Redis).mgetBuffer(keys as string[]);
  }

  async exec(ops: readonly StoreOp[]): Promise<StoreOpResult[]> {
    if (ops.length === 0) return [];
    // One op goes out as a plain command: auto-pipelined, it shares the write of whatever else this tick sends (a read
    // and the version keys it creates, l2-reader.ts), where a pipeline of its own is a write of its own.
    if (this.isCluster || (ops.length === 1 && this.client.options.enableAutoPipelining)) return Promise.all(ops.map((op) => this.single(op)));
    const pipeline = (this.client as Redis).pipeline();
    for (const op of ops) {
      switch (op.op) {
        case 'set':
          pipeline.set(op.key, op.value, 'PX', Math.max(1, Math.round(op.ttlMs)));
          break;
        case 'setIfAbsent':
          pipeline.set(op.key, op.value, 'PX', Math.max(1, Math.round(op.ttlMs)), 'NX', 'GET');
          break;
        case 'extend':
          pipeline.call('PEXPIRE', op.key, Math.max(1, Math.round(op.ttlMs)), 'GT');
          break;
        case 'replaceIf':
          pipeline.eval(REPLACE_IF, 1, op.key, op.ifStartsWith, op.value, Math.max(1, Math.round(op.ttlMs)));
          break;
        case 'del':
          pipeline.del(op.key);
          break;
        case 'publish':
          pipeline.publish(op.channel, op.message);
          break;
      }
    }
    const results = (await pipeline.exec()) ?? [];
    return results.map(([err, value], i) => {
      if (err) throw err;
      return normalize(ops[i]!, value);
    });
  }

  private async single(op: StoreOp): Promise<StoreOpResult> {
    const c = this.client;
    switch (op.op) {
      case 'set':
        await c.set(op.key, op.value, 'PX', Math.max(1, Math.round(op.ttlMs)));
        return null;
      case 'setIfAbsent':
        return normalize(op, await c.set(op.key, op.value, 'PX', Math.max(1, Math.round(op.ttlMs)), 'NX', 'GET'));
      case 'extend':
        await c.call('PEXPIRE', op.key, Math.max(1, Math.round(op.ttlMs)), 'GT');
        return null;
      case 'replaceIf':
        return Number(await c.eval(REPLACE_IF, 1, op.key, op.ifStartsWith, op.value, Math.max(1, Math.round(op.ttlMs))));
      case 'del':
        return c.del(op.key);
      case 'publish':
        return c.publish(op.channel, op.message);
    }
  }

  pttl(key: string): Promise<number> {
    return this.client.pttl(key);
  }

  /**
   * The masters to walk: the one server, or every primary of the Cluster once the slot map is known (right
   * after start ioredis may know only the seed nodes: a scan then would miss whole masters).
   */
  async masters(): Promise<Redis[]> {
    if (!this.isCluster) return [this.client as Redis];
    const cluster = this.client as Cluster;
    // Scans run off the request path (sampler, purge jobs): waiting for a slow start is fine, missing masters is not.
    if (cluster.status !== 'ready') await this.ready(15_000);
    if (!slotsCovered(cluster)) await new Promise<void>((resolve) => cluster.refreshSlotsCache(() => resolve()));
    return cluster.nodes('master');
  }

  async *scan(pattern: string, options: ScanOptions = {}): AsyncIterable<string[]> {
    const count = options.count ?? 500;
    for (const node of await this.masters()) {
      let cursor = '0';
      do {
        options.signal?.throwIfAborted();
        const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', count);
        cursor = next;
        if (keys.length > 0) yield keys;
      } while (cursor !== '0');
    }
  }

  async unlink(keys: readonly string[]): Promise<number> {
    if (keys.length === 0) return 0;
    if (this.isCluster) return (await Promise.all(keys.map((k) => this.client.unlink(k)))).reduce((a, b) => a + b, 0);
    return (this.client as Redis).unlink(...keys);
  }

  async ping(): Promise<number> {
    const started = performance.now();
    await this.client.ping();
    return performance.now() - started;
  }

  /** INFO of each master, with its address (Cluster: one entry per primary). */
  async nodeInfos(): Promise<NodeInfo[]> {
    const nodes = await this.masters();
    const texts = await Promise.all(nodes.map((n) => n.info()));
    return nodes.map((n, i) => ({ address: `${n.options.host ?? '127.0.0.1'}:${n.options.port ?? 6379}`, fields: parseInfo(texts[i]!) }));
  }

  /** INFO of the whole store: one server's as is; a Cluster's combined as each figure means (combineInfo). */
  async info(): Promise<Record<string, string>> {
    return combineInfo((await this.nodeInfos()).map((n) => n.fields));
  }

  async close(): Promise<void> {
    if (!this.ownsClient) return;
    try {
      await this.client.quit();
    } catch {
      this.client.disconnect();
    }
  }
}

export interface NodeInfo {
  address: string;
  fields: Record<string, string>;
}

function isNumeric(v: string): boolean {
  return v !== '' && Number.isFinite(Number(v));
}

function parseInfo(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of text.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) fields[line.slice(0, i)] = line.slice(i + 1);
  }
  return fields;
}

/** Ratios: weighted by each node's used memory (three nodes at 6.8 are 6.8 together, not 20.4). */
const WEIGHTED = /_ratio$/;
/** Figures of the machine or the process, not of the data: the largest node's, never a sum. */
const LARGEST = new Set(['total_system_memory', 'arch_bits', 'tcp_port', 'process_id', 'hz', 'configured_hz', 'lru_clock']);
const SMALLEST = new Set(['uptime_in_seconds', 'uptime_in_days']);

/**
 * Combines the INFO of several masters: counters and data sizes add up; ratios are weighted by used memory;
 * the host's memory and uptimes are per node (largest / smallest); anything else is the first node's.
 */
export function combineInfo(nodes: Record<string, string>[]): Record<string, string> {
  if (nodes.length <= 1) return { ...(nodes[0] ?? {}) };
  const out: Record<string, string> = {};
  const weights = nodes.map((n) => Number(n.used_memory) || 0);
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  const keys = new Set(nodes.flatMap((n) => Object.keys(n)));
  for (const k of keys) {
    const values = nodes.map((n) => n[k]).filter((v): v is string => v !== undefined);
    if (!values.every(isNumeric)) {
      out[k] = values[0]!;
      continue;
    }
    const nums = values.map(Number);
    if (WEIGHTED.test(k)) {
      out[k] = String(totalWeight > 0 ? nodes.reduce((a, n, i) => a + (Number(n[k]) || 0) * weights[i]!, 0) / totalWeight : nums.reduce((a, b) => a + b, 0) / nums.length);
    } else if (LARGEST.has(k)) out[k] = String(Math.max(...nums));
    else if (SMALLEST.has(k)) out[k] = String(Math.min(...nums));
    else out[k] = String(nums.reduce((a, b) => a + b, 0));
  }
  out.cluster_masters = String(nodes.length);
  return out;
}

function slotsCovered(cluster: Cluster): boolean {
  const slots = cluster.slots;
  for (let i = 0; i < 16_384; i++) if (!slots[i]?.length) return false;
  return true;
}

function normalize(op: StoreOp, value: unknown): StoreOpResult {
  switch (op.op) {
    case 'setIfAbsent':
      // NX GET returns the previous value, or null when ours was written.
      return value === null || value === undefined ? op.value : String(value);
    case 'del':
    case 'publish':
    case 'replaceIf':
      return Number(value);
    default:
      return null;
  }
}
