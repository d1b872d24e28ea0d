import 'server-only';
import type { Db } from '@/lib/db/client';
import { verifyApiKey } from './api-keys';
import { parseCredential, refused, type AuthResult, type HeaderSource } from './credential';
import { getSessionUser } from './sessions';
import type { Identity } from './scopes';

export { headerValue, type AuthResult, type HeaderSource } from './credential';

/** Resolves the caller straight from the database (scripts, tests; routes use authenticateCached). */
export async function authenticate(db: Db, headers: HeaderSource): Promise<AuthResult> {
  const c = parseCredential(headers);
  if (!('kind' in c)) return c;
  if (c.kind === 'apikey') {
    const key = await verifyApiKey(db, c.value);
    if (!key) return refused(c.kind);
    return { identity: { kind: 'apikey', id: key.id, name: key.name, scopes: key.scopes }, via: 'apikey' };
  }
  const user = await getSessionUser(db, c.value);
  if (!user) return refused(c.kind);
  return { identity: { kind: 'user', id: user.id, role: user.role, name: user.name, email: user.email }, via: 'session' };
}

/** The caller's identity, or null when anonymous or the credentials are not valid. */
export async function getIdentity(db: Db, headers: HeaderSource): Promise<Identity | null> {
  return (await authenticate(db, headers)).identity;
}
