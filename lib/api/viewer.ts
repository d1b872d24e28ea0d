import type { Actor } from '@/lib/admin/cache-admin';
import type { Identity } from '@/lib/auth/scopes';

/** Who is asking, as a cache-tag suffix: per-viewer entries are dropped when that viewer signs out. */
export const viewerKey = (identity: Identity): string => `${identity.kind === 'user' ? 'user' : 'key'}:${identity.id}`;

/** How an identity appears in the audit log: a user's email, or an API key's name (never the key). */
export const actorOf = (identity: Identity): Actor => ({ label: identity.kind === 'user' ? identity.email : `api key "${identity.name}"` });
