/** Messages between the harness and the load generator process (tests/chaos/load/generator.ts). */

export type LoadRequest = {
  method: 'GET' | 'POST' | 'PUT';
  url: string;
  headers?: Record<string, string>;
  body?: string;
  /** The scenario's label for the request, e.g. `read:summary:7@B` or `write:9@A`. */
  tag?: string;
  /** Top-level JSON fields of the answer to send back (bodies are not sent back whole). */
  capture?: string[];
  /** Send back a SHA-1 of the body (stampede: all answers identical). */
  hashBody?: boolean;
  /** Sent the moment this one answers (a read on B once A acknowledged, or a retry). */
  then?: LoadRequest;
};

/** A request due `at` ms after the run starts; its latency counts from then, not from when it was sent. */
export type ScheduledRequest = LoadRequest & { at: number };

export type LoadResult = {
  /** Index in the run's request list; a follow-up carries its parent's index in `parent`. */
  i: number;
  parent?: number;
  tag?: string;
  method: string;
  url: string;
  /** Epoch ms (sub-ms precision): when it was due, when it was sent, when the answer (or error) ended. */
  scheduled: number;
  sent: number;
  end: number;
  status?: number;
  /** Connection-level failure (ECONNREFUSED, ECONNRESET, timeout …) when no answer came. */
  error?: string;
  /** Sent on a kept-alive connection (a reset there may be the server closing an idle socket). */
  reused?: boolean;
  headers: Record<string, string>;
  fields?: Record<string, unknown>;
  bodyHash?: string;
};

export type ToGenerator = { type: 'run'; id: number; requests: ScheduledRequest[] };

export type FromGenerator = { type: 'started'; id: number; t0: number } | { type: 'done'; id: number; results: LoadResult[] };

export const CAPTURED_HEADERS = ['x-cache', 'retry-after', 'idempotent-replayed', 'content-type', 'connection'] as const;
