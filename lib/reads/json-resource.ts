import 'server-only';
import { gzipSync } from 'node:zlib';
import { cached, CachedRaw, type CachedFunction, type CategoryName, type FactoryTimings } from '@/lib/cache';
import { databaseAdmission } from '@/lib/db/admission';
import { getDb } from '@/lib/db/client';
import type { Db } from '@/lib/db/types';
import { strongEtag } from '@/lib/http/http-cache';

const GZIP_MIN_BYTES = 1024;

export type Resource<A extends unknown[]> = CachedFunction<A, CachedRaw>;

export type Wait = Pick<FactoryTimings, 'timeout' | 'hardTimeout'>;

/**
 * A cached answer stored as the JSON body the API sends, with its strong ETag computed once at store time:
 * an API hit (route handler or fast path) sends the stored bytes as they are, and pages parse them.
 */
export function jsonResource<A extends unknown[]>(
  name: string,
  waits: Wait,
  category: CategoryName,
  tags: (...args: A) => readonly string[],
  compute: (db: Db, ...args: A) => Promise<unknown>,
): Resource<A> {
  return cached(
    async (...args: A) => {
      const db = await getDb();
      const started = performance.now();
      const body = JSON.stringify(await databaseAdmission().run(() => compute(db, ...args)));
      const dbMs = (performance.now() - started).toFixed(1);
      // A gzip copy, made once per entry, for bodies Next would otherwise compress on every answer (≥ 1 KiB).
      const meta: Record<string, string> = { etag: strongEtag(body), db: dbMs };
      if (body.length >= GZIP_MIN_BYTES) meta.gz = gzipSync(body).toString('base64');
      return new CachedRaw(body, meta);
    },
    ['api', name],
    { category, tags, ...waits, lockTimeout: waits.hardTimeout },
  );
}
