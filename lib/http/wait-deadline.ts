import 'server-only';
import type { IncomingMessage } from 'node:http';

/**
 * When the fast path hands a cached GET to Next after waiting for its computation, the route handler must answer
 * within what is left of the resource's hard timeout (joining the same computation, or answering 503), not start
 * its clock again: the client waits at most the hard timeout whichever path answers. server.ts sets this header
 * on such a hand-over and drops any value a client sent (prepareIncoming).
 */
export const WAIT_DEADLINE_HEADER = 'x-mizaj-wait-deadline';

/** Marks a request handed to Next: its cache wait ends at `epochMs`. */
export function setWaitDeadline(req: IncomingMessage, epochMs: number): void {
  req.headers[WAIT_DEADLINE_HEADER] = String(Math.round(epochMs));
}

/** Milliseconds left to wait (at least 1), or undefined when the request carries no deadline. */
export function waitLeftMs(headers: Headers): number | undefined {
  const value = headers.get(WAIT_DEADLINE_HEADER);
  if (value === null || !/^\d+$/.test(value)) return undefined;
  return Math.max(1, Number(value) - Date.now());
}
