import 'server-only';
import { and, desc, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { Db } from '@/lib/db/client';
import { apiKeys } from '@/lib/db/schema';
import { ValidationError } from '@/lib/errors';
import { API_KEY_PATTERN } from './credential';
import { randomToken, sha256Hex } from './crypto-utils';
import { isApiKeyScope, type ApiKeyScope } from './scopes';

const PREFIX_LENGTH = 'mz_'.length + 8;
/** last_used_at is informative; writing it on every request would turn each read into a write. */
const LAST_USED_RESOLUTION_MS = 60_000;

export type ApiKeyInfo = {
  id: number;
  name: string;
  prefix: string;
  scopes: ApiKeyScope[];
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
};

const knownScopes = (scopes: string[]) => scopes.filter(isApiKeyScope);

/** Creates a key; `key` is returned this once and never stored (only its SHA-256 and a short prefix). */
export async function createApiKey(db: Db, input: { name: string; scopes: string[] }): Promise<{ key: string; info: ApiKeyInfo }> {
  const name = input.name.trim();
  if (!name || name.length > 100) throw new ValidationError('Invalid API key', [{ path: 'name', message: 'must be 1–100 characters' }]);
  const unknown = input.scopes.filter((s) => !isApiKeyScope(s));
  if (input.scopes.length === 0 || unknown.length) {
    throw new ValidationError('Invalid API key', [{ path: 'scopes', message: `must be a non-empty list of read, write${unknown.length ? `; unknown: ${unknown.join(', ')}` : ''}` }]);
  }
  const key = `mz_${randomToken()}`;
  const [row] = await db
    .insert(apiKeys)
    .values({ name, prefix: key.slice(0, PREFIX_LENGTH), hash: sha256Hex(key), scopes: [...new Set(input.scopes)] })
    .returning();
  return { key, info: toInfo(row!) };
}

/**
 * The key's identity, or null if it is unknown, malformed or revoked. Lookup is by SHA-256 through a unique
 * index: the timing reveals nothing about the key, and the stored value is useless to a database thief.
 */
export async function verifyApiKey(db: Db, key: string, now = new Date()): Promise<ApiKeyInfo | null> {
  if (!API_KEY_PATTERN.test(key)) return null;
  return verifyApiKeyDigest(db, sha256Hex(key), now);
}

/** verifyApiKey for a key already hashed (the cached identity lookup keys on the digest, never the key). */
export async function verifyApiKeyDigest(db: Db, digest: string, now = new Date()): Promise<ApiKeyInfo | null> {
  const [row] = await db.select().from(apiKeys).where(eq(apiKeys.hash, digest)).limit(1);
  if (!row || row.revokedAt) return null;
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
    // Conditional so concurrent requests on several instances write once, not once each.
    await db
      .update(apiKeys)
      .set({ lastUsedAt: now })
      .where(and(eq(apiKeys.id, row.id), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, new Date(now.getTime() - LAST_USED_RESOLUTION_MS)))));
    row.lastUsedAt = now;
  }
  return toInfo(row);
}

/**
 * Marks a key revoked (true if it was active) and returns its digest, so the caller (lib/write-door) can drop
 * its cached identity in the same write. Idempotent.
 */
export async function markApiKeyRevoked(db: Db, id: number): Promise<{ revoked: boolean; digests: string[] }> {
  const revoked = await db
    .update(apiKeys)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
    .returning({ hash: apiKeys.hash });
  const rows = revoked.length > 0 ? revoked : await db.select({ hash: apiKeys.hash }).from(apiKeys).where(eq(apiKeys.id, id));
  return { revoked: revoked.length > 0, digests: rows.map((r) => r.hash) };
}

export async function listApiKeys(db: Db): Promise<ApiKeyInfo[]> {
  const rows = await db.select().from(apiKeys).orderBy(desc(apiKeys.createdAt));
  return rows.map(toInfo);
}

function toInfo(row: typeof apiKeys.$inferSelect): ApiKeyInfo {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: knownScopes(row.scopes),
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
    revokedAt: row.revokedAt,
  };
}
