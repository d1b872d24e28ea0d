/**
 * An offline HTTP cache for the app, between openapi-fetch and the network. It keeps GET answers as the
 * server's Cache-Control allows (max-age = freshness; no-cache = keep but revalidate; no-store = never),
 * revalidates with If-None-Match, serves what it has when the network fails (flagged `X-Client-Cache:
 * STALE-OFFLINE`), drops a resource when the app writes it, bounds its size, and forgets everything
 * personal on sign-out.
 */

export type CacheEntry = {
  key: string;
  category: string;
  /** Names or concerns a patient: removed by clearPersonal() (sign-out). */
  personal: boolean;
  etag: string | null;
  contentType: string;
  body: string;
  storedAt: number;
  /** Fresh until then (ms since the epoch); equal to storedAt for `no-cache` answers. */
  expiresAt: number;
  bytes: number;
};

/** Where entries live. Synchronous, as better-sqlite3 and a Map are; a host with an async store wraps it. */
export interface CacheStorage {
  get(key: string): CacheEntry | undefined;
  set(entry: CacheEntry): void;
  delete(key: string): void;
  /** Every entry's key, category, personal flag, size and age, oldest first (for eviction and cleanup). */
  list(): Pick<CacheEntry, 'key' | 'category' | 'personal' | 'bytes' | 'storedAt'>[];
  clear(): void;
}

export class MemoryStorage implements CacheStorage {
  private readonly map = new Map<string, CacheEntry>();
  get(key: string) {
    return this.map.get(key);
  }
  set(entry: CacheEntry) {
    this.map.delete(entry.key);
    this.map.set(entry.key, entry);
  }
  delete(key: string) {
    this.map.delete(key);
  }
  list() {
    return [...this.map.values()].sort((a, b) => a.storedAt - b.storedAt);
  }
  clear() {
    this.map.clear();
  }
}

/** The slice of a better-sqlite3 Database the adapter uses (so the client does not import the native module). */
export interface SqliteDatabase {
  exec(sql: string): unknown;
  prepare(sql: string): { run(...params: unknown[]): unknown; get(...params: unknown[]): unknown; all(...params: unknown[]): unknown[] };
}

type Row = { key: string; category: string; personal: number; etag: string | null; content_type: string; body: string; stored_at: number; expires_at: number; bytes: number };

/** Entries in one SQLite table: they survive the app being closed (better-sqlite3 on Node; the same SQL on RN hosts). */
export class SqliteStorage implements CacheStorage {
  private readonly q;
  constructor(db: SqliteDatabase, table = 'mizaj_http_cache') {
    if (!/^[a-z_][a-z0-9_]*$/i.test(table)) throw new Error('table must be a plain SQL identifier');
    db.exec(`create table if not exists ${table} (
      key text primary key, category text not null, personal integer not null, etag text, content_type text not null,
      body text not null, stored_at integer not null, expires_at integer not null, bytes integer not null)`);
    this.q = {
      get: db.prepare(`select * from ${table} where key = ?`),
      set: db.prepare(`insert or replace into ${table} values (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      delete: db.prepare(`delete from ${table} where key = ?`),
      list: db.prepare(`select key, category, personal, bytes, stored_at from ${table} order by stored_at`),
      clear: db.prepare(`delete from ${table}`),
    };
  }
  get(key: string): CacheEntry | undefined {
    const r = this.q.get.get(key) as Row | undefined;
    return r && { key: r.key, category: r.category, personal: r.personal === 1, etag: r.etag, contentType: r.content_type, body: r.body, storedAt: r.stored_at, expiresAt: r.expires_at, bytes: r.bytes };
  }
  set(e: CacheEntry) {
    this.q.set.run(e.key, e.category, e.personal ? 1 : 0, e.etag, e.contentType, e.body, e.storedAt, e.expiresAt, e.bytes);
  }
  delete(key: string) {
    this.q.delete.run(key);
  }
  list() {
    return (this.q.list.all() as Row[]).map((r) => ({ key: r.key, category: r.category, personal: r.personal === 1, bytes: r.bytes, storedAt: r.stored_at }));
  }
  clear() {
    this.q.clear.run();
  }
}

export type CacheStats = { hits: number; misses: number; revalidations: number; staleServed: number; bytes: number; entries: number };

export type OfflineCacheOptions = {
  storage?: CacheStorage;
  /** Evicts the oldest entries past this many bytes of bodies (default 5 MiB). */
  maxBytes?: number;
  now?: () => number;
  /** The category of a URL path, for cleanup by category (default: the segment after /api/). */
  categoryOf?: (path: string) => string;
  /** Whether an answer concerns a patient (default: patients, predictions and single feedbacks). */
  isPersonal?: (path: string) => boolean;
};

export const CLIENT_CACHE_HEADER = 'X-Client-Cache';
export type ClientCacheStatus = 'HIT' | 'MISS' | 'REVALIDATED' | 'STALE-OFFLINE';

const defaultCategory = (path: string) => /^\/api\/([^/]+)/.exec(path)?.[1] ?? 'other';
const defaultPersonal = (path: string) => /^\/api\/(patients|predictions)\//.test(path) || /^\/api\/feedback\/\d+$/.test(path);

export class OfflineCache {
  readonly storage: CacheStorage;
  private readonly maxBytes: number;
  private readonly now: () => number;
  private readonly categoryOf: (path: string) => string;
  private readonly isPersonal: (path: string) => boolean;
  private readonly counters = { hits: 0, misses: 0, revalidations: 0, staleServed: 0 };

  constructor(opts: OfflineCacheOptions = {}) {
    this.storage = opts.storage ?? new MemoryStorage();
    this.maxBytes = opts.maxBytes ?? 5 * 1024 * 1024;
    this.now = opts.now ?? Date.now;
    this.categoryOf = opts.categoryOf ?? defaultCategory;
    this.isPersonal = opts.isPersonal ?? defaultPersonal;
  }

  /** A fetch that goes through this cache to `network`. */
  wrap(network: (req: Request) => Promise<Response>): (req: Request) => Promise<Response> {
    return (req) => this.fetch(req, network);
  }

  async fetch(req: Request, network: (req: Request) => Promise<Response>): Promise<Response> {
    const url = new URL(req.url);
    const key = url.pathname + url.search;
    if (req.method !== 'GET') {
      const res = await network(req);
      // What the app changed is read again from the server, never from here.
      if (res.ok) this.storage.delete(key);
      return res;
    }
    const entry = this.storage.get(key);
    if (entry && entry.expiresAt > this.now()) {
      this.counters.hits++;
      return this.answer(entry, 'HIT');
    }
    let res: Response;
    try {
      const conditional = new Request(req);
      if (entry?.etag) conditional.headers.set('If-None-Match', entry.etag);
      res = await network(conditional);
    } catch (error) {
      if (!entry) throw error;
      this.counters.staleServed++;
      return this.answer(entry, 'STALE-OFFLINE');
    }
    if (res.status === 304 && entry) {
      this.counters.revalidations++;
      const renewed = { ...entry, storedAt: this.now(), expiresAt: this.expiry(res.headers.get('cache-control')) ?? this.now() };
      this.storage.set(renewed);
      return this.answer(renewed, 'REVALIDATED');
    }
    this.counters.misses++;
    const expiresAt = this.expiry(res.headers.get('cache-control'));
    if (res.status !== 200 || expiresAt === undefined) {
      if (res.status !== 304) this.storage.delete(key);
      return res;
    }
    const body = await res.text();
    const stored: CacheEntry = {
      key,
      category: this.categoryOf(url.pathname),
      personal: this.isPersonal(url.pathname),
      etag: res.headers.get('etag'),
      contentType: res.headers.get('content-type') ?? 'application/json',
      body,
      storedAt: this.now(),
      expiresAt,
      bytes: new TextEncoder().encode(body).byteLength,
    };
    if (stored.bytes <= this.maxBytes) {
      this.storage.set(stored);
      this.evict();
    }
    const headers = new Headers(res.headers);
    headers.set(CLIENT_CACHE_HEADER, 'MISS');
    return new Response(body, { status: res.status, headers });
  }

  /** Forgets every entry of a category (e.g. 'analytics'). */
  clearCategory(category: string): void {
    for (const e of this.storage.list()) if (e.category === category) this.storage.delete(e.key);
  }

  /** Sign-out: forgets everything that concerns a patient. */
  clearPersonal(): void {
    for (const e of this.storage.list()) if (e.personal) this.storage.delete(e.key);
  }

  clear(): void {
    this.storage.clear();
  }

  stats(): CacheStats {
    const list = this.storage.list();
    return { ...this.counters, bytes: list.reduce((n, e) => n + e.bytes, 0), entries: list.length };
  }

  /** Freshness from Cache-Control: undefined means "do not store". */
  private expiry(cacheControl: string | null): number | undefined {
    const cc = (cacheControl ?? '').toLowerCase();
    if (!cc || /(^|,)\s*no-store\b/.test(cc)) return undefined;
    if (/(^|,)\s*no-cache\b/.test(cc)) return this.now();
    const maxAge = /(?:^|,)\s*max-age=(\d+)/.exec(cc);
    return maxAge ? this.now() + Number(maxAge[1]) * 1000 : undefined;
  }

  private evict() {
    const list = this.storage.list();
    let total = list.reduce((n, e) => n + e.bytes, 0);
    for (const e of list) {
      if (total <= this.maxBytes) break;
      this.storage.delete(e.key);
      total -= e.bytes;
    }
  }

  private answer(entry: CacheEntry, status: ClientCacheStatus): Response {
    const headers = new Headers({ 'Content-Type': entry.contentType, [CLIENT_CACHE_HEADER]: status });
    if (entry.etag) headers.set('ETag', entry.etag);
    return new Response(entry.body, { status: 200, headers });
  }
}
