import 'server-only';
import { deflateRawSync, gzipSync, inflateRawSync } from 'node:zlib';
import { cachedWithContext, CachedRaw, ownBytes, type CachedFunction, type CategoryName, type FactoryTimings } from '@/lib/cache';
import { databaseAdmission } from '@/lib/db/admission';
import { getDb } from '@/lib/db/client';
import type { Db } from '@/lib/db/types';
import { strongEtag } from '@/lib/etag';
import { JSON_DICTIONARY, JSON_DICTIONARY_ID } from './json-dictionary';

export type Resource<A extends unknown[]> = CachedFunction<A, CachedRaw>;

export type Wait = Pick<FactoryTimings, 'timeout' | 'hardTimeout'>;
export type Lifetime = { ttl: number; staleWhileRevalidate: number };

// zlib's sync API allocates and clears its match tables on every call, sized by memLevel (8 by default: 64 KB of
// hash heads to clear, 64 KB of pending buffer) and windowBits (32 KB of window, twice): in a server between other
// work, cold memory that costs more than answers of a few KB do (`npm run bench:miss` with BENCH_MISS_PROFILE shows
// zlib's share). A smaller hash, and for gzip a window just large enough for the input, give the same bytes on
// answers this size (`npm run bench:memory` compares them).
const SMALL_MEM_LEVEL = 5;
const fittedWindowBits = (bytes: number) => Math.min(15, Math.max(9, Math.ceil(Math.log2(bytes + 262))));

/**
 * A cached API answer is stored as raw DEFLATE of its JSON against a preset dictionary of typical answers
 * (lib/cached-reads/json-dictionary.ts, built by `npm run build:json-dictionary`): most of an answer is keys
 * and vocabulary the dictionary already holds, so it stores in about a third of what gzip alone needs
 * (`npm run bench:memory`). No client can decode that, so what is sent (the gzip copy, the JSON) and the ETag are
 * derived once per entry object, the one L1 keeps and every hit reuses.
 *
 * The dictionary's id is part of every key (keyParts): entries packed against another dictionary are never read.
 * The window stays at 32 KB: the dictionary fills it.
 */
export const pack = (json: Buffer): Buffer => deflateRawSync(json, { dictionary: JSON_DICTIONARY, level: 6, memLevel: SMALL_MEM_LEVEL });
/** The gzip copy sent to clients that accept it. */
export const gzipCopy = (json: Buffer): Buffer => gzipSync(json, { level: 6, memLevel: SMALL_MEM_LEVEL, windowBits: fittedWindowBits(json.length) });
export const unpack = (packed: Uint8Array): Buffer => inflateRawSync(packed, { dictionary: JSON_DICTIONARY });

// The same frozen entry comes back from L1 on every hit: derive what is sent once per entry object.
const jsonMemo = new WeakMap<CachedRaw, Buffer>();
const sentMemo = new WeakMap<CachedRaw, { etag: string; gzip: Buffer | null }>();
const headMemo = new WeakMap<CachedRaw, string>();
// The database time of an answer computed in this process (Server-Timing on its MISS); not stored: no hit needs it.
const dbMsMemo = new WeakMap<CachedRaw, number>();
const HEAD_BYTES = 256;

/**
 * What a computation gets: the database, and `addTags` for tags only the computation can name (a prediction
 * learns its diagnosis's condition from its first statement). Their versions are read when they are added, so
 * add them before reading what they cover: an invalidation after that makes the entry stale.
 */
export type Source = { db: Db; addTags: (tags: readonly string[]) => Promise<void> };

export function jsonResource<A extends unknown[]>(
  name: string,
  waits: Wait,
  category: CategoryName,
  tags: (...args: A) => readonly string[],
  compute: (source: Source, ...args: A) => Promise<unknown>,
  lifetime?: Lifetime,
): Resource<A> {
  return cachedWithContext(
    async (ctx, ...args: A) => {
      const source: Source = { db: await getDb(), addTags: (t) => ctx.setTags(t) };
      const started = performance.now();
      const json = JSON.stringify(await databaseAdmission().run(() => compute(source, ...args)));
      return storedAnswer(json, performance.now() - started);
    },
    ['api', name, JSON_DICTIONARY_ID],
    { category, tags, ...waits, lockTimeout: waits.hardTimeout, ...lifetime },
  );
}

/** The entry for a JSON text: its packed bytes, or the JSON itself when packing does not make it smaller. */
export function storedAnswer(json: string, dbMs: number): CachedRaw {
  const bytes = Buffer.from(json);
  const packed = pack(bytes);
  const entry = new CachedRaw(packed.length < bytes.length ? packed : json);
  dbMsMemo.set(entry, dbMs);
  // The cache keeps this very object in L1 and answers the miss with it: derive what is sent from the JSON at hand.
  sentMemo.set(entry, formsOf(bytes));
  headMemo.set(entry, headOf(bytes));
  return entry;
}

/** The database time of an answer this process computed (undefined for one read from the cache). */
export const computedDbMs = (raw: CachedRaw): number | undefined => dbMsMemo.get(raw);

const isPacked = (raw: CachedRaw): raw is CachedRaw & { body: Uint8Array } => typeof raw.body !== 'string';

const unpacked = (raw: CachedRaw) => (isPacked(raw) ? unpack(raw.body) : Buffer.from(raw.body));

/** The JSON as bytes (identity answers, pages). */
export function jsonBytes(raw: CachedRaw): Buffer {
  let bytes = jsonMemo.get(raw);
  if (!bytes) jsonMemo.set(raw, (bytes = ownBytes(unpacked(raw))));
  return bytes;
}

/**
 * The strong ETag of the JSON (the same for both representations, and the one the write door checks If-Match
 * against) and its gzip for clients that accept it, null when gzip would not make it smaller. Kept without the
 * JSON, which only identity clients need.
 */
export function sentForms(raw: CachedRaw): { etag: string; gzip: Buffer | null } {
  let forms = sentMemo.get(raw);
  if (!forms) sentMemo.set(raw, (forms = formsOf(jsonMemo.get(raw) ?? unpacked(raw))));
  return forms;
}

function formsOf(json: Buffer): { etag: string; gzip: Buffer | null } {
  // Kept as long as the entry is: in bytes of its own, not a view of zlib's 16 KB output chunk.
  const gzip = gzipCopy(json);
  return { etag: strongEtag(json), gzip: gzip.length < json.length ? ownBytes(gzip) : null };
}

/** The JSON text of an entry (pages parse it). */
export const jsonText = (raw: CachedRaw): string => (isPacked(raw) ? jsonBytes(raw).toString('utf8') : (raw.body as string));

/**
 * The start of the JSON (its first 256 bytes, decoded), memoised without keeping the whole JSON: what a per-hit
 * look at the start of the body (the patient-access audit) needs, with no decompression per hit.
 */
export function jsonHead(raw: CachedRaw): string {
  if (!isPacked(raw)) return (raw.body as string).slice(0, HEAD_BYTES);
  let head = headMemo.get(raw);
  if (head === undefined) headMemo.set(raw, (head = headOf(jsonMemo.get(raw) ?? unpacked(raw))));
  return head;
}

// Decoded from the bytes alone, not sliced from a longer decoded string: a slice would keep that string alive.
const headOf = (json: Buffer) => json.toString('utf8', 0, HEAD_BYTES);
