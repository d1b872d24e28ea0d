import 'server-only';
import { getConfig } from '@/lib/config';
import { isHttps, nonPageSecurityHeaders } from './security-headers';

let headers: Record<string, string> | undefined;

/** The security headers of answers written by our own server code (fast path, refusals): never a page. */
export function serverSecurityHeaders(): Record<string, string> {
  return (headers ??= nonPageSecurityHeaders({ https: isHttps(getConfig().PUBLIC_URL) }));
}
