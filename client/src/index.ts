import createFetchClient, { type Client } from 'openapi-fetch';
import { OfflineCache } from './offline-cache.js';
import type { paths } from './schema.js';

export type { components, operations, paths } from './schema.js';
export * from './offline-cache.js';

export type MizajClientOptions = {
  /** The server, e.g. https://api.mizaj.example (its PUBLIC_URL). */
  baseUrl: string;
  /** `mz_…`, from `npm run apikey:create`. */
  apiKey: string;
  /** An OfflineCache (in-memory or SQLite); omit to always ask the network. */
  cache?: OfflineCache;
  fetch?: (req: Request) => Promise<Response>;
};

export type MizajClient = Client<paths> & {
  cache?: OfflineCache;
  /** Forgets everything personal the cache holds; call it when the user signs out. */
  signOut(): void;
};

/** A typed client (openapi-fetch over the generated `paths`) whose GETs go through the offline cache. */
export function createMizajClient(opts: MizajClientOptions): MizajClient {
  const network = opts.fetch ?? ((req: Request) => globalThis.fetch(req));
  const client = createFetchClient<paths>({
    baseUrl: opts.baseUrl.replace(/\/+$/, ''),
    headers: { Authorization: `Bearer ${opts.apiKey}` },
    fetch: opts.cache ? opts.cache.wrap(network) : network,
  });
  return Object.assign(client, { cache: opts.cache, signOut: () => opts.cache?.clearPersonal() });
}

/** A fresh Idempotency-Key for one logical write (reuse it when retrying that write). */
export const newIdempotencyKey = (): string => globalThis.crypto.randomUUID();
