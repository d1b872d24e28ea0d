import 'server-only';
import { readdirSync } from 'node:fs';
import { setPriority } from 'node:os';

const LOWEST = 19;

/**
 * Gives every thread of this process but the main one the lowest CPU priority (nice 19): V8's helper threads
 * (compiling optimized code; the collector stays on the main thread, `--single-threaded-gc`) and libuv's pool,
 * which loading Next has started by then. A worker has one core to itself: at the main thread's priority a
 * helper with work took that core from the requests for a scheduler's slice of several ms; at nice 19 it runs in
 * the time the main thread leaves idle and gives the core back as soon as the main thread has work. The price:
 * on a saturated core what runs on the pool (a login's scrypt, Next's file reads) waits for idle time too
 * (docs/architecture.md, "The process"). Linux gives each thread its own nice value (setpriority(2) on a thread
 * id); elsewhere there is no /proc/self/task and this does nothing. Returns how many threads it lowered.
 */
export function lowerHelperThreads(): number {
  let tids: number[];
  try {
    tids = readdirSync('/proc/self/task').map(Number);
  } catch {
    return 0;
  }
  let lowered = 0;
  for (const tid of tids) {
    if (tid === process.pid) continue;
    try {
      setPriority(tid, LOWEST);
      lowered++;
    } catch {
      // A thread that ended meanwhile.
    }
  }
  return lowered;
}
