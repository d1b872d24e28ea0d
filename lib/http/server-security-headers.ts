import 'server-only';
import { getConfig } from '@/lib/config';
import { isHttps, nonPageSecurityHeaders } from './security-headers';

let headers: Record<string, string> | undefined;
let pairs: readonly string[] | undefined;

/** The security headers of answers written by our own server code (fast path, refusals): never a page. */
export function serverSecurityHeaders(): Record<string, string> {
  return (headers ??= nonPageSecurityHeaders({ https: isHttps(getConfig().PUBLIC_URL) }));
}

/** The same, as one flat name/value list (what node:http's writeHead takes without copying), built once. */
export function serverSecurityHeaderPairs(): readonly string[] {
  return (pairs ??= Object.entries(serverSecurityHeaders()).flat());
}
