import 'server-only';
import { cached, invalidateTag } from '@/lib/cache';
import { getDb } from '@/lib/db/client';
import { verifyApiKeyDigest } from './api-keys';
import { tag } from '@/lib/resources/tags';
import { sha256Hex } from './crypto-utils';
import { parseCredential, refused, type AuthResult, type CredentialKind, type HeaderSource } from './credential';
import type { Identity } from './scopes';
import { getSessionByDigest } from './sessions';

/**
 * Thrown inside the cached lookup so that unknown credentials are never cached (no cache filling by guessing).
 * Recognised by a registered symbol, not instanceof: the fast path (server bundle) and Next's bundle each
 * have their own copy of this module but share one cache, so one copy's caller can join a lookup the other
 * started and receive the other copy's error (that was the intermittent 500 on an unknown key).
 */
const UNKNOWN_CREDENTIAL = Symbol.for('mizaj.auth.unknown-credential');
class UnknownCredential extends Error {
  readonly [UNKNOWN_CREDENTIAL] = true;
}
const isUnknownCredential = (error: unknown) => typeof error === 'object' && error !== null && UNKNOWN_CREDENTIAL in error;

/**
 * The identity with the credential's own expiry (sessions), checked on every read: a cached or stale
 * entry never outlives its session. Revocation and sign-out invalidate the entry instead.
 */
const CONFIRM_TIMEOUT_MS = 1_000;

type Found = { identity: Identity; expiresAt: number | null };

async function fromDatabase(kind: CredentialKind, digest: string): Promise<Found> {
  const db = await getDb();
  if (kind === 'apikey') {
    const key = await verifyApiKeyDigest(db, digest);
    if (!key) throw new UnknownCredential();
    return { identity: { kind: 'apikey', id: key.id, name: key.name, scopes: key.scopes }, expiresAt: null };
  }
  const session = await getSessionByDigest(db, digest);
  if (!session) throw new UnknownCredential();
  return { identity: { kind: 'user', id: session.id, role: session.role, name: session.name, email: session.email }, expiresAt: session.expiresAt.getTime() };
}

const lookup = cached(fromDatabase, ['auth', 'credential'], { category: 'auth', tags: (_kind, digest) => [tag.credential(digest)] });

/**
 * A stale identity (older than the category's TTL) is confirmed with the database before it is used. The
 * grace only covers the database not answering: "unknown, revoked, expired, user disabled" is final, and
 * drops the cached identity everywhere (best effort: the entry cannot outlive its next refresh anyway).
 */
async function confirmStale(kind: CredentialKind, digest: string, stale: Found): Promise<Found | null> {
  let timer: NodeJS.Timeout | undefined;
  // A hung database counts as an outage: the stale identity is served rather than making the caller wait.
  const outage = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('database did not answer')), CONFIRM_TIMEOUT_MS)));
  try {
    return await Promise.race([fromDatabase(kind, digest), outage]);
  } catch (error) {
    if (!(error instanceof UnknownCredential)) return stale;
    await invalidateTag(tag.credential(digest)).catch(() => undefined);
    return null;
  } finally {
    clearTimeout(timer);
  }
}

async function resolve(kind: CredentialKind, credential: string): Promise<Identity | null> {
  const digest = sha256Hex(credential);
  let found: Found | null;
  try {
    const result = await lookup.withMeta(kind, digest);
    found = result.status === 'STALE' ? await confirmStale(kind, digest, result.value) : result.value;
  } catch (error) {
    if (isUnknownCredential(error)) return null;
    throw error;
  }
  return found && (found.expiresAt === null || found.expiresAt > Date.now()) ? found.identity : null;
}

/**
 * authenticate() for the app's routes: the same rules, with each credential's identity cached for a
 * minute by its digest. Revocation and sign-out invalidate it at once (tag.credential, lib/resources/tags.ts).
 */
export async function authenticateCached(headers: HeaderSource): Promise<AuthResult> {
  const c = parseCredential(headers);
  if (!('kind' in c)) return c;
  const identity = await resolve(c.kind, c.value);
  return identity ? { identity, via: c.kind } : refused(c.kind);
}

/** The same answer from this instance's L1 alone, synchronously; undefined when it would need a lookup. */
export function authenticateFromL1(headers: HeaderSource): AuthResult | undefined {
  const c = parseCredential(headers);
  if (!('kind' in c)) return c;
  const found = lookup.peekL1(c.kind, sha256Hex(c.value))?.value;
  if (!found) return undefined;
  return found.expiresAt === null || found.expiresAt > Date.now() ? { identity: found.identity, via: c.kind } : refused(c.kind);
}
