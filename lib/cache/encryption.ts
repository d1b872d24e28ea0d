import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { EncryptionKey } from '@/lib/config/encryption-keys';

/**
 * AES-256-GCM for cache entries that hold patient data, applied to an entry's payload at the codec
 * boundary: whoever reads the Redis (a dump, a replica, a loose ACL) sees headers, versions and tags
 * (needed to validate a hit, and free of personal data) but not the value (an API answer's packed bytes
 * are sealed as they are).
 *
 * Keys rotate without a flush: the first key encrypts, every listed key decrypts, and an entry names the
 * key it was sealed with in its header (enc `e.<key id>`). An entry whose key was dropped cannot be
 * opened and reads as a miss.
 */

const IV_BYTES = 12;
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

  /** The encoding tag (`e.{key id}`) and payload (IV ‖ auth tag ‖ ciphertext) of a sealed entry. */
  seal(plain: Uint8Array): { enc: `e.${string}`; payload: Buffer } {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return { enc: `e.${this.current.id}`, payload: Buffer.concat([iv, cipher.getAuthTag(), body]) };
  }

  /** The plain bytes; throws when the key is unknown or the entry was tampered with. */
  open(enc: string, bytes: Uint8Array): Buffer {
    const key = this.byId.get(enc.slice(2));
    if (!key) throw new Error(`cache entry sealed with key ${enc.slice(2)}, which is not in CACHE_ENCRYPTION_KEYS`);
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
    decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
  }
}
