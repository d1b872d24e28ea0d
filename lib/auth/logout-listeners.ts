import 'server-only';
import { httpLog } from '@/lib/http/log';

export type LogoutListener = (userId: number) => void | Promise<void>;

// On globalThis: Next may load this module in more than one bundle layer, and listeners must be shared.
const holder = globalThis as typeof globalThis & { __mizajLogoutListeners?: Set<LogoutListener> };
const listeners = (holder.__mizajLogoutListeners ??= new Set());

/** Registers a listener (e.g. drop the user's cached entries); returns the unsubscribe function. */
export function onLogout(listener: LogoutListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Runs every listener; one failing listener neither stops the others nor fails the logout. */
export async function emitLogout(userId: number): Promise<void> {
  const results = await Promise.allSettled([...listeners].map(async (l) => l(userId)));
  for (const r of results) {
    if (r.status === 'rejected') {
      httpLog.warn({ err: r.reason instanceof Error ? { type: r.reason.name, message: r.reason.message } : String(r.reason), userId }, 'logout listener failed');
    }
  }
}
