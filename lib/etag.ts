import { createHash } from 'node:crypto';

/**
 * Entity tags as plain functions of bytes and strings, on the ground floor: the cache entries (lib/cached-reads) store
 * them and the write door (lib/write-door) checks If-Match with them, neither of which is HTTP plumbing.
 */

/** Strong validator: SHA-256 of the exact bytes sent, so equal ETags mean byte-identical bodies. */
export function strongEtag(body: Uint8Array | string): string {
  return `"${createHash('sha256').update(body).digest('base64url')}"`;
}

/** The ETag of a value as the API sends it (`Response.json` bytes): what GET answers for the same row. */
export const representationEtag = (value: unknown): string => strongEtag(JSON.stringify(value));

/**
 * RFC 9110 §13.1.1: If-Match uses strong comparison (a weak tag never matches), and `*` matches any current
 * representation.
 */
export function ifMatchHits(ifMatch: string, etag: string): boolean {
  if (ifMatch.trim() === '*') return true;
  if (etag.startsWith('W/')) return false;
  for (const m of ifMatch.matchAll(/(W\/)?("[^"]*")/g)) if (!m[1] && m[2] === etag) return true;
  return false;
}
