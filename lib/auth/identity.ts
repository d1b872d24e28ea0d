import 'server-only';
import type { Db } from '@/lib/db/client';
import { verifyApiKey } from './api-keys';
import { readCookie, SESSION_COOKIE } from './session-cookie';
import { getSessionUser } from './sessions';
import type { Identity } from './scopes';

/** Web `Headers` (route handlers) or node's IncomingHttpHeaders (the node:http fast path). */
export type HeaderSource = Headers | Record<string, string | string[] | undefined>;

export function headerValue(source: HeaderSource, name: string): string | null {
  if (source instanceof Headers) return source.get(name);
  const v = source[name.toLowerCase()];
  return Array.isArray(v) ? v.join(', ') : (v ?? null);
}

export type AuthResult =
  | { identity: Identity; via: 'apikey' | 'session' }
  | { identity: null; reason: 'missing' | 'invalid_authorization' | 'invalid_api_key' | 'invalid_session' };

/**
 * Resolves the caller. An Authorization header wins over a cookie and is never silently ignored: a wrong
 * or revoked key is reported as such rather than falling back to the cookie.
 */
export async function authenticate(db: Db, headers: HeaderSource): Promise<AuthResult> {
  const authorization = headerValue(headers, 'authorization');
  if (authorization !== null) {
    const m = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization);
    if (!m) return { identity: null, reason: 'invalid_authorization' };
    const key = await verifyApiKey(db, m[1]!);
    if (!key) return { identity: null, reason: 'invalid_api_key' };
    return { identity: { kind: 'apikey', id: key.id, name: key.name, scopes: key.scopes }, via: 'apikey' };
  }
  const token = readCookie(headerValue(headers, 'cookie'), SESSION_COOKIE);
  if (token === undefined) return { identity: null, reason: 'missing' };
  const user = await getSessionUser(db, token);
  if (!user) return { identity: null, reason: 'invalid_session' };
  return { identity: { kind: 'user', id: user.id, role: user.role, name: user.name, email: user.email }, via: 'session' };
}

/** The caller's identity, or null when anonymous or the credentials are not valid. */
export async function getIdentity(db: Db, headers: HeaderSource): Promise<Identity | null> {
  return (await authenticate(db, headers)).identity;
}
