import type { Actor } from '@/lib/admin/cache-admin';
import type { Identity } from '@/lib/auth/scopes';

/** How an identity appears in the audit log: a user's email, or an API key's name (never the key). */
export const actorOf = (identity: Identity): Actor => ({ label: identity.kind === 'user' ? identity.email : `api key "${identity.name}"` });
