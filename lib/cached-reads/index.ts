import 'server-only';
import type { SessionUser } from '@/lib/auth/sessions';
import type { CachedResource } from '@/lib/resources';
import type { Jsonify } from './json';

export type { Jsonify } from './json';

/**
 * A page's read of a declared resource (lib/resources): the same cached entry the API serves, parsed, as
 * the API serves it (the page checks who may see it before it reads).
 * Dates arrive as ISO strings (the API's JSON), so pages format them with Intl.
 */
export function readResource<T>(resource: CachedResource<T>, params: Record<string, unknown>, user: SessionUser): Promise<Jsonify<T>> {
  return resource.read({ params, query: {}, identity: { kind: 'user', ...user } });
}
