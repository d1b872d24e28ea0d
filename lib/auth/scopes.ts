import 'server-only';
import type { UserRole } from '@/lib/db/schema';

export const API_KEY_SCOPES = ['read', 'write'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];
export const isApiKeyScope = (s: string): s is ApiKeyScope => (API_KEY_SCOPES as readonly string[]).includes(s);

/** Who is calling: a mobile client's API key or a signed-in web user. */
export type Identity =
  | { kind: 'apikey'; id: number; name: string; scopes: ApiKeyScope[] }
  | { kind: 'user'; id: number; role: UserRole; name: string; email: string };

/** What a route requires. */
export type AccessLevel = 'public' | 'read' | 'write' | 'admin';
