import 'server-only';
import type { Identity } from './scopes';
import { readCookie, SESSION_COOKIE } from './session-cookie';

/**
 * The credential rules, in one place: which header carries what, and what a well-formed API key and session
 * token look like. Anything else is refused before the database (or the cache) is asked, so guessing cannot
 * fill either with lookups.
 */
export const API_KEY_PATTERN = /^mz_[A-Za-z0-9_-]{43}$/;
export const SESSION_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

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

export type CredentialKind = 'apikey' | 'session';

/** A well-formed credential to look up, or why there is none to look up. */
export type Credential = { kind: CredentialKind; value: string } | Exclude<AuthResult, { identity: Identity }>;

/**
 * The caller's credential. An Authorization header wins over a cookie and is never silently ignored: a
 * malformed one is reported as such rather than falling back to the cookie.
 */
export function parseCredential(headers: HeaderSource): Credential {
  const authorization = headerValue(headers, 'authorization');
  if (authorization !== null) {
    const m = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization);
    if (!m) return { identity: null, reason: 'invalid_authorization' };
    return API_KEY_PATTERN.test(m[1]!) ? { kind: 'apikey', value: m[1]! } : { identity: null, reason: 'invalid_api_key' };
  }
  const token = readCookie(headerValue(headers, 'cookie'), SESSION_COOKIE);
  if (token === undefined) return { identity: null, reason: 'missing' };
  return SESSION_TOKEN_PATTERN.test(token) ? { kind: 'session', value: token } : { identity: null, reason: 'invalid_session' };
}

/** What a well-formed credential that matches nothing (unknown, revoked, expired) is refused as. */
export const refused = (kind: CredentialKind): AuthResult => ({ identity: null, reason: kind === 'apikey' ? 'invalid_api_key' : 'invalid_session' });
