import 'server-only';
import { and, asc, desc, eq, gte, inArray, lt, lte, ne } from 'drizzle-orm';
import type { Db } from '@/lib/db/types';
import { cacheMetricRollups, cacheMetricSamples, type MetricKind } from '@/lib/db/schema';
import type { KeyspaceScan } from './keyspace';
import type { MetricRow } from './series';

export type NewSample = { takenAt: Date; instance: string; kind: MetricKind; category: string | null; data: unknown };

/** Rollup widths in seconds: 24 h reads 1-minute buckets, 7 d reads 10-minute ones. */
export const ROLLUP_RESOLUTIONS = [60, 600] as const;
export type Resolution = 0 | (typeof ROLLUP_RESOLUTIONS)[number];

export async function insertSamples(db: Db, rows: readonly NewSample[]): Promise<void> {
  if (rows.length === 0) return;
  await db.insert(cacheMetricSamples).values(rows.map((r) => ({ ...r, data: r.data as object })));
}

/** Category and Redis rows in [from, to], raw (resolution 0) or from a rollup table. */
export async function readRows(db: Db, from: Date, to: Date, resolution: Resolution): Promise<MetricRow[]> {
  if (resolution === 0) {
    return db
      .select({ takenAt: cacheMetricSamples.takenAt, instance: cacheMetricSamples.instance, kind: cacheMetricSamples.kind, category: cacheMetricSamples.category, data: cacheMetricSamples.data })
      .from(cacheMetricSamples)
      .where(and(gte(cacheMetricSamples.takenAt, from), lte(cacheMetricSamples.takenAt, to), inArray(cacheMetricSamples.kind, ['category', 'redis'])))
      .orderBy(asc(cacheMetricSamples.takenAt));
  }
  const rows = await db
    .select({ takenAt: cacheMetricRollups.takenAt, instance: cacheMetricRollups.instance, kind: cacheMetricRollups.kind, category: cacheMetricRollups.category, data: cacheMetricRollups.data })
    .from(cacheMetricRollups)
    .where(and(eq(cacheMetricRollups.resolution, resolution), gte(cacheMetricRollups.bucket, from), lte(cacheMetricRollups.bucket, to)))
    .orderBy(asc(cacheMetricRollups.takenAt));
  return rows.map((r) => ({ ...r, category: r.category === '' ? null : r.category }));
}

export async function latestKeyspace(db: Db): Promise<KeyspaceScan | null> {
  const [row] = await db
    .select({ data: cacheMetricSamples.data })
    .from(cacheMetricSamples)
    .where(eq(cacheMetricSamples.kind, 'keyspace'))
    .orderBy(desc(cacheMetricSamples.takenAt), desc(cacheMetricSamples.id))
    .limit(1);
  return (row?.data as KeyspaceScan | undefined) ?? null;
}

/**
 * Rolls the last few completed buckets of raw samples up into `resolution`-wide rows: the last sample of
 * each (bucket, instance, kind, category). Only completed buckets are rolled up and existing rows are kept,
 * so overlapping windows are harmless and a lease holder that changes mid-way loses nothing.
 */
export async function rollUp(db: Db, resolution: (typeof ROLLUP_RESOLUTIONS)[number], now: number): Promise<number> {
  const width = resolution * 1000;
  const end = Math.floor(now / width) * width;
  const start = end - 3 * width;
  const raw = await db
    .select()
    .from(cacheMetricSamples)
    .where(and(gte(cacheMetricSamples.takenAt, new Date(start)), lt(cacheMetricSamples.takenAt, new Date(end)), ne(cacheMetricSamples.kind, 'keyspace')))
    .orderBy(asc(cacheMetricSamples.takenAt));
  const last = new Map<string, (typeof raw)[number] & { bucket: number }>();
  for (const r of raw) {
    const bucket = Math.floor(r.takenAt.getTime() / width) * width;
    last.set(`${bucket}\u0000${r.instance}\u0000${r.kind}\u0000${r.category ?? ''}`, { ...r, bucket });
  }
  const values = [...last.values()].map((r) => ({
    resolution,
    bucket: new Date(r.bucket),
    takenAt: r.takenAt,
    instance: r.instance,
    kind: r.kind,
    category: r.category ?? '',
    data: r.data as object,
  }));
  for (let i = 0; i < values.length; i += 500) {
    await db
      .insert(cacheMetricRollups)
      .values(values.slice(i, i + 500))
      .onConflictDoNothing({ target: [cacheMetricRollups.resolution, cacheMetricRollups.bucket, cacheMetricRollups.instance, cacheMetricRollups.kind, cacheMetricRollups.category] });
  }
  return values.length;
}

/** Deletes samples and rollups older than the retention. */
export async function deleteOlderThan(db: Db, cutoff: Date): Promise<void> {
  await db.delete(cacheMetricSamples).where(lt(cacheMetricSamples.takenAt, cutoff));
  await db.delete(cacheMetricRollups).where(lt(cacheMetricRollups.bucket, cutoff));
}
