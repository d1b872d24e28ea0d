import { LRUCache } from 'lru-cache';
import type { CacheStore, ScanOptions, StoreOp, StoreOpResult } from '../types';
import { globToRegExp } from './glob';

export interface MemoryStoreOptions {
  /** Upper bound of what is held, in bytes (text counted as UTF-16: 2 bytes a char, as are keys). */
  maxBytes?: number;
}

/** Bytes are copied in: the writer may reuse its buffer. */
const owned = (value: string | Buffer) => (typeof value === 'string' ? value : Buffer.from(value));

/** In-process LRU bounded in bytes with per-key TTL: the embedded default when there is no REDIS_URL. */
export class MemoryStore implements CacheStore {
  readonly backend = 'memory' as const;
  readonly canHang = false;
  readonly maxBytes: number;
  private readonly lru: LRUCache<string, string | Buffer>;
  private closed = false;

  constructor(options: MemoryStoreOptions = {}) {
    this.maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    this.lru = new LRUCache<string, string | Buffer>({
      maxSize: this.maxBytes,
      sizeCalculation: (value, key) => (typeof value === 'string' ? 2 : 1) * value.length + 2 * key.length + 64,
      ttlAutopurge: false,
      ttlResolution: 0,
      allowStale: false,
      updateAgeOnGet: false,
    });
  }

  get bytes(): number {
    return this.lru.calculatedSize;
  }

  get size(): number {
    return this.lru.size;
  }

  available(): boolean {
    return !this.closed;
  }

  async mget(keys: readonly string[]): Promise<(string | null)[]> {
    return keys.map((k) => {
      const v = this.lru.get(k);
      return v === undefined ? null : v.toString();
    });
  }

  /** A copy each time, as a reply from Redis would be: no reader can change what is stored. */
  async mgetBuffer(keys: readonly string[]): Promise<(Buffer | null)[]> {
    return keys.map((k) => {
      const v = this.lru.get(k);
      return v === undefined ? null : Buffer.from(v);
    });
  }

  async exec(ops: readonly StoreOp[]): Promise<StoreOpResult[]> {
    return ops.map((op) => this.apply(op));
  }

  private apply(op: StoreOp): StoreOpResult {
    switch (op.op) {
      case 'set':
        this.lru.set(op.key, owned(op.value), { ttl: op.ttlMs });
        return null;
      case 'setIfAbsent': {
        const current = this.lru.get(op.key);
        if (current !== undefined) return current.toString();
        this.lru.set(op.key, op.value, { ttl: op.ttlMs });
        return op.value;
      }
      case 'extend': {
        const current = this.lru.get(op.key);
        if (current !== undefined && this.lru.getRemainingTTL(op.key) < op.ttlMs) {
          this.lru.set(op.key, current, { ttl: op.ttlMs, noUpdateTTL: false });
        }
        return null;
      }
      case 'replaceIf': {
        const current = this.lru.get(op.key);
        const prefix = Buffer.from(op.ifStartsWith);
        const held = typeof current === 'string' ? Buffer.from(current) : current;
        if (held === undefined || !held.subarray(0, prefix.length).equals(prefix)) return 0;
        this.lru.set(op.key, owned(op.value), { ttl: op.ttlMs });
        return 1;
      }
      case 'del':
        return this.lru.delete(op.key) ? 1 : 0;
      case 'publish':
        return 0;
    }
  }

  async pttl(key: string): Promise<number> {
    if (!this.lru.has(key)) return -2;
    const left = this.lru.getRemainingTTL(key);
    return Number.isFinite(left) ? Math.max(0, Math.floor(left)) : -1;
  }

  async *scan(pattern: string, options: ScanOptions = {}): AsyncIterable<string[]> {
    const count = options.count ?? 500;
    const re = globToRegExp(pattern);
    // Snapshot first: deleting while walking lru-cache's internal list is not supported.
    const matching = [...this.lru.keys()].filter((k) => re.test(k));
    for (let i = 0; i < matching.length; i += count) {
      options.signal?.throwIfAborted();
      yield matching.slice(i, i + count);
    }
  }

  async unlink(keys: readonly string[]): Promise<number> {
    let n = 0;
    for (const k of keys) if (this.lru.delete(k)) n++;
    return n;
  }

  async ping(): Promise<number> {
    return 0;
  }

  async info(): Promise<Record<string, string>> {
    return { used_memory: String(this.lru.calculatedSize), maxmemory: String(this.maxBytes), keys: String(this.lru.size) };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.lru.clear();
  }
}
