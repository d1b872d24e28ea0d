import { createHash } from 'node:crypto';

/**
 * Key layout (docs/cache.md):
 *   {prefix}:{category}:{name}:{argsHash}  entry
 *   {prefix}:~t:{tag}                       tag version
 *   {prefix}:~c:{category}                  category version
 *   {prefix}:~bus                           pub/sub channel
 * Categories start with a letter, so `~` segments never match a category purge pattern, and nothing
 * caller-supplied reaches a key except through a hash or a strict character whitelist.
 */

const SEGMENT = /^[a-z][a-z0-9_-]{0,31}$/;
const PREFIX = /^[a-z0-9_-]{1,32}$/i;
const SAFE_TAG = /^[A-Za-z0-9_.:-]{1,100}$/;

export class CacheKeyError extends Error {
  override name = 'CacheKeyError';
}

export function assertPrefix(prefix: string): string {
  if (!PREFIX.test(prefix)) throw new CacheKeyError(`cache prefix "${prefix}" must be 1-32 letters, digits, - or _`);
  return prefix;
}

export function assertCategory(category: string): string {
  if (!SEGMENT.test(category)) throw new CacheKeyError(`cache category "${category}" must match ${SEGMENT}`);
  return category;
}

export function hash(input: string, length = 22): string {
  return createHash('sha256').update(input).digest('base64url').slice(0, length);
}

/** A deterministic encoding of arguments: sorted object keys, undefined/null/NaN/-0/Dates/BigInts distinct. */
export function stableEncode(value: unknown): string {
  switch (typeof value) {
    case 'undefined':
      return 'u';
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Object.is(value, -0) ? 'n-0' : `n${value}`;
    case 'boolean':
      return value ? 'T' : 'F';
    case 'bigint':
      return `b${value}`;
    case 'object': {
      if (value === null) return 'N';
      if (value instanceof Date) return `D${value.getTime()}`;
      if (Array.isArray(value)) {
        // A loop, not map/join: every cached read encodes its argument list.
        let s = '[';
        for (let i = 0; i < value.length; i++) s += (i === 0 ? '' : ',') + stableEncode(value[i]);
        return s + ']';
      }
      if (value instanceof Map) return `M${stableEncode([...value.entries()].sort(byEncoded))}`;
      if (value instanceof Set) return `S${stableEncode([...value].map(stableEncode).sort())}`;
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) {
        throw new CacheKeyError(`cannot derive a cache key from a ${value.constructor?.name ?? 'class'} instance`);
      }
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj).sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${stableEncode(obj[k])}`).join(',')}}`;
    }
    default:
      throw new CacheKeyError(`cannot derive a cache key from a ${typeof value}`);
  }
}

function byEncoded(a: unknown, b: unknown): number {
  const x = stableEncode(a);
  const y = stableEncode(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Readable, glob-safe function name from keyParts plus a short hash so distinct keyParts never collide. */
export function functionName(keyParts: readonly string[]): string {
  const readable = keyParts
    .join('.')
    .toLowerCase()
    .replace(/[^a-z0-9_.-]+/g, '_')
    .slice(0, 40);
  return `${readable || 'fn'}.${hash(JSON.stringify(keyParts), 8)}`;
}

const recentHashes = new Map<string, string>();

/** Hash of the encoded arguments; hot argument lists skip the sha256 (bounded memo). */
export function argsHash(args: readonly unknown[]): string {
  if (args.length === 0) return '0';
  const encoded = stableEncode(args);
  let h = recentHashes.get(encoded);
  if (h === undefined) {
    h = hash(encoded);
    if (recentHashes.size >= 10_000) recentHashes.clear();
    if (encoded.length <= 256) recentHashes.set(encoded, h);
  }
  return h;
}

export const entryKey = (prefix: string, category: string, name: string, argsDigest: string): string =>
  `${prefix}:${category}:${name}:${argsDigest}`;

export const tagKey = (prefix: string, tag: string): string =>
  `${prefix}:~t:${SAFE_TAG.test(tag) ? tag : `h.${hash(tag)}`}`;

export const categoryKey = (prefix: string, category: string): string => `${prefix}:~c:${category}`;

export const busChannel = (prefix: string): string => `${prefix}:~bus`;

/** SCAN pattern for every entry of one category. */
export const categoryPattern = (prefix: string, category: string): string => `${prefix}:${assertCategory(category)}:*`;

/** The category segment of an entry key, or undefined for bookkeeping keys. */
export function categoryOfKey(prefix: string, key: string): string | undefined {
  if (!key.startsWith(`${prefix}:`)) return undefined;
  const rest = key.slice(prefix.length + 1);
  const end = rest.indexOf(':');
  const segment = end < 0 ? rest : rest.slice(0, end);
  return SEGMENT.test(segment) ? segment : undefined;
}

const MAX_TAGS = 32;

/** Tags of one entry: at most 32 non-empty strings (long or unusual ones are hashed into their key). */
/** `max`: an entry carries at most MAX_TAGS; an invalidation may name more. */
export function checkTags(tags: readonly string[], max = MAX_TAGS): readonly string[] {
  if (tags.length > max) throw new Error(`at most ${max} tags per entry`);
  for (const t of tags) {
    if (typeof t !== 'string' || t.length === 0) throw new Error(`invalid cache tag ${JSON.stringify(t)?.slice(0, 80)}`);
  }
  return tags;
}
