import { EventEmitter } from 'node:events';
import type { BreakerState } from './breaker';
import type { CacheLayer } from './types';

/** Events a metrics exporter (prom-client) or the dashboard can subscribe to with `cache.on(...)`. */
export interface CacheEventMap {
  hit: { category: string; key: string; layer: Exclude<CacheLayer, 'fn'> };
  stale: { category: string; key: string; layer: Exclude<CacheLayer, 'fn'> };
  miss: { category: string; key: string; fnMs: number };
  set: { category: string; key: string; bytes: number };
  oversize: { category: string; key: string; bytes: number; limit: number };
  error: { category: string | undefined; op: string; message: string };
  /** refs: outbox references the store now has (settled), or, for 'remote', the one deferred. */
  invalidate: { tags: readonly string[]; categories: readonly string[]; source: 'local' | 'bus' | 'replay' | 'remote'; refs?: readonly string[] };
  breaker: { from: BreakerState; to: BreakerState; reason: string | undefined };
  bus: { state: 'connected' | 'disconnected' | 'reconnected' };
}

export type CacheEventName = keyof CacheEventMap;

export class CacheEvents {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(100);
  }

  on<E extends CacheEventName>(event: E, listener: (payload: CacheEventMap[E]) => void): () => void {
    this.emitter.on(event, listener);
    return () => this.emitter.off(event, listener);
  }

  emit<E extends CacheEventName>(event: E, payload: CacheEventMap[E]): void {
    if (this.emitter.listenerCount(event) > 0) this.emitter.emit(event, payload);
  }
}
