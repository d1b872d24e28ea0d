import { describe, expect, it } from 'vitest';
import { categoryInterval, counterDelta, hitRate, redisInterval, type CategorySample } from '@/lib/admin/metrics-math';
import { overallLatency, parseLatencyStats, redisSampleFromInfo } from '@/lib/admin/redis-info';
import { buildSeries, type MetricRow } from '@/lib/admin/series';
import { ttlBucket } from '@/lib/admin/keyspace';

const info = (over: Record<string, string> = {}) => ({
  run_id: 'abc',
  uptime_in_seconds: '1000',
  used_memory: '1048576',
  used_memory_peak: '2097152',
  maxmemory: '0',
  total_system_memory: '8589934592',
  mem_fragmentation_ratio: '1.25',
  evicted_keys: '10',
  expired_keys: '100',
  keyspace_hits: '900',
  keyspace_misses: '100',
  instantaneous_ops_per_sec: '42',
  connected_clients: '3',
  total_commands_processed: '5000',
  ...over,
});

describe('rates from two consecutive INFO snapshots', () => {
  it('turns counters into per-interval deltas and a mean ops/s', () => {
    const a = redisSampleFromInfo(info(), 'redis');
    const b = redisSampleFromInfo(info({ uptime_in_seconds: '1010', evicted_keys: '13', expired_keys: '150', keyspace_hits: '1900', keyspace_misses: '200', total_commands_processed: '7000' }), 'redis');
    const iv = redisInterval(0, a, 10_000, b);
    expect(iv).toMatchObject({ seconds: 10, restarted: false, evicted: 3, expired: 50, keyspaceHits: 1000, keyspaceMisses: 100, commands: 2000, opsPerSec: 200 });
    expect(a).toMatchObject({ usedMemory: 1048576, usedMemoryPeak: 2097152, maxmemory: 0, fragmentationRatio: 1.25, opsPerSec: 42, connectedClients: 3 });
  });

  it('a Redis restart (counters fall back) gives the post-restart counts, never a negative rate', () => {
    const a = redisSampleFromInfo(info({ evicted_keys: '500', expired_keys: '9000', total_commands_processed: '100000' }), 'redis');
    const b = redisSampleFromInfo(info({ run_id: 'new', uptime_in_seconds: '4', evicted_keys: '0', expired_keys: '7', total_commands_processed: '40' }), 'redis');
    const iv = redisInterval(0, a, 10_000, b);
    expect(iv.restarted).toBe(true);
    expect(iv.evicted).toBe(0);
    expect(iv.expired).toBe(7);
    expect(iv.commands).toBe(40);
    for (const v of [iv.evicted, iv.expired, iv.keyspaceHits, iv.keyspaceMisses, iv.commands, iv.opsPerSec]) expect(v).toBeGreaterThanOrEqual(0);
  });

  it('a restart detected by run id counts from zero even when a counter grew past its old value', () => {
    const a = redisSampleFromInfo(info({ expired_keys: '5' }), 'redis');
    const b = redisSampleFromInfo(info({ run_id: 'other', uptime_in_seconds: '2000', expired_keys: '8' }), 'redis');
    expect(redisInterval(0, a, 1_000, b).expired).toBe(8);
  });

  it('counterDelta never goes negative and ignores garbage', () => {
    expect(counterDelta(10, 15)).toBe(5);
    expect(counterDelta(10, 3)).toBe(3);
    expect(counterDelta(10, 15, true)).toBe(15);
    expect(counterDelta(Number.NaN, 3)).toBe(0);
  });

  it('missing INFO fields read as 0 (memory backend, older Redis)', () => {
    const s = redisSampleFromInfo({}, 'memory');
    expect(s.usedMemory).toBe(0);
    expect(s.runId).toBe('');
  });
});

const cat = (over: Partial<CategorySample> = {}): CategorySample => ({
  since: 0,
  hitsL1: 0,
  hitsL2: 0,
  misses: 0,
  staleServed: 0,
  sets: 0,
  invalidations: 0,
  errors: 0,
  fnCount: 0,
  fnSumMs: 0,
  p95Ms: 0,
  ...over,
});

describe('hit-rate math per category', () => {
  it('hitRate is hits/(hits+misses), null without traffic', () => {
    expect(hitRate(3, 1)).toBe(0.75);
    expect(hitRate(0, 0)).toBeNull();
    expect(hitRate(0, 5)).toBe(0);
  });

  it('stale answers and both layers count as hits; a process restart restarts the deltas', () => {
    const iv = categoryInterval(cat({ hitsL1: 5, hitsL2: 5, staleServed: 1, misses: 4 }), 1, cat({ hitsL1: 8, hitsL2: 6, staleServed: 2, misses: 5 }));
    expect(iv).toMatchObject({ hits: 5, misses: 1 });
    const restarted = categoryInterval(cat({ since: 1, hitsL1: 100, misses: 50 }), 1, cat({ since: 2, hitsL1: 3, misses: 1 }));
    expect(restarted).toMatchObject({ hits: 3, misses: 1 });
  });

  it('sums instances per bucket and per category over the range, leaving idle categories null', () => {
    const row = (t: number, instance: string, category: string, s: Partial<CategorySample>): MetricRow => ({ takenAt: new Date(t), instance, kind: 'category', category, data: cat(s) });
    const rows: MetricRow[] = [
      // Before the range: the predecessors of the first in-range samples.
      row(90_000, 'A', 'predictions', { hitsL2: 10, misses: 10 }),
      row(90_000, 'B', 'predictions', { hitsL1: 0, misses: 0 }),
      row(90_000, 'A', 'trending', {}),
      row(110_000, 'A', 'predictions', { hitsL2: 19, misses: 11 }),
      row(110_000, 'B', 'predictions', { hitsL1: 7, misses: 3 }),
      row(110_000, 'A', 'trending', {}),
      row(120_000, 'A', 'predictions', { hitsL2: 19, misses: 15 }),
    ];
    const s = buildSeries(rows, { from: 100_000, to: 130_000, stepMs: 10_000, categories: ['predictions', 'trending'] });
    // A: +9 hits +1 miss, then +0/+4; B: +7/+3 → 16 hits, 8 misses.
    expect(s.categories.predictions).toMatchObject({ hits: 16, misses: 8 });
    expect(s.categories.predictions!.hitRate).toBeCloseTo(16 / 24);
    expect(s.categories.trending!.hitRate).toBeNull();
    expect(s.totals.hitRate).toBeCloseTo(16 / 24);
    expect(s.hitRate).toHaveLength(2);
    expect(s.hitRate[0]!.overall).toBeCloseTo(16 / 20);
    expect(s.hitRate[1]!.overall).toBe(0);
    expect(s.counts.instances).toBe(2);
  });

  it('oversize values per category are summed over instances (samples without the counter count as 0)', () => {
    const row = (t: number, instance: string, s: Partial<CategorySample>): MetricRow => ({ takenAt: new Date(t), instance, kind: 'category', category: 'predictions', data: cat(s) });
    const rows: MetricRow[] = [
      row(90_000, 'A', {}),
      row(90_000, 'B', { oversize: 2 }),
      row(110_000, 'A', { oversize: 3 }),
      row(110_000, 'B', { oversize: 7 }),
    ];
    const s = buildSeries(rows, { from: 100_000, to: 120_000, stepMs: 10_000, categories: ['predictions', 'trending'] });
    expect(s.categories.predictions!.oversize).toBe(8);
    expect(s.categories.trending!.oversize).toBe(0);
    expect(s.totals.oversize).toBe(8);
  });

  it('counts a series from zero when its process started inside the range', () => {
    const rows: MetricRow[] = [{ takenAt: new Date(105_000), instance: 'C', kind: 'category', category: 'analytics', data: cat({ since: 101_000, hitsL1: 4, misses: 1 }) }];
    const s = buildSeries(rows, { from: 100_000, to: 110_000, stepMs: 10_000, categories: ['analytics'] });
    expect(s.categories.analytics).toMatchObject({ hits: 4, misses: 1, hitRate: 0.8 });
  });

  it('builds churn, ops and memory from Redis rows across a restart without negatives', () => {
    const redisRow = (t: number, over: Record<string, string>): MetricRow => ({ takenAt: new Date(t), instance: 'redis', kind: 'redis', category: null, data: redisSampleFromInfo(info(over), 'redis') });
    const rows = [
      redisRow(0, { evicted_keys: '10', total_commands_processed: '1000' }),
      redisRow(10_000, { uptime_in_seconds: '1010', evicted_keys: '12', total_commands_processed: '2000' }),
      redisRow(20_000, { run_id: 'z', uptime_in_seconds: '3', evicted_keys: '1', total_commands_processed: '500', maxmemory: '1073741824' }),
    ];
    const s = buildSeries(rows, { from: 0, to: 20_000, stepMs: 10_000, categories: [] });
    expect(s.churn.map((c) => c.evicted)).toEqual([2, 1]);
    expect(s.ops.map((o) => o.ops)).toEqual([100, 50]);
    expect(s.totals).toMatchObject({ evicted: 3, redisRestarted: true });
    expect(s.memory.at(-1)).toMatchObject({ max: 1073741824 });
    expect(s.memory[0]!.max).toBeNull();
  });
});

describe('INFO latencystats and key TTL buckets', () => {
  it('parses per-command percentiles, busiest first, with a call-weighted overall figure', () => {
    const rows = parseLatencyStats(
      '# Latencystats\r\nlatency_percentiles_usec_get:p50=1.003,p99=3.007,p99.9=9.023\r\nlatency_percentiles_usec_mget:p50=2,p99=10,p99.9=42\r\n',
      '# Commandstats\r\ncmdstat_get:calls=100,usec=300\r\ncmdstat_mget:calls=300,usec=900\r\n',
    );
    expect(rows.map((r) => r.command)).toEqual(['mget', 'get']);
    const o = overallLatency(rows)!;
    expect(o.p50).toBeCloseTo((1.003 * 100 + 2 * 300) / 400);
    expect(o.p99).toBeCloseTo((3.007 * 100 + 10 * 300) / 400);
    expect(parseLatencyStats('')).toEqual([]);
  });

  it('buckets PTTL replies', () => {
    expect(ttlBucket(-1)).toBe('none');
    expect(ttlBucket(-2)).toBeUndefined();
    expect(ttlBucket(59 * 60_000)).toBe('lt1h');
    expect(ttlBucket(2 * 3_600_000)).toBe('1to4h');
    expect(ttlBucket(5 * 3_600_000)).toBe('4to12h');
    expect(ttlBucket(13 * 3_600_000)).toBe('12to24h');
    expect(ttlBucket(25 * 3_600_000)).toBe('gt1d');
  });
});
