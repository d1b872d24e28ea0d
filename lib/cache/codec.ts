/**
 * Entry wire format, one Redis string per key so a hit is one read. Bytes, not text: a text header, then the payload
 * as it is (packed or sealed bytes need no text encoding):
 *   m4|{enc}|{storedAt}|{fresh for}|{grace for}|{id}\n{versions digest}\n{tags JSON}\n{payload}
 * Times in milliseconds, base 36: storedAt since the epoch, then how long the entry stays fresh after it and how
 * long in grace after that. The versions are [category, ...tags] in the order the tags were given, stored as a
 * 96-bit digest (versionsDigest): 16 characters where they took 18 each. enc: j JSON, x JSON
 * with Date/BigInt markers (parsed with a reviver only then), u undefined, r raw text (a pre-rendered HTTP body,
 * stored unescaped), b raw bytes, e.{key id} one of those sealed with AES-256-GCM (lib/cache/encryption.ts).
 * A raw value's payload is `{meta JSON}\n{body}`, the meta line empty when it has no field.
 */
import { hash } from 'node:crypto';
import type { EntryCipher } from './encryption';

export type Encoding = 'j' | 'x' | 'u' | 'r' | 'b' | `e.${string}`;

export interface EntryHeader {
  enc: Encoding;
  storedAt: number;
  freshUntil: number;
  graceUntil: number;
  id: string;
  /** Offsets into the raw string (the hit path compares the versions digest in place, without splitting). */
  versionsStart: number;
  versionsEnd: number;
  payloadStart: number;
}

const RAW = Symbol.for('mizaj.cache.RawValue');

/**
 * A pre-rendered value (e.g. an HTTP body and its headers) stored without JSON escaping: text or bytes (compressed,
 * say) as they are, or sealed. Bytes are handed over: neither who made the value
 * nor who reads it back may change them (a typed array cannot be frozen, and L1 keeps the value as it is); bytes that
 * are a view of a larger buffer are copied (ownBytes). Recognised by a global brand, not its prototype: Next may bundle this
 * module more than once in a process, and a value made by one copy is encoded by the cache singleton of another.
 */
export class RawValue {
  readonly [RAW] = true;
  readonly body: string | Uint8Array;

  constructor(
    body: string | Uint8Array,
    readonly meta: Readonly<Record<string, string>> = {},
  ) {
    this.body = typeof body === 'string' ? body : ownBytes(body);
    Object.freeze(this.meta);
    Object.freeze(this);
  }

  static [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && RAW in value;
  }
}

/**
 * The bytes in a buffer of their own size. A view of a larger buffer keeps all of it alive as long as it is kept:
 * Node's sync zlib answers a view of its 16 KB output chunk, Buffer.from a view of a shared 8 KB pool, a Redis
 * reply a view of what was read. Kept in L1, 22,000 small entries held 344 MiB of zlib chunks behind an 8 MB L1
 * (a heap snapshot under bench:load).
 */
export function ownBytes(b: Buffer): Buffer;
export function ownBytes(b: Uint8Array): Uint8Array;
export function ownBytes(b: Uint8Array): Uint8Array {
  if (b.byteLength === b.buffer.byteLength) return b;
  const own = Buffer.allocUnsafeSlow(b.byteLength);
  own.set(b);
  return own;
}

/** Thrown when fn returns something JSON cannot carry exactly (Map, class instance, NaN, function…). */
export class CacheValueError extends TypeError {
  override name = 'CacheValueError';
}

const DATE = '\u0000d';
const BIGINT = '\u0000b';

export interface Encoded {
  enc: Encoding;
  payload: string | Buffer;
}

const metaLine = (meta: Readonly<Record<string, string>>) => `${Object.keys(meta).length > 0 ? JSON.stringify(meta) : ''}\n`;

/** With a cipher, the encoded value is sealed (entries holding patient data): the plain bytes are `{enc}\n{payload}`. */
export function encodeValue(value: unknown, cipher?: EntryCipher): Encoded {
  if (value instanceof RawValue && typeof value.body !== 'string') {
    const meta = metaLine(value.meta);
    return cipher ? cipher.seal(Buffer.concat([Buffer.from(`b\n${meta}`), value.body])) : { enc: 'b', payload: Buffer.concat([Buffer.from(meta), value.body]) };
  }
  const plain = encodePlain(value);
  return cipher ? cipher.seal(Buffer.from(`${plain.enc}\n${plain.payload}`)) : plain;
}

function encodePlain(value: unknown): Encoded & { payload: string } {
  if (value === undefined) return { enc: 'u', payload: '' };
  if (value instanceof RawValue) return { enc: 'r', payload: metaLine(value.meta) + (value.body as string) };
  let special = false;
  const path: string[] = [];
  const markers = new WeakSet<object>();
  const mark = (o: Record<string, string>) => (markers.add(o), o);
  const payload = JSON.stringify(value, function replacer(this: unknown, key: string, v: unknown) {
    if (markers.has(this as object)) return v;
    const original = key === '' ? v : (this as Record<string, unknown>)[key];
    if (key.charCodeAt(0) === 0) throw new CacheValueError(`object key ${JSON.stringify(key)} is reserved`);
    switch (typeof original) {
      case 'bigint':
        special = true;
        return mark({ [BIGINT]: original.toString() });
      case 'number':
        if (!Number.isFinite(original)) throw new CacheValueError(`${where(path, key)} is ${original}, which JSON cannot carry`);
        return v;
      case 'function':
      case 'symbol':
        throw new CacheValueError(`${where(path, key)} is a ${typeof original}, which cannot be cached`);
      case 'undefined':
        if (Array.isArray(this)) throw new CacheValueError(`${where(path, key)} is undefined inside an array`);
        return v;
      case 'object': {
        if (original === null || Array.isArray(original)) return v;
        if (original instanceof Date) {
          if (Number.isNaN(original.getTime())) throw new CacheValueError(`${where(path, key)} is an invalid Date`);
          special = true;
          return mark({ [DATE]: original.toISOString() });
        }
        const proto = Object.getPrototypeOf(original) as unknown;
        if (proto !== Object.prototype && proto !== null) {
          const name = (original as { constructor?: { name?: string } }).constructor?.name ?? 'object';
          throw new CacheValueError(`${where(path, key)} is a ${name}; only plain objects, arrays, Dates and BigInts can be cached`);
        }
        return v;
      }
      default:
        return v;
    }
  });
  return { enc: special ? 'x' : 'j', payload };
}

function where(_path: string[], key: string): string {
  return key === '' ? 'the value' : `property "${key}"`;
}

function revive(_key: string, v: unknown): unknown {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, string>;
    if (DATE in o) return new Date(o[DATE]!);
    if (BIGINT in o) return BigInt(o[BIGINT]!);
  }
  return v;
}

export interface EntryMeta {
  storedAt: number;
  freshUntil: number;
  graceUntil: number;
  id: string;
  versions: readonly string[];
  tagsJson: string;
}

export function encodeEntry(meta: EntryMeta, encoded: Encoded): Buffer {
  const head = `${headerLine(encoded.enc, meta)}${versionsDigest(meta.versions)}\n${meta.tagsJson}\n`;
  return typeof encoded.payload === 'string' ? Buffer.from(head + encoded.payload) : Buffer.concat([Buffer.from(head), encoded.payload]);
}

/**
 * The versions as stored in an entry: the first 96 bits of their SHA-256. Equal digests stand
 * for equal versions (a chance collision is 2^-96 per comparison), which is all a hit and reclaim ask of them.
 */
export function versionsDigest(values: readonly (string | null | undefined)[]): string {
  let text = '';
  for (let i = 0; i < values.length; i++) text += (i > 0 ? '\n' : '') + values[i];
  return hash('sha256', text, 'base64url').slice(0, 16);
}

/** An entry's first line, up to and with its newline (what a compare-and-set on the entry compares). */
export function headerLine(enc: string, t: { storedAt: number; freshUntil: number; graceUntil: number; id: string }): string {
  return `m4|${enc}|${t.storedAt.toString(36)}|${(t.freshUntil - t.storedAt).toString(36)}|${(t.graceUntil - t.freshUntil).toString(36)}|${t.id}\n`;
}

const NL = 10;
const BAR = 124;

/** Parses only the header line (no split, no JSON); undefined for anything not in our format. */
export function decodeHeader(raw: Buffer): EntryHeader | undefined {
  if (raw[0] !== 109 /* m */ || raw[1] !== 52 /* 4 */ || raw[2] !== BAR) return undefined;
  const l1 = raw.indexOf(NL);
  const l2 = raw.indexOf(NL, l1 + 1);
  const l3 = raw.indexOf(NL, l2 + 1);
  if (l1 < 0 || l2 < 0 || l3 < 0) return undefined;
  const p1 = raw.indexOf(BAR, 3);
  const p2 = raw.indexOf(BAR, p1 + 1);
  const p3 = raw.indexOf(BAR, p2 + 1);
  const p4 = raw.indexOf(BAR, p3 + 1);
  if (p1 < 0 || p2 < 0 || p3 < 0 || p4 < 0 || p4 > l1) return undefined;
  const storedAt = base36(raw, p1 + 1, p2);
  const freshUntil = storedAt + base36(raw, p2 + 1, p3);
  return {
    enc: raw.toString('latin1', 3, p1) as Encoding,
    storedAt,
    freshUntil,
    graceUntil: freshUntil + base36(raw, p3 + 1, p4),
    id: raw.toString('latin1', p4 + 1, l1),
    versionsStart: l1 + 1,
    versionsEnd: l2,
    payloadStart: l3 + 1,
  };
}

/** Lower-case base 36 in place; NaN for anything else (an empty field, a foreign character). */
function base36(raw: Buffer, from: number, to: number): number {
  if (from >= to) return NaN;
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = raw[i]!;
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 122 ? c - 87 : -1;
    if (d < 0) return NaN;
    n = n * 36 + d;
  }
  return n;
}

/** The entry's tags as JSON text. */
export function headerTagsJson(raw: Buffer, h: EntryHeader): string {
  return raw.toString('utf8', h.versionsEnd + 1, h.payloadStart - 1);
}

/** True when the versions stamped in the entry equal `versions` (as read); a missing version never matches. */
export function versionsMatch(raw: Buffer, h: EntryHeader, versions: readonly (string | null)[]): boolean {
  for (const v of versions) if (v === null || v === undefined) return false;
  return h.versionsEnd - h.versionsStart === 16 && raw.toString('latin1', h.versionsStart, h.versionsEnd) === versionsDigest(versions);
}

export const isSealed = (enc: string) => enc.startsWith('e.');

export function decodeValue(header: EntryHeader, raw: Buffer, cipher?: EntryCipher): unknown {
  if (!isSealed(header.enc)) return decodePayload(header.enc, raw, header.payloadStart);
  if (!cipher) throw new CacheValueError('the entry is encrypted and no CACHE_ENCRYPTION_KEYS are configured');
  const plain = cipher.open(header.enc, raw.subarray(header.payloadStart));
  const nl = plain.indexOf(NL);
  return decodePayload(plain.toString('latin1', 0, nl), plain, nl + 1);
}

function decodePayload(enc: string, raw: Buffer, start: number): unknown {
  switch (enc) {
    case 'j':
      return JSON.parse(raw.toString('utf8', start));
    case 'x':
      return JSON.parse(raw.toString('utf8', start), revive);
    case 'u':
      return undefined;
    case 'r':
    case 'b': {
      const nl = raw.indexOf(NL, start);
      if (nl < 0) throw new CacheValueError('raw entry without a meta line');
      const meta = nl === start ? {} : (JSON.parse(raw.toString('utf8', start, nl)) as Record<string, string>);
      // RawValue keeps a copy of the bytes: the read's buffer may be a slice of a larger one.
      return new RawValue(enc === 'r' ? raw.toString('utf8', nl + 1) : raw.subarray(nl + 1), meta);
    }
    default:
      throw new CacheValueError(`unknown entry encoding ${enc}`);
  }
}

/** Freezes a decoded value in place so one caller cannot change what the next one gets from L1. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value) && !ArrayBuffer.isView(value)) {
    if (value instanceof Date) lockDate(value);
    Object.freeze(value);
    for (const k of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[k]);
  }
  return value;
}

const DATE_SETTERS = Object.getOwnPropertyNames(Date.prototype).filter((n) => n.startsWith('set'));

/** Object.freeze does not stop Date#setTime (internal slot), so shadow the setters on the instance. */
function lockDate(date: Date): void {
  for (const name of DATE_SETTERS) {
    Object.defineProperty(date, name, {
      value: () => {
        throw new TypeError(`Cannot call ${name} on a cached (frozen) Date; copy it first`);
      },
    });
  }
}
