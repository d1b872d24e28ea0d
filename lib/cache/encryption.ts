import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { EncryptionKey } from '@/lib/config/encryption-keys';
import { fromBase128, toBase128 } from './base128';

/**
 * AES-256-GCM for cache entries that hold patient data, applied to an entry's payload at the codec
 * boundary: whoever reads the Redis (a dump, a replica, a loose ACL) sees headers, versions and tags
 * (needed to validate a hit, and free of personal data) but not the value, nor its stored gzip copy,
 * which lives inside the value.
 *
 * Keys rotate without a flush: the first key encrypts, every listed key decrypts, and an entry names the
 * key it was sealed with in its header (enc `e.<key id>`). An entry whose key was dropped cannot be
 * opened and reads as a miss.
 */

const IV_BYTES = 12;
/** Starts a payload in base128 (./base128); entries sealed before it are base64, which never starts so. */
const BASE128 = '\u0001';
const TAG_BYTES = 16;

/** Parsed by the config (CACHE_ENCRYPTION_KEYS), re-exported for tests and benches that seal entries themselves. */
export { parseEncryptionKeys, type EncryptionKey } from '@/lib/config/encryption-keys';

export class EntryCipher {
  private readonly byId: Map<string, Buffer>;
  private readonly current: EncryptionKey;

  constructor(keys: readonly EncryptionKey[]) {
    if (keys.length === 0) throw new Error('EntryCipher needs at least one key');
    this.current = keys[0]!;
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  /** The encoding tag and payload of a sealed entry; `inner` is the plain encoding tag, kept inside. */
  seal(inner: string, payload: string): { enc: string; payload: string } {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
    const body = Buffer.concat([cipher.update(`${inner}\n${payload}`, 'utf8'), cipher.final()]);
    return { enc: `e.${this.current.id}`, payload: BASE128 + toBase128(Buffer.concat([iv, cipher.getAuthTag(), body])) };
  }

  /** The plain encoding tag and payload; throws when the key is unknown or the entry was tampered with. */
  open(enc: string, sealed: string): { enc: string; payload: string } {
    const key = this.byId.get(enc.slice(2));
    if (!key) throw new Error(`cache entry sealed with key ${enc.slice(2)}, which is not in CACHE_ENCRYPTION_KEYS`);
    const bytes = sealed.startsWith(BASE128) ? fromBase128(sealed.slice(1)) : Buffer.from(sealed, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
    decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    const plain = Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    const nl = plain.indexOf('\n');
    return { enc: plain.slice(0, nl), payload: plain.slice(nl + 1) };
  }
}

export const isSealed = (enc: string) => enc.startsWith('e.');
