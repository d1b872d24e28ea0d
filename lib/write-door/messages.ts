/** The PostgreSQL NOTIFY channel every instance listens on (one per database; messages name their cache prefix). */
export const COHERENCE_CHANNEL = 'mizaj_cache';

/** NOTIFY payloads are limited to 8000 bytes; bigger invalidations are announced by id and read from the table. */
const MAX_PAYLOAD = 7_000;

export type CoherenceMessage =
  /**
   * Presence: every instance sends one per heartbeat interval; hearing its own keeps an instance's L1 lease.
   * `lease`: whether the sender serves L1 now; `epoch`: how many times its listener (re)connected; `store`:
   * whether it reaches the cache store (so it can apply rows another instance could not).
   */
  | { t: 'hb'; p: string; from: string; lease?: boolean; epoch?: number; store?: boolean }
  /** A write committed with this outbox row (sent inside the transaction, delivered on commit). */
  | { t: 'inv'; p: string; from: string; ref: string; tags?: string[]; categories?: string[] }
  /** `from` dropped the row's entries from its L1 and will not read Redis before the row is applied. */
  | { t: 'ack'; p: string; from: string; ref: string }
  /** The writer could not apply these rows to Redis: whoever can, please do. */
  | { t: 'help'; p: string; from: string; refs: string[] }
  /** These rows are in Redis now. */
  | { t: 'applied'; p: string; from: string; refs: string[] };

export function encodeMessage(m: CoherenceMessage): string {
  const text = JSON.stringify(m);
  if (text.length <= MAX_PAYLOAD || m.t !== 'inv') return text;
  return JSON.stringify({ t: m.t, p: m.p, from: m.from, ref: m.ref } satisfies CoherenceMessage);
}

export function decodeMessage(text: string): CoherenceMessage | undefined {
  try {
    const m = JSON.parse(text) as CoherenceMessage;
    if (typeof m !== 'object' || m === null || typeof m.p !== 'string' || typeof m.from !== 'string') return undefined;
    return m;
  } catch {
    return undefined;
  }
}
