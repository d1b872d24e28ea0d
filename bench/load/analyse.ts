// Reads the generator's records (bench/load/open-loop.ts) into the figures the report shows.
import { CACHE_CODE, RECORD, WRITE_ROUTE } from './open-loop-format';

export type Rec = { at: number; ms: number; status: number; cache: number; route: number; dbMs: number; bytesOk: boolean; item: number; byNext: boolean };

export function decode(buf: Buffer): Rec[] {
  const f = new Float64Array(buf.buffer, buf.byteOffset, buf.byteLength / 8);
  const out: Rec[] = [];
  for (let i = 0; i + RECORD <= f.length; i += RECORD) {
    out.push({ at: f[i]!, ms: f[i + 1]!, status: f[i + 2]!, cache: f[i + 3]!, route: f[i + 4]!, dbMs: f[i + 5]!, bytesOk: f[i + 6] === 1, item: f[i + 7]!, byNext: f[i + 8] === 1 });
  }
  return out;
}

export const ok = (r: Rec) => r.status >= 200 && r.status < 300 && r.bytesOk;
/**
 * Under overload the misses are the requests that time out, so counting only answered requests would make an
 * overloaded cache look hot: a request without a 2xx answer is counted as not a hit.
 */
export const isHit = (r: Rec) => ok(r) && (r.cache === CACHE_CODE.HIT || r.cache === CACHE_CODE.STALE);
export const isRead = (r: Rec) => r.route !== WRITE_ROUTE;

/** Nearest-rank percentile of latencies (ms). */
export function pct(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function median(values: number[]): number {
  return pct(values, 50);
}

export function summary(recs: Rec[]) {
  const ms = recs.map((r) => r.ms);
  const reads = recs.filter(isRead);
  const statuses = new Map<number, number>();
  for (const r of recs) statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
  return {
    requests: recs.length,
    /** e.g. "200 ×9,700, 201 ×200, 0 ×100" (0: timed out or connection error). */
    statuses: [...statuses].sort((a, b) => b[1] - a[1]).map(([s, n]) => `${s} ×${n.toLocaleString('en')}`).join(', '),
    writesOk: recs.filter((r) => !isRead(r) && ok(r)).length,
    okPct: (100 * recs.filter(ok).length) / Math.max(1, recs.length),
    p50: pct(ms, 50),
    p99: pct(ms, 99),
    p999: pct(ms, 99.9),
    max: ms.reduce((a, b) => Math.max(a, b), 0),
    writes: recs.length - reads.length,
    /** p99 of the answered reads by what answered them, and of the writes: where the tail comes from. */
    p99Hit: pct(reads.filter(isHit).map((r) => r.ms), 99),
    p99Miss: pct(reads.filter((r) => ok(r) && r.cache === CACHE_CODE.MISS).map((r) => r.ms), 99),
    p99Write: pct(recs.filter((r) => !isRead(r)).map((r) => r.ms), 99),
    /** Answered reads that the fast path left to Next's route handler (a slow miss, an error, …). */
    readsByNext: reads.filter((r) => ok(r) && r.byNext).length,
    /** Share of cached GETs answered 2xx with X-Cache HIT or STALE; no answer counts as not a hit. */
    xcacheHitPct: (100 * reads.filter(isHit).length) / Math.max(1, reads.length),
  };
}

/**
 * Hit share (X-Cache, isHit) of the 1 s window starting at each step after `from`, by scheduled time, for the
 * requests `keep` selects. Returns the first window start (s after `from`) whose share is ≥ `target`.
 */
export function timeBackTo(recs: Rec[], keep: (r: Rec) => boolean, from: number, target: number, stepMs = 100): number | null {
  const rs = recs.filter((r) => keep(r) && r.at >= from).sort((a, b) => a.at - b.at);
  if (rs.length === 0) return null;
  const last = rs[rs.length - 1]!.at;
  let lo = 0;
  let hi = 0;
  let hits = 0;
  for (let start = from; start + 1000 <= last; start += stepMs) {
    while (hi < rs.length && rs[hi]!.at < start + 1000) hits += isHit(rs[hi++]!) ? 1 : 0;
    while (lo < hi && rs[lo]!.at < start) hits -= isHit(rs[lo++]!) ? 1 : 0;
    const n = hi - lo;
    if (n > 0 && hits / n >= target) return (start - from) / 1000;
  }
  return null;
}

/** Hit share over [from, to) by scheduled time. */
export function hitShare(recs: Rec[], keep: (r: Rec) => boolean, from: number, to: number): number {
  const rs = recs.filter((r) => keep(r) && r.at >= from && r.at < to);
  return rs.length === 0 ? NaN : rs.filter(isHit).length / rs.length;
}

/**
 * Reads whose key (route, id) no earlier request of this server's life asked for: any cache misses them. `seen`
 * carries the keys over from earlier phases (warm-up first). Writes' invalidations are not counted, so the
 * ceiling 1 − first/reads is an upper bound on the hit rate any cache could reach on this sequence.
 */
export function firstRequests(recs: Rec[], seen: Set<number>): number {
  let first = 0;
  for (const r of recs) {
    if (!isRead(r) || r.item < 0) continue;
    const key = r.route * 1e7 + r.item;
    if (seen.has(key)) continue;
    seen.add(key);
    first++;
  }
  return first;
}

/**
 * Whether a request was in flight (scheduled send to answer) during one of `stalls`, [epoch ms due, ms late] from
 * bench/load/stall-probe.mjs: time its server's core ran nothing of ours. At a rate the server keeps up with, a
 * lower bound of what the host did to the tail: a request sent just after a stall, waiting behind the backlog it
 * left, is not counted.
 */
export function inFlightDuring(stalls: [number, number][]): (r: Rec) => boolean {
  const sorted = [...stalls].sort((a, b) => a[0] - b[0]);
  // The latest end of the stalls that began at or before each one: one binary search answers each request.
  const ends: number[] = [];
  for (const [at, late] of sorted) ends.push(Math.max(at + late, ends.at(-1) ?? -Infinity));
  return (r) => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid]![0] <= r.at + r.ms) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 && ends[lo - 1]! >= r.at;
  };
}
