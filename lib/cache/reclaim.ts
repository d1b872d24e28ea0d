import { decodeHeader, headerTagsJson, versionsMatch } from './codec';
import { categoryOfKey } from './keys';
import type { CacheStore } from './types';

export interface PurgeProgress {
  scanned: number;
  deleted: number;
  batches: number;
}

export interface PurgeOptions {
  /** Keys per SCAN/UNLINK batch (bounded work per round trip). Default 500. */
  batchSize?: number;
  signal?: AbortSignal;
  onProgress?: (progress: PurgeProgress) => void;
  /** The store to walk instead of the cache's own (admin jobs pass one with a longer command timeout). */
  store?: CacheStore;
}

export interface PurgeReport extends PurgeProgress {
  aborted: boolean;
  ms: number;
}

async function walk(
  store: CacheStore,
  pattern: string,
  options: PurgeOptions,
  pick: (keys: string[]) => Promise<string[]>,
): Promise<PurgeReport> {
  const started = performance.now();
  store = options.store ?? store;
  const progress: PurgeProgress = { scanned: 0, deleted: 0, batches: 0 };
  let aborted = false;
  try {
    for await (const keys of store.scan(pattern, { count: options.batchSize ?? 500, signal: options.signal })) {
      if (options.signal?.aborted) {
        aborted = true;
        break;
      }
      progress.scanned += keys.length;
      progress.batches++;
      const dead = await pick(keys);
      if (dead.length > 0) progress.deleted += await store.unlink(dead);
      options.onProgress?.({ ...progress });
    }
  } catch (error) {
    if (!options.signal?.aborted) throw error;
    aborted = true;
  }
  return { ...progress, aborted, ms: Math.round(performance.now() - started) };
}

/** SCAN + UNLINK every key matching a pattern, batch by batch, on every master (never KEYS). */
export function purgeKeys(store: CacheStore, pattern: string, options: PurgeOptions = {}): Promise<PurgeReport> {
  return walk(store, pattern, options, async (keys) => keys);
}

/**
 * Unlinks entries already dead: past their grace, or stamped with a tag/category version that has
 * since changed. Live entries and bookkeeping keys are left alone.
 */
export function reclaimDead(
  store: CacheStore,
  prefix: string,
  pattern: string,
  tagKeyOf: (tag: string) => string,
  categoryKeyOf: (category: string) => string,
  now: () => number,
  options: PurgeOptions = {},
): Promise<PurgeReport> {
  return walk(store, pattern, options, async (batch) => {
    const keys = batch.filter((k) => categoryOfKey(prefix, k) !== undefined);
    if (keys.length === 0) return [];
    const values = await store.mgetBuffer(keys);
    const parsed = keys.map((key, i) => {
      const raw = values[i];
      const header = raw ? decodeHeader(raw) : undefined;
      if (!header) return { key, raw: raw!, header, versionKeys: [] as string[] };
      const tags = JSON.parse(headerTagsJson(raw!, header)) as string[];
      return { key, raw: raw!, header, versionKeys: [categoryKeyOf(categoryOfKey(prefix, key)!), ...tags.map(tagKeyOf)] };
    });
    const versionKeys = [...new Set(parsed.flatMap((p) => p.versionKeys))];
    const current = new Map<string, string | null>();
    const versionValues = await store.mget(versionKeys);
    versionKeys.forEach((k, i) => current.set(k, versionValues[i] ?? null));
    const t = now();
    return parsed
      .filter((p) => p.header !== undefined)
      .filter((p) => t >= p.header!.graceUntil || !versionsMatch(p.raw, p.header!, p.versionKeys.map((k) => current.get(k) ?? null)))
      .map((p) => p.key);
  });
}
