import 'server-only';
import { getCache } from '@/lib/cache';
import { dbHealth } from '@/lib/db/health';

/** Database and cache health, probed in parallel (each bounded by its own timeout). */
export async function systemHealth() {
  const [database, cache] = await Promise.all([dbHealth(), getCache().health()]);
  return { database, cache };
}
