import 'server-only';
import os from 'node:os';
import { CATEGORY_NAMES, getCache, type Backend, type Cache } from '@/lib/cache';
import { getDb } from '@/lib/db/client';
import { dbHealth } from '@/lib/db/health';
import { listAudit } from './audit';
import type { KeyspaceScan, TtlBucket } from './keyspace';
import type { RedisSample } from './metrics-math';
import { overallLatency, parseLatencyStats, type CommandLatency } from './redis-info';
import { redisSample, samplerIntervalMs } from './sampler';
import { latestKeyspace, readRows, type Resolution } from './samples-store';
import { buildSeries, type DashboardSeries } from './series';

export const RANGES = {
  '15m': { ms: 15 * 60_000, resolution: 0 },
  '1h': { ms: 60 * 60_000, resolution: 0 },
  '24h': { ms: 24 * 3_600_000, resolution: 60 },
  '7d': { ms: 7 * 24 * 3_600_000, resolution: 600 },
} as const satisfies Record<string, { ms: number; resolution: Resolution }>;
export type RangeKey = keyof typeof RANGES;
export const RANGE_KEYS = Object.keys(RANGES) as RangeKey[];
export const parseRange = (v: unknown): RangeKey => (typeof v === 'string' && v in RANGES ? (v as RangeKey) : '1h');

export interface CategoryRow {
  name: string;
  ttlSeconds: number;
  graceSeconds: number;
  keys: number | null;
  estBytes: number | null;
  ttl: Record<TtlBucket, number> | null;
  top: { key: string; bytes: number; ttlMs: number }[];
  hitRate: number | null;
  hits: number;
  misses: number;
  /** Values not cached in the range for being over maxEntryBytes. */
  oversize: number;
  meanFnMs: number | null;
}

/** One Redis Cluster master, as its own INFO reports it. */
export interface NodeRow {
  address: string;
  usedMemory: number;
  maxmemory: number;
  fragmentationRatio: number;
  /** Keys in db0 on this node (every prefix: it is the node's own count). */
  keys: number;
  opsPerSec: number;
  /** keyspace_hits / (hits + misses) since the node started; null before any lookup. */
  hitRate: number | null;
}

export interface AuditRow {
  id: number;
  actor: string;
  action: string;
  target: string;
  ok: boolean;
  createdAt: string;
  keys: number | null;
  ms: number | null;
  error: string | null;
}

export interface DashboardData {
  range: RangeKey;
  generatedAt: number;
  sampleIntervalMs: number;
  backend: Backend;
  cacheEnabled: boolean;
  redis: { reachable: boolean; latencyMs: number | null; error: string | null };
  database: { ok: boolean; latencyMs: number; error: string | null };
  breaker: string;
  bus: string;
  l1: { enabled: boolean; entries: number; bytes: number; maxBytes: number };
  /** Entries larger than this are not cached (CACHE_MAX_ENTRY_BYTES). */
  maxEntryBytes: number;
  instanceId: string;
  /** Current INFO figures (null when Redis cannot be asked). */
  live: RedisSample | null;
  /** What "memory" is compared with: maxmemory, or the host's memory when Redis has no limit. */
  memoryLimit: { kind: 'maxmemory' | 'system' | 'store'; bytes: number };
  latency: { overall: { p50: number; p99: number } | null; commands: CommandLatency[] } | null;
  series: DashboardSeries;
  keyspace: Pick<KeyspaceScan, 'takenAt' | 'ms' | 'exact' | 'scanned' | 'bookkeeping'> | null;
  categories: CategoryRow[];
  /** Cluster: one row per master (sums would hide a full or idle node); null otherwise. */
  nodes: NodeRow[] | null;
  audit: AuditRow[];
  /** Purges ask for the category's name to be typed (production only). */
  typedConfirm: boolean;
  problems: { samples?: string; audit?: string; keyspace?: string };
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

const infoNumber = (fields: Record<string, string>, k: string) => Number(fields[k]) || 0;

export function nodeRow(address: string, fields: Record<string, string>): NodeRow {
  const hits = infoNumber(fields, 'keyspace_hits');
  const misses = infoNumber(fields, 'keyspace_misses');
  return {
    address,
    usedMemory: infoNumber(fields, 'used_memory'),
    maxmemory: infoNumber(fields, 'maxmemory'),
    fragmentationRatio: infoNumber(fields, 'mem_fragmentation_ratio'),
    keys: Number(/keys=(\d+)/.exec(fields.db0 ?? '')?.[1] ?? 0),
    opsPerSec: infoNumber(fields, 'instantaneous_ops_per_sec'),
    hitRate: hits + misses > 0 ? hits / (hits + misses) : null,
  };
}

async function clusterNodes(cache: Cache): Promise<NodeRow[] | null> {
  if (cache.admin.backend !== 'cluster' || !cache.admin.connected()) return null;
  return (await withTimeout(cache.admin.nodes(), 1_500)).map((n) => nodeRow(n.address, n.fields));
}

async function redisLatency(cache: Cache): Promise<DashboardData['latency']> {
  // Cluster: the first master speaks for the rest (the masters table has per-node figures).
  if (!cache.admin.connected()) return null;
  const sections = await withTimeout(cache.admin.infoSections('latencystats', 'commandstats'), 2_000);
  if (!sections) return null;
  const [latency, commands] = sections as [string, string];
  const rows = parseLatencyStats(latency, commands);
  if (rows.length === 0) return null;
  return { overall: overallLatency(rows), commands: rows.slice(0, 6) };
}

/** Everything the dashboard page shows, as plain data; each source fails on its own and says so. */
export async function loadDashboard(range: RangeKey, now = Date.now()): Promise<DashboardData> {
  const cache = getCache();
  const { ms, resolution } = RANGES[range];
  const intervalMs = samplerIntervalMs();
  const stepMs = resolution > 0 ? resolution * 1000 : Math.max(intervalMs, Math.ceil(ms / 300));
  // One step of margin before `from`, so the first interval inside the range has its predecessor.
  const from = now - ms;
  const margin = Math.max(stepMs, resolution * 1000) * 2;
  const dbP = getDb();
  const [health, database, live, latency, rows, keyspace, audit, nodes] = await Promise.allSettled([
    cache.health(),
    dbHealth(),
    redisSample(cache),
    redisLatency(cache),
    dbP.then((db) => readRows(db, new Date(from - margin), new Date(now), resolution)),
    dbP.then((db) => latestKeyspace(db)),
    dbP.then((db) => listAudit(db, 30)),
    clusterNodes(cache),
  ]);
  const h = health.status === 'fulfilled' ? health.value : undefined;
  const series = buildSeries(rows.status === 'fulfilled' ? rows.value : [], { from, to: now, stepMs, categories: CATEGORY_NAMES });
  const ks = keyspace.status === 'fulfilled' ? keyspace.value : null;
  const liveSample = live.status === 'fulfilled' ? live.value : null;
  const backend = cache.admin.backend;

  let memoryLimit: DashboardData['memoryLimit'];
  if (backend === 'memory') memoryLimit = { kind: 'store', bytes: liveSample?.maxmemory ?? 0 };
  else if (liveSample && liveSample.maxmemory > 0) memoryLimit = { kind: 'maxmemory', bytes: liveSample.maxmemory };
  else memoryLimit = { kind: 'system', bytes: liveSample?.totalSystemMemory || os.totalmem() };

  const categories: CategoryRow[] = Object.entries(cache.categories).map(([name, c]) => {
    const k = ks?.categories[name];
    const s = series.categories[name];
    return {
      name,
      ttlSeconds: c.ttl,
      graceSeconds: c.grace,
      keys: k ? k.keys : null,
      estBytes: k ? k.estBytes : null,
      ttl: k ? k.ttl : null,
      top: k?.top ?? [],
      hitRate: s?.hitRate ?? null,
      hits: s?.hits ?? 0,
      misses: s?.misses ?? 0,
      oversize: s?.oversize ?? 0,
      meanFnMs: s?.meanFnMs ?? null,
    };
  });

  const auditRows: AuditRow[] =
    audit.status === 'fulfilled'
      ? audit.value.map((a) => {
          const r = (a.result ?? {}) as Record<string, unknown>;
          const keys = r.keysDeleted ?? r.warmed;
          return {
            id: a.id,
            actor: a.actor,
            action: a.action,
            target: a.target,
            ok: a.ok,
            createdAt: a.createdAt.toISOString(),
            keys: typeof keys === 'number' ? keys : null,
            ms: typeof r.ms === 'number' ? r.ms : null,
            error: typeof r.error === 'string' ? r.error : null,
          };
        })
      : [];

  const db = database.status === 'fulfilled' ? database.value : { ok: false, latencyMs: 0, error: 'unknown' };
  return {
    range,
    generatedAt: now,
    sampleIntervalMs: intervalMs,
    backend,
    cacheEnabled: h?.enabled ?? cache.enabled,
    redis: { reachable: h?.reachable ?? false, latencyMs: h?.latencyMs ?? null, error: h?.error ?? (health.status === 'rejected' ? message(health.reason) : null) },
    database: { ok: db.ok, latencyMs: db.latencyMs, error: db.error ?? null },
    breaker: h?.breaker ?? 'unknown',
    bus: h?.bus ?? 'disabled',
    l1: h?.l1 ?? { enabled: false, entries: 0, bytes: 0, maxBytes: 0 },
    maxEntryBytes: cache.maxEntryBytes,
    instanceId: cache.instanceId,
    live: liveSample,
    memoryLimit,
    latency: latency.status === 'fulfilled' ? latency.value : null,
    series,
    keyspace: ks ? { takenAt: ks.takenAt, ms: ks.ms, exact: ks.exact, scanned: ks.scanned, bookkeeping: ks.bookkeeping } : null,
    categories,
    nodes: nodes.status === 'fulfilled' ? nodes.value : null,
    audit: auditRows,
    typedConfirm: process.env.NODE_ENV === 'production',
    problems: {
      ...(rows.status === 'rejected' ? { samples: message(rows.reason) } : {}),
      ...(audit.status === 'rejected' ? { audit: message(audit.reason) } : {}),
      ...(keyspace.status === 'rejected' ? { keyspace: message(keyspace.reason) } : {}),
    },
  };
}
