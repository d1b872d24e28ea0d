import 'server-only';
import { sql } from 'drizzle-orm';
import { getDbHandle } from './client';
import type { DbKind } from './types';

export type DbHealth = { ok: boolean; kind: DbKind | 'unknown'; latencyMs: number; error?: string };

/** Round-trips `select 1` so /api/health can report reachability and latency. */
export async function dbHealth(timeoutMs = 2000): Promise<DbHealth> {
  const started = performance.now();
  let kind: DbHealth['kind'] = 'unknown';
  try {
    const probe = (async () => {
      const handle = await getDbHandle();
      kind = handle.kind;
      await handle.db.execute(sql`select 1`);
    })();
    // If the timeout wins, a late failure of the probe must not surface as an unhandled rejection.
    probe.catch(() => {});
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([probe, timeout]);
    } finally {
      clearTimeout(timer);
    }
    return { ok: true, kind, latencyMs: round(performance.now() - started) };
  } catch (err) {
    return { ok: false, kind, latencyMs: round(performance.now() - started), error: err instanceof Error ? err.message : String(err) };
  }
}

const round = (ms: number) => Math.round(ms * 10) / 10;
