/** Which kind of backend a store talks to (shown on the dashboard). */
export type Backend = 'redis' | 'cluster' | 'sentinel' | 'memory';

/** One operation of a store batch; a batch costs one round trip on Redis. */
export type StoreOp =
  /** Entries are bytes (lib/cache/codec.ts), version keys text. */
  | { op: 'set'; key: string; value: string | Buffer; ttlMs: number }
  /** SET NX GET: writes `value` only if the key is absent; the result is the value now stored. */
  | { op: 'setIfAbsent'; key: string; value: string; ttlMs: number }
  /** Extends a key's TTL to `ttlMs` if that is longer than what is left (PEXPIRE GT). */
  | { op: 'extend'; key: string; ttlMs: number }
  /** Writes `value` only if the current value starts with `ifStartsWith` (compare-and-set); result 1 or 0. */
  | { op: 'replaceIf'; key: string; ifStartsWith: string; value: Buffer; ttlMs: number }
  | { op: 'del'; key: string }
  | { op: 'publish'; channel: string; message: string };

/** Result per op: the stored value for setIfAbsent, a count for del/publish/replaceIf, null otherwise. */
export type StoreOpResult = string | number | null;

export interface ScanOptions {
  /** COUNT hint per SCAN call and the largest batch yielded. */
  count?: number;
  signal?: AbortSignal;
}

/**
 * The contract every store passes (tests/cache/store-contract.ts). Values are bytes or text; the tiered
 * cache owns encoding. Keys and patterns arrive fully namespaced.
 */
export interface CacheStore {
  readonly backend: Backend;
  /** True when a call can wait on something outside this process (the gate then races it with a timer). */
  readonly canHang: boolean;
  /** False while the connection is down: callers skip the store without waiting. */
  available(): boolean;
  mget(keys: readonly string[]): Promise<(string | null)[]>;
  /** mget as bytes (entries: a value as stored, whatever its bytes). */
  mgetBuffer(keys: readonly string[]): Promise<(Buffer | null)[]>;
  exec(ops: readonly StoreOp[]): Promise<StoreOpResult[]>;
  /** Remaining TTL in ms; -2 when the key does not exist, -1 when it has no TTL. */
  pttl(key: string): Promise<number>;
  /** Keys matching a glob pattern, in batches, on every master (never KEYS). */
  scan(pattern: string, options?: ScanOptions): AsyncIterable<string[]>;
  unlink(keys: readonly string[]): Promise<number>;
  /** Round trip latency in ms; rejects when unreachable. */
  ping(): Promise<number>;
  /** Redis INFO fields (empty for memory). */
  info(): Promise<Record<string, string>>;
  close(): Promise<void>;
}

/** pino-compatible logger subset. */
export interface CacheLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export type CacheStatus = 'HIT' | 'MISS' | 'STALE' | 'BYPASS';
export type CacheLayer = 'l1' | 'l2' | 'fn';

/** A value with what the HTTP layer needs for X-Cache, ETag and Cache-Control. */
export interface CacheResult<T> {
  value: T;
  /** HIT fresh; STALE served within grace (a refresh runs in background); MISS computed now; BYPASS cache disabled. */
  status: CacheStatus;
  layer: CacheLayer;
  /** Full store key. */
  key: string;
  /** Unique id of the stored entry (changes on every write): usable as an ETag seed. */
  id: string;
  /** Epoch ms when the value was computed. */
  storedAt: number;
  /** Epoch ms until which the value is fresh. */
  expiresAt: number;
  /** Epoch ms until which it may be served stale. */
  graceUntil: number;
}
