import 'server-only';
import { invalidateTag } from '@/lib/cache';

/** Cache tag of one credential's identity, from its SHA-256 digest (never the credential itself). */
export const credentialTag = (digest: string) => `credential:${digest.slice(0, 32)}`;

/** Drops a credential's cached identity everywhere before returning (revocation, sign-out). */
export async function forgetCredential(digest: string): Promise<void> {
  await invalidateTag(credentialTag(digest));
}
