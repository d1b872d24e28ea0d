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

/**
 * An invalidation's message split around its outbox row's id, which the database fills in while it inserts
 * the row (lib/write-door/outbox.ts): `before + id + after` is the message with that ref, its size checked
 * against NOTIFY's limit as if the id had 20 digits (more than any bigint).
 */
export function encodeInvalidation(m: Omit<Extract<CoherenceMessage, { t: 'inv' }>, 'ref'>): [before: string, after: string] {
  const text = encodeMessage({ ...m, ref: ID_SLOT });
  // `ref` comes right after `p` and `from`, whose quotes JSON escapes: the first match is the ref itself.
  const at = text.indexOf(`"ref":"${ID_SLOT}"`) + '"ref":"'.length;
  return [text.slice(0, at), text.slice(at + ID_SLOT.length)];
}

const ID_SLOT = '0'.repeat(20);

export function decodeMessage(text: string): CoherenceMessage | undefined {
  try {
    const m = JSON.parse(text) as CoherenceMessage;
    if (typeof m !== 'object' || m === null || typeof m.p !== 'string' || typeof m.from !== 'string') return undefined;
    return m;
  } catch {
    return undefined;
  }
}
