import 'server-only';
import { createHmac, hash, randomBytes } from 'node:crypto';

// One-shot crypto.hash: no Hash object per call (every authenticated request digests its credential).
export const sha256Hex = (value: string) => hash('sha256', value, 'hex');

/** 32 random bytes, base64url: 256 bits, unguessable, safe in headers and cookies. */
export const randomToken = () => randomBytes(32).toString('base64url');

// A fixed fallback keeps dev/test working without SESSION_SECRET; production requires the secret (lib/config).
const FALLBACK_SECRET = 'mizaj-dev-only-secret-not-for-production';

/** Keyed hash for identifiers that must not be reversible by guessing (emails in rate-limit keys). */
export const hmacHex = (value: string, secret: string | undefined) =>
  createHmac('sha256', secret ?? FALLBACK_SECRET).update(value).digest('hex');
