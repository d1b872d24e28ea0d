// The record layout shared by the generator (open-loop.ts, which writes it) and the analysis (analyse.ts).

/**
 * Per request: scheduled time (epoch ms), latency (ms), status (0 = error/timeout), X-Cache, route, Server-Timing
 * db (ms, -1 = none), body bytes ok (1/0), the id's index in the route's list (-1 for writes and bursts), and
 * 1 when Next's route handler answered (streamed, no Content-Length; the fast path always sends one).
 */
export const RECORD = 9;
export const CACHE_CODE = { none: 0, HIT: 1, STALE: 2, MISS: 3 } as const;
/** `route` of a POST /api/feedback/submit. */
export const WRITE_ROUTE = -1;

export type Route = { name: string; template: string; ids: (number | string)[] };
export type Plan = {
  port: number;
  rate: number;
  seconds: number;
  seed: number;
  out: string;
  keys: string[];
  routes: Route[];
  /** Share of requests that are POST /api/feedback/submit. */
  writeFraction: number;
  writes?: { diagnoses: number[]; conditionOf: number[]; recsByCondition: Record<string, number[]> };
  /**
   * Instead of the mix (bench/load/burst.ts): `count` requests on this path, all due at the same instant. With
   * `openOn`, the connections are opened first, each carrying one request on that path answered before the
   * instant, so the burst measures its requests without the cost of opening connections.
   */
  burst?: { path: string; count: number; key: string; openOn?: string };
  /** Send POST /api/cache/invalidate {category} as an admin this many seconds in (the generator's clock). */
  purge?: { atSeconds: number; category: string; cookie: string };
  maxSockets?: number;
  timeoutMs?: number;
};
