import 'server-only';
import { cached } from '@/lib/cache';
import { getDb } from '@/lib/db/client';
import { verifyApiKeyDigest } from './api-keys';
import { credentialTag } from './credential-tag';
import { sha256Hex } from './crypto-utils';
import { headerValue, type AuthResult, type HeaderSource } from './identity';
import type { Identity } from './scopes';
import { readCookie, SESSION_COOKIE } from './session-cookie';
import { getSessionUserByDigest } from './sessions';

const KEY_PATTERN = /^mz_[A-Za-z0-9_-]{43}$/;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** Thrown inside the cached lookup so that unknown credentials are never cached (no cache filling by guessing). */
class UnknownCredential extends Error {}

const lookup = cached(
  async (kind: 'apikey' | 'session', digest: string): Promise<Identity> => {
    const db = await getDb();
    if (kind === 'apikey') {
      const key = await verifyApiKeyDigest(db, digest);
      if (!key) throw new UnknownCredential();
      return { kind: 'apikey', id: key.id, name: key.name, scopes: key.scopes };
    }
    const user = await getSessionUserByDigest(db, digest);
    if (!user) throw new UnknownCredential();
    return { kind: 'user', id: user.id, role: user.role, name: user.name, email: user.email };
  },
  ['auth', 'credential'],
  { category: 'auth', tags: (_kind, digest) => [credentialTag(digest)] },
);

async function resolve(kind: 'apikey' | 'session', credential: string): Promise<Identity | null> {
  try {
    return await lookup(kind, sha256Hex(credential));
  } catch (error) {
    if (error instanceof UnknownCredential) return null;
    throw error;
  }
}

/**
 * authenticate() for the app's routes: the same rules, with each credential's identity cached for a
 * minute by its digest. Revocation and sign-out invalidate it at once (lib/auth/credential-tag.ts).
 */
export async function authenticateCached(headers: HeaderSource): Promise<AuthResult> {
  const authorization = headerValue(headers, 'authorization');
  if (authorization !== null) {
    const m = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization);
    if (!m) return { identity: null, reason: 'invalid_authorization' };
    const identity = KEY_PATTERN.test(m[1]!) ? await resolve('apikey', m[1]!) : null;
    return identity ? { identity, via: 'apikey' } : { identity: null, reason: 'invalid_api_key' };
  }
  const token = readCookie(headerValue(headers, 'cookie'), SESSION_COOKIE);
  if (token === undefined) return { identity: null, reason: 'missing' };
  const identity = TOKEN_PATTERN.test(token) ? await resolve('session', token) : null;
  return identity ? { identity, via: 'session' } : { identity: null, reason: 'invalid_session' };
}
