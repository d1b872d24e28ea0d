import 'server-only';
import { brotliCompressSync, brotliDecompressSync, constants, gunzipSync, gzipSync } from 'node:zlib';
import { cached, CachedRaw, fromBase128, toBase128, type CachedFunction, type CategoryName, type FactoryTimings } from '@/lib/cache';
import { databaseAdmission } from '@/lib/db/admission';
import { getDb } from '@/lib/db/client';
import type { Db } from '@/lib/db/types';
import { strongEtag } from '@/lib/etag';

export type Resource<A extends unknown[]> = CachedFunction<A, CachedRaw>;

export type Wait = Pick<FactoryTimings, 'timeout' | 'hardTimeout'>;
export type Lifetime = { ttl: number; staleWhileRevalidate: number };

/** A Content-Encoding an entry may be stored in (meta `ce`); absent: the body is the JSON text itself. */
export type StoredEncoding = 'gzip' | 'br';

/**
 * How entries are compressed: chosen by `npm run bench:memory` on real entries (bench/RESULTS.md, memory
 * section): the most bytes saved per µs of compression + decompression.
 */
export const STORED_ENCODING: StoredEncoding = 'gzip';
export const CODECS: Record<StoredEncoding, { compress(json: Buffer): Buffer; decompress(stored: Uint8Array): Buffer }> = {
  gzip: { compress: (b) => gzipSync(b, { level: 6 }), decompress: (b) => gunzipSync(b) },
  br: {
    compress: (b) => brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_SIZE_HINT]: b.length } }),
    decompress: (b) => brotliDecompressSync(b),
  },
};

/**
 * A cached answer stored as the API sends it, with its strong ETag (of the JSON) computed once at store time.
 * The body is stored compressed only (base128 text, see lib/cache/base128.ts) when that is smaller than the JSON: an
 * API hit sends those bytes as they are to clients that accept the encoding; the JSON is rebuilt (once per
 * entry object, see jsonBytes) for the others and for pages.
 */
export function jsonResource<A extends unknown[]>(
  name: string,
  waits: Wait,
  category: CategoryName,
  tags: (...args: A) => readonly string[],
  compute: (db: Db, ...args: A) => Promise<unknown>,
  lifetime?: Lifetime,
): Resource<A> {
  return cached(
    async (...args: A) => {
      const db = await getDb();
      const started = performance.now();
      const json = JSON.stringify(await databaseAdmission().run(() => compute(db, ...args)));
      const dbMs = (performance.now() - started).toFixed(1);
      return storedAnswer(json, dbMs);
    },
    ['api', name],
    { category, tags, ...waits, lockTimeout: waits.hardTimeout, ...lifetime },
  );
}

/** The entry for a JSON text: compressed when that stores fewer bytes (tiny bodies do not shrink). */
export function storedAnswer(json: string, dbMs: string, encoding: StoredEncoding = STORED_ENCODING): CachedRaw {
  const meta = { etag: strongEtag(json), db: dbMs };
  const bytes = Buffer.from(json);
  const packed = toBase128(CODECS[encoding].compress(bytes));
  if (packed.length >= bytes.length) return new CachedRaw(json, meta);
  return new CachedRaw(packed, { ...meta, ce: encoding });
}

/** The encoding the entry's bytes are stored in, or undefined when they are the JSON itself. */
export const storedEncoding = (raw: CachedRaw): StoredEncoding | undefined => raw.meta.ce as StoredEncoding | undefined;

// The same frozen entry comes back from L1 on every hit: decode its bytes once per entry object.
const encodedMemo = new WeakMap<CachedRaw, Buffer>();
const jsonMemo = new WeakMap<CachedRaw, Buffer>();

/** The stored compressed bytes, as sent to a client that accepts storedEncoding(raw). */
export function encodedBytes(raw: CachedRaw): Buffer {
  let bytes = encodedMemo.get(raw);
  if (!bytes) encodedMemo.set(raw, (bytes = storedEncoding(raw) ? fromBase128(raw.body) : Buffer.from(raw.body)));
  return bytes;
}

/** The JSON as bytes (identity answers); decompressed once per entry object. */
export function jsonBytes(raw: CachedRaw): Buffer {
  let bytes = jsonMemo.get(raw);
  if (!bytes) {
    const ce = storedEncoding(raw);
    jsonMemo.set(raw, (bytes = ce ? CODECS[ce].decompress(encodedBytes(raw)) : encodedBytes(raw)));
  }
  return bytes;
}

/** The JSON text of an entry (pages parse it). */
export const jsonText = (raw: CachedRaw): string => (storedEncoding(raw) ? jsonBytes(raw).toString('utf8') : raw.body);

const HEAD_CHARS = 256;
const headMemo = new WeakMap<CachedRaw, string>();

/**
 * The first 256 characters of the JSON, memoised without keeping the whole JSON: what a per-hit look at
 * the start of the body (the patient-access audit) needs, with no decompression per hit.
 */
export function jsonHead(raw: CachedRaw): string {
  if (!storedEncoding(raw)) return raw.body.slice(0, HEAD_CHARS);
  let head = headMemo.get(raw);
  if (head === undefined) {
    const json = jsonMemo.get(raw) ?? CODECS[storedEncoding(raw)!].decompress(encodedBytes(raw));
    headMemo.set(raw, (head = json.subarray(0, HEAD_CHARS * 4).toString('utf8').slice(0, HEAD_CHARS)));
  }
  return head;
}
