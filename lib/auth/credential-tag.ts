/** Cache tag of one credential's identity, from its SHA-256 digest (never the credential itself). */
export const credentialTag = (digest: string) => `credential:${digest.slice(0, 32)}`;
