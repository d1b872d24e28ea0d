import { appendFileSync } from 'node:fs';
import os from 'node:os';
import type postgres from 'postgres';
import type { LoadResult } from '../load/protocol';
import type { AppInstance } from './app-instance';

/** `kind:rec:instance[:token]` as built by requests.ts. */
export function parseTag(r: LoadResult): { kind: string; rec: number; instance: string; token: string } {
  const [kind = '', rec = '', instance = '', ...token] = (r.tag ?? '').split(':');
  return { kind, rec: Number(rec), instance, token: token.join(':') };
}

export const isWrite = (r: LoadResult) => parseTag(r).kind === 'write';
export const is2xx = (r: LoadResult) => r.status !== undefined && r.status >= 200 && r.status < 300;
/** Latency counted from when the request was due (open loop), in ms. */
export const latency = (r: LoadResult) => r.end - r.scheduled;
export const scheduledIn = (from: number, to: number) => (r: LoadResult) => r.scheduled >= from && r.scheduled < to;

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export const p99 = (rs: LoadResult[]) => Math.round(percentile(rs.map(latency), 99));

/** Share of answered reads served from a cache (X-Cache HIT or STALE). */
export function hitRate(reads: LoadResult[]): number {
  const answered = reads.filter(is2xx);
  return answered.length === 0 ? 0 : answered.filter((r) => /^(HIT|STALE)$/.test(r.headers['x-cache'] ?? '')).length / answered.length;
}

/** Feedback rows per recommendation before the load (what a read must count at least). */
export async function feedbackCounts(sql: postgres.Sql): Promise<Map<number, number>> {
  const rows = await sql<{ rec: number; n: number }[]>`select recommendation_id as rec, count(*)::int as n from feedback group by 1`;
  return new Map(rows.map((r) => [r.rec, r.n]));
}

/**
 * Stale reads: a read whose count is below what the writes acknowledged before it was sent imply
 * (baseline + acknowledged writes on that recommendation that had answered before the read was sent).
 * `committed` instead counts every write that reached the database (for faults between commit and answer).
 */
export function staleReads(results: LoadResult[], baseline: Map<number, number>, committed?: Map<number, number[]>): LoadResult[] {
  const acks = committed ?? new Map<number, number[]>();
  if (!committed) {
    for (const w of results.filter((r) => isWrite(r) && is2xx(r))) {
      const { rec } = parseTag(w);
      acks.set(rec, [...(acks.get(rec) ?? []), w.end]);
    }
  }
  return results.filter((r) => {
    const count = r.fields?.count;
    if (typeof count !== 'number' || !is2xx(r)) return false;
    const { rec } = parseTag(r);
    const expected = (baseline.get(rec) ?? 0) + (acks.get(rec) ?? []).filter((t) => t < r.sent).length;
    return count < expected;
  });
}

export type WriteLedger = {
  writes: number;
  acked: number;
  /** No attempt answered 2xx: 5xx, 4xx or no answer at all. */
  failed: number;
  /** Acknowledged, yet not in the database. */
  lostAcked: number;
  /** More than one row for one write (retries included). */
  duplicated: number;
  /** Answered 5xx (never 2xx) and still written: the status code lied. */
  writtenAfter5xx: number;
  /** No answer at all (connection error, timeout), and written. */
  writtenUnanswered: number;
  rows: Map<string, number>;
};

/** Every write (all attempts with one token are one write) against the rows its token left in PostgreSQL. */
export async function writeLedger(sql: postgres.Sql, results: LoadResult[]): Promise<WriteLedger> {
  const attempts = new Map<string, LoadResult[]>();
  for (const r of results.filter(isWrite)) {
    const { token } = parseTag(r);
    attempts.set(token, [...(attempts.get(token) ?? []), r]);
  }
  const found = await sql<{ comment: string; n: number }[]>`select comment, count(*)::int as n from feedback where comment like 'chaos:%' group by comment`;
  const rows = new Map(found.map((r) => [r.comment, r.n]));
  const ledger: WriteLedger = { writes: attempts.size, acked: 0, failed: 0, lostAcked: 0, duplicated: 0, writtenAfter5xx: 0, writtenUnanswered: 0, rows };
  for (const [token, tries] of attempts) {
    const n = rows.get(token) ?? 0;
    const acked = tries.some(is2xx);
    if (acked) ledger.acked++;
    else ledger.failed++;
    if (acked && n === 0) ledger.lostAcked++;
    if (n > 1) ledger.duplicated++;
    if (!acked && n > 0 && tries.some((t) => (t.status ?? 0) >= 500)) ledger.writtenAfter5xx++;
    if (!acked && n > 0 && tries.every((t) => t.status === undefined)) ledger.writtenUnanswered++;
  }
  return ledger;
}

/** Writes that broke "exactly once": acknowledged and lost, duplicated, or stored after a 5xx or no answer. */
export const notExactlyOnce = (l: WriteLedger) => l.lostAcked + l.duplicated + l.writtenAfter5xx + l.writtenUnanswered;

/** The promise every write keeps whatever the fault: nothing acknowledged lost, no duplicate, a 5xx wrote nothing. */
export const ledgerFigures = (l: WriteLedger) => ({
  writes: l.writes,
  writes_acked: l.acked,
  writes_failed: l.failed,
  acked_lost: l.lostAcked,
  duplicated: l.duplicated,
  written_after_5xx: l.writtenAfter5xx,
  written_unanswered: l.writtenUnanswered,
});

const statusOf = (r: LoadResult) => (r.status !== undefined ? String(r.status) : (r.error ?? 'none'));

/** `200×950 503×12 ECONNREFUSED×3`: what clients got, for the figure line. */
export function statusMix(rs: LoadResult[]): string {
  const counts = new Map<string, number>();
  for (const r of rs) counts.set(statusOf(r), (counts.get(statusOf(r)) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]).map(([s, n]) => `${s}×${n}`).join(',') || '-';
}

/** Prints the scenario's one line of figures (and appends it as JSON to $CHAOS_FIGURES when set, for the docs). */
export function printFigures(scenario: string, scenarioFigures: Record<string, string | number>): void {
  // The machine's 1-minute load average: latency figures mean little when other work starves the 2 cores.
  const figures = { ...scenarioFigures, load1: Math.round(os.loadavg()[0]! * 10) / 10 };
  const fmt = (v: string | number) => (typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(2) : String(v));
  console.log(`chaos ${scenario}: ${Object.entries(figures).map(([k, v]) => `${k}=${fmt(v)}`).join(' ')}`);
  if (process.env.CHAOS_FIGURES) appendFileSync(process.env.CHAOS_FIGURES, JSON.stringify({ scenario, ...figures }) + '\n');
}

/** One line per request that did not get a 2xx: what it got, when (relative to the fault's moments), on which socket. */
export function printFailed(rs: LoadResult[], moments: Record<string, number>, apps: AppInstance[] = []): void {
  for (const r of rs.filter((x) => !is2xx(x)).slice(0, 20)) {
    const when = Object.entries(moments).map(([name, t]) => `${name}${r.scheduled >= t ? '+' : ''}${Math.round(r.scheduled - t)}ms`).join(' ');
    console.log(`  failed ${r.method} ${r.tag} → ${statusOf(r)} after ${Math.round(r.end - r.sent)} ms, ${when}, reused socket: ${r.reused ?? '?'}, x-cache: ${r.headers['x-cache'] ?? '-'}, code: ${String(r.fields?.code ?? '-')}`);
    const app = apps.find((a) => a.name === parseTag(r).instance);
    for (const line of app?.warningsNear(r.sent) ?? []) console.log(`    ${app!.name} log: ${line.slice(0, 400)}`);
  }
}

export const sleepUntil = (epochMs: number) => new Promise((r) => setTimeout(r, Math.max(0, epochMs - Date.now())));
