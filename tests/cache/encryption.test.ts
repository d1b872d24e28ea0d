import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createCache, RawValue } from '@/lib/cache';
import { decodeHeader, decodeValue, encodeEntry, encodeValue } from '@/lib/cache/codec';
import { EntryCipher, parseEncryptionKeys } from '@/lib/cache/encryption';
import { createRedisConnection } from '@/lib/cache/stores/redis-client';
import { parseConfig } from '@/lib/config';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const newKey = () => randomBytes(32).toString('base64');
const meta = { storedAt: 1, freshUntil: 2, graceUntil: 3, id: 'i', versions: ['v1'], tagsJson: '["patient:7"]' };
const redis = new Redis(REDIS_URL);
const prefix = `t-enc-${process.pid}-${randomBytes(3).toString('hex')}`;
afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.unlink(...keys);
  redis.disconnect();
});

describe('cache entry encryption (AES-256-GCM)', () => {
  it('seals the value (and a RawValue\'s gzip copy, which lives inside it) and names the key in the header', () => {
    const [k] = parseEncryptionKeys(newKey());
    const cipher = new EntryCipher([k!]);
    const value = new RawValue('{"name":"Parvin Ahmadi","notes":"insomnia"}', { etag: '"e"', gz: 'H4sIAAAA-patient-bytes' });
    const raw = encodeEntry(meta, encodeValue(value, cipher));
    expect(raw.toString('latin1')).not.toMatch(/Parvin|insomnia|patient-bytes/);
    const h = decodeHeader(raw)!;
    expect(h.enc).toBe(`e.${k!.id}`);
    expect(raw.toString('latin1').split('\n')[2]).toBe('["patient:7"]'); // tags stay readable for reclaim
    const back = decodeValue(h, raw, cipher) as RawValue;
    expect(back.body).toBe(value.body);
    expect(back.meta).toEqual(value.meta);
  });

  it('seals bytes as they are: IV, auth tag and ciphertext, nothing more', () => {
    const [k] = parseEncryptionKeys(newKey());
    const cipher = new EntryCipher([k!]);
    const plain = Buffer.from(`j\n${JSON.stringify({ a: 'x'.repeat(700) })}`);
    const sealed = cipher.seal(plain);
    expect(sealed.payload.length).toBe(plain.length + 28);
    expect(cipher.open(sealed.enc, sealed.payload).equals(plain)).toBe(true);
  });

  it('seals raw bytes as they are and gives them back byte for byte', () => {
    const [k] = parseEncryptionKeys(newKey());
    const cipher = new EntryCipher([k!]);
    const bytes = randomBytes(700);
    const value = new RawValue(bytes, { db: '1.5' });
    const sealed = encodeEntry(meta, encodeValue(value, cipher));
    const plain = encodeEntry(meta, encodeValue(value));
    // IV and tag (28 bytes), the `b` line inside the seal and the key id in the header: no text encoding.
    expect(sealed.length).toBeLessThanOrEqual(plain.length + 28 + 2 + 2 + k!.id.length);
    const back = decodeValue(decodeHeader(sealed)!, sealed, cipher) as RawValue;
    expect(Buffer.from(back.body as Uint8Array).equals(bytes)).toBe(true);
    expect(back.meta).toEqual({ db: '1.5' });
    expect((decodeValue(decodeHeader(plain)!, plain) as RawValue).body).toEqual(bytes);
  });

  it('rotation: the first key encrypts, every listed key decrypts; a dropped key or a changed byte cannot be read', () => {
    const [oldKey] = parseEncryptionKeys(newKey());
    const [nextKey] = parseEncryptionKeys(newKey());
    const sealedOld = encodeEntry(meta, encodeValue({ a: 1 }, new EntryCipher([oldKey!])));
    const rotated = new EntryCipher([nextKey!, oldKey!]);
    expect(decodeValue(decodeHeader(sealedOld)!, sealedOld, rotated)).toEqual({ a: 1 });
    expect(decodeHeader(encodeEntry(meta, encodeValue({ a: 1 }, rotated)))!.enc).toBe(`e.${nextKey!.id}`);
    expect(() => decodeValue(decodeHeader(sealedOld)!, sealedOld, new EntryCipher([nextKey!]))).toThrow(/not in CACHE_ENCRYPTION_KEYS/);
    const tampered = Buffer.from(sealedOld);
    tampered[tampered.length - 1]! ^= 1;
    expect(() => decodeValue(decodeHeader(tampered)!, tampered, rotated)).toThrow();
    expect(() => decodeValue(decodeHeader(sealedOld)!, sealedOld)).toThrow(/no CACHE_ENCRYPTION_KEYS/);
  });

  it('through the cache: patient categories are sealed in Redis, others are not; rotation keeps old entries readable, an unknown key is a miss', async () => {
    const [k1] = parseEncryptionKeys(newKey());
    const [k2] = parseEncryptionKeys(newKey());
    const make = (keys: typeof k1[], name: string) => createCache({ prefix, redis: { url: REDIS_URL, commandTimeoutMs: 2_000 }, l1: false, encryption: new EntryCipher(keys as never), instanceId: name });
    let calls = 0;
    const before = make([k1], 'a');
    await before.ready();
    const profile = before.cached(async (id: number) => (calls++, { id, name: 'Parvin Ahmadi' }), ['p'], { category: 'profile', tags: (id) => [`patient:${id}`] });
    const trending = before.cached(async () => ({ remedy: 'Ginger tea' }), ['t'], { category: 'trending' });
    await profile(1);
    await trending();
    const stored = await Promise.all((await redis.keys(`${prefix}:*`)).map((k) => redis.get(k)));
    expect(stored.join('\n')).not.toContain('Parvin');
    expect(stored.join('\n')).toContain('Ginger tea');
    await before.close();

    const after = make([k2, k1], 'b'); // k2 prepended: new entries use it, k1 entries still read
    await after.ready();
    const profileAfter = after.cached(async (id: number) => (calls++, { id, name: 'Parvin Ahmadi' }), ['p'], { category: 'profile', tags: (id) => [`patient:${id}`] });
    expect((await profileAfter.withMeta(1)).status).toBe('HIT');
    expect(calls).toBe(1);
    await after.close();

    const forgot = make([k2], 'c'); // k1 retired: its entries read as misses, never as errors
    await forgot.ready();
    const profileForgot = forgot.cached(async (id: number) => (calls++, { id, name: 'Parvin Ahmadi' }), ['p'], { category: 'profile', tags: (id) => [`patient:${id}`] });
    expect((await profileForgot.withMeta(1)).status).toBe('MISS');
    expect(calls).toBe(2);
    await forgot.close();
  });

  it('keys are validated at start-up, and production refuses to start without one', () => {
    expect(parseConfig({ CACHE_ENCRYPTION_KEYS: `${newKey()}, ${'ab'.repeat(32)}` }).CACHE_ENCRYPTION_KEYS).toHaveLength(2);
    expect(() => parseConfig({ CACHE_ENCRYPTION_KEYS: 'short' })).toThrow(/^Invalid environment: CACHE_ENCRYPTION_KEYS key 1 must be 32 bytes/);
    expect(() => parseConfig({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(32) })).toThrow(/^Invalid environment: CACHE_ENCRYPTION_KEYS must be set in production/);
    expect(parseConfig({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(32), CACHE_ENCRYPTION_KEYS: newKey() }).NODE_ENV).toBe('production');
  });
});

describe('REDIS_PASSWORD', () => {
  it('overrides a password written in REDIS_URL', () => {
    const { client } = createRedisConnection({ url: 'redis://:from-url@127.0.0.1:1/3', password: 'from-env', connectTimeoutMs: 10 });
    try {
      expect((client.options as { password?: string }).password).toBe('from-env');
      expect((client.options as { db?: number }).db).toBe(3);
    } finally {
      client.disconnect();
    }
  });
});
