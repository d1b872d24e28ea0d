import type { RedisSample } from './metrics-math';

const num = (v: string | undefined): number => {
  const n = Number(v);
  return v === undefined || v === '' || !Number.isFinite(n) ? 0 : n;
};

/** The INFO fields the dashboard keeps (DESIGN §3, the seed's "Monitoring"), as numbers. */
export function redisSampleFromInfo(info: Record<string, string>, backend: RedisSample['backend']): RedisSample {
  return {
    backend,
    runId: info.run_id ?? '',
    uptime: num(info.uptime_in_seconds),
    usedMemory: num(info.used_memory),
    usedMemoryPeak: num(info.used_memory_peak),
    maxmemory: num(info.maxmemory),
    totalSystemMemory: num(info.total_system_memory),
    fragmentationRatio: num(info.mem_fragmentation_ratio),
    evictedKeys: num(info.evicted_keys),
    expiredKeys: num(info.expired_keys),
    keyspaceHits: num(info.keyspace_hits),
    keyspaceMisses: num(info.keyspace_misses),
    opsPerSec: num(info.instantaneous_ops_per_sec),
    connectedClients: num(info.connected_clients),
    totalCommands: num(info.total_commands_processed),
  };
}

export interface CommandLatency {
  command: string;
  /** Microseconds. */
  p50: number;
  p99: number;
  calls: number;
}

/**
 * `INFO latencystats` (Redis ≥ 7) lines like `latency_percentiles_usec_get:p50=1.003,p99=3.007,p99.9=9.023`,
 * joined with call counts from `INFO commandstats` (`cmdstat_get:calls=12,...`) so the busiest commands
 * come first. Empty when the server does not report latency (older Redis, memory backend).
 */
export function parseLatencyStats(latencyText: string, commandStatsText = ''): CommandLatency[] {
  const calls = new Map<string, number>();
  for (const line of commandStatsText.split(/\r?\n/)) {
    const m = /^cmdstat_([^:]+):calls=(\d+)/.exec(line);
    if (m) calls.set(m[1]!, Number(m[2]));
  }
  const out: CommandLatency[] = [];
  for (const line of latencyText.split(/\r?\n/)) {
    const m = /^latency_percentiles_usec_([^:]+):(.*)$/.exec(line.trim());
    if (!m) continue;
    const fields = Object.fromEntries(m[2]!.split(',').map((kv) => kv.split('=') as [string, string]));
    const p50 = Number(fields.p50);
    const p99 = Number(fields.p99);
    if (!Number.isFinite(p50) || !Number.isFinite(p99)) continue;
    out.push({ command: m[1]!, p50, p99, calls: calls.get(m[1]!) ?? 0 });
  }
  return out.sort((a, b) => b.calls - a.calls || a.command.localeCompare(b.command));
}

/**
 * One p50/p99 for the whole server: percentiles do not add up, so this is the call-weighted mean of the
 * per-command percentiles (an approximation, labelled as such on the page).
 */
export function overallLatency(rows: readonly CommandLatency[]): { p50: number; p99: number } | null {
  const weighted = rows.filter((r) => r.calls > 0);
  const total = weighted.reduce((a, r) => a + r.calls, 0);
  if (total === 0) return null;
  return {
    p50: weighted.reduce((a, r) => a + r.p50 * r.calls, 0) / total,
    p99: weighted.reduce((a, r) => a + r.p99 * r.calls, 0) / total,
  };
}
