import 'server-only';
import { getCache } from '@/lib/cache';
import { getDb } from '@/lib/db/client';
import { dbHealth } from '@/lib/db/health';
import { getCounts, type Counts } from '@/lib/domain';

/** Database and cache health, probed in parallel (each bounded by its own timeout). */
export async function systemHealth() {
  const [database, cache] = await Promise.all([dbHealth(), getCache().health()]);
  return { database, cache };
}

/** What the public status page shows: each probe fails on its own (null), so an outage still renders. */
export async function statusOverview() {
  const [database, cache, counts] = await Promise.all([
    dbHealth(),
    getCache()
      .health()
      .catch(() => null),
    getDb()
      .then(getCounts)
      .catch((): Counts | null => null),
  ]);
  return { database, cache, counts };
}
