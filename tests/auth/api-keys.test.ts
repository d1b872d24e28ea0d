import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { createHash } from 'node:crypto';
import { createApiKey, listApiKeys, markApiKeyRevoked, verifyApiKey } from '@/lib/auth/api-keys';
import { apiKeys } from '@/lib/db/schema';
import { ValidationError } from '@/lib/errors';
// Renamed on import: it is a vitest helper, not a React hook (react-hooks/rules-of-hooks misfires on `use…`).
import { useTestDb as withTestDb } from '@/tests/support/test-db';

const t = withTestDb();

describe('API keys', () => {
  it('shows the key once and stores only its SHA-256 and a short prefix', async () => {
    const { key, info } = await createApiKey(t.db, { name: 'ios app', scopes: ['read', 'write'] });
    expect(key).toMatch(/^mz_[A-Za-z0-9_-]{43}$/);
    expect(info).toMatchObject({ name: 'ios app', scopes: ['read', 'write'], prefix: key.slice(0, 11), revokedAt: null });
    const [row] = await t.db.select().from(apiKeys).where(eq(apiKeys.id, info.id));
    expect(row!.hash).toBe(createHash('sha256').update(key).digest('hex'));
    expect(JSON.stringify(row)).not.toContain(key);
    expect(JSON.stringify(await listApiKeys(t.db))).not.toContain(key);
  });

  it('verifies the exact key only', async () => {
    const { key, info } = await createApiKey(t.db, { name: 'k', scopes: ['read'] });
    expect((await verifyApiKey(t.db, key))?.id).toBe(info.id);
    const flipped = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
    expect(await verifyApiKey(t.db, flipped)).toBeNull();
    expect(await verifyApiKey(t.db, 'mz_short')).toBeNull();
    expect(await verifyApiKey(t.db, key + 'x')).toBeNull();
    expect(await verifyApiKey(t.db, '')).toBeNull();
  });

  it('updates last_used_at at most once a minute', async () => {
    const { key, info } = await createApiKey(t.db, { name: 'k2', scopes: ['read'] });
    const t0 = new Date('2030-01-01T00:00:00Z');
    const lastUsed = async () => (await t.db.select().from(apiKeys).where(eq(apiKeys.id, info.id)))[0]!.lastUsedAt?.getTime();
    await verifyApiKey(t.db, key, t0);
    expect(await lastUsed()).toBe(t0.getTime());
    await verifyApiKey(t.db, key, new Date(t0.getTime() + 30_000));
    expect(await lastUsed()).toBe(t0.getTime());
    await verifyApiKey(t.db, key, new Date(t0.getTime() + 61_000));
    expect(await lastUsed()).toBe(t0.getTime() + 61_000);
  });

  it('revocation is immediate and idempotent', async () => {
    const { key, info } = await createApiKey(t.db, { name: 'k3', scopes: ['write', 'read'] });
    expect((await markApiKeyRevoked(t.db, info.id)).revoked).toBe(true);
    expect(await verifyApiKey(t.db, key)).toBeNull();
    expect((await markApiKeyRevoked(t.db, info.id)).revoked).toBe(false);
    expect(await markApiKeyRevoked(t.db, 999_999)).toEqual({ revoked: false, digests: [] });
  });

  it('refuses empty names and unknown or missing scopes', async () => {
    await expect(createApiKey(t.db, { name: ' ', scopes: ['read'] })).rejects.toBeInstanceOf(ValidationError);
    await expect(createApiKey(t.db, { name: 'x', scopes: [] })).rejects.toBeInstanceOf(ValidationError);
    await expect(createApiKey(t.db, { name: 'x', scopes: ['admin'] })).rejects.toMatchObject({
      issues: [{ path: 'scopes', message: expect.stringContaining('unknown: admin') }],
    });
  });
});
