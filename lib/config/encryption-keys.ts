import { createHash } from 'node:crypto';

/** CACHE_ENCRYPTION_KEYS, parsed with the rest of the environment; the cache seals entries with them (lib/cache/encryption.ts). */

export type EncryptionKey = { id: string; key: Buffer };

/** Key id: first 8 hex digits of the key's SHA-256 (names the key without revealing it). */
const keyIdOf = (key: Buffer) => createHash('sha256').update(key).digest('hex').slice(0, 8);

/** CACHE_ENCRYPTION_KEYS: comma list of 32-byte keys in base64 (as `openssl rand -base64 32` prints) or 64 hex digits. */
export function parseEncryptionKeys(text: string): EncryptionKey[] {
  const items = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw new Error('must list at least one key');
  return items.map((item, i) => {
    const key = /^[0-9a-f]{64}$/i.test(item) ? Buffer.from(item, 'hex') : /^[A-Za-z0-9+/_-]{43}=?$/.test(item) ? Buffer.from(item, 'base64') : undefined;
    if (key?.length !== 32) throw new Error(`key ${i + 1} must be 32 bytes in base64 (openssl rand -base64 32) or 64 hex digits`);
    return { id: keyIdOf(key), key };
  });
}
