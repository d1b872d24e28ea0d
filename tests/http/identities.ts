import { createApiKey, markApiKeyRevoked } from '@/lib/auth/api-keys';
import { SESSION_COOKIE } from '@/lib/auth/session-cookie';
import { createSession } from '@/lib/auth/sessions';
import { createUser } from '@/lib/auth/users';
import type { Db } from '@/lib/db/client';

export type Who = 'anonymous' | 'clinician' | 'admin' | 'readKey' | 'writeKey' | 'revokedKey';

/** One of each kind of caller, as request headers. */
export async function makeIdentities(db: Db, tag = 'x'): Promise<Record<Who, Record<string, string>>> {
  const clinician = await createUser(db, { email: `clin-${tag}@test.local`, name: 'C', role: 'clinician', password: 'clinician-pass-123' });
  const admin = await createUser(db, { email: `admin-${tag}@test.local`, name: 'A', role: 'admin', password: 'admin-pass-1234' });
  const cs = await createSession(db, clinician.id);
  const as = await createSession(db, admin.id);
  const readKey = await createApiKey(db, { name: 'read', scopes: ['read'] });
  const writeKey = await createApiKey(db, { name: 'write', scopes: ['read', 'write'] });
  const revoked = await createApiKey(db, { name: 'revoked', scopes: ['read', 'write'] });
  await markApiKeyRevoked(db, revoked.info.id);
  return {
    anonymous: {},
    clinician: { cookie: `${SESSION_COOKIE}=${cs.token}` },
    admin: { cookie: `theme=dark; ${SESSION_COOKIE}=${as.token}` },
    readKey: { authorization: `Bearer ${readKey.key}` },
    writeKey: { authorization: `Bearer ${writeKey.key}` },
    revokedKey: { authorization: `Bearer ${revoked.key}` },
  };
}
