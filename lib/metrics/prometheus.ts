import 'server-only';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { getCache } from '@/lib/cache';
import { onRouteResponse } from '@/lib/http/route';

type CounterName = 'hitsL1' | 'hitsL2' | 'misses' | 'staleServed' | 'sets' | 'invalidations' | 'errors' | 'oversize' | 'refreshErrors' | 'timeouts';

const COUNTERS: Record<CounterName, { name: string; help: string }> = {
  hitsL1: { name: 'mizaj_cache_hits_l1_total', help: 'Cache hits served from the in-process L1' },
  hitsL2: { name: 'mizaj_cache_hits_l2_total', help: 'Cache hits served from Redis (or the memory store)' },
  misses: { name: 'mizaj_cache_misses_total', help: 'Cache misses (the function ran)' },
  staleServed: { name: 'mizaj_cache_stale_served_total', help: 'Stale values served within grace while refreshing' },
  sets: { name: 'mizaj_cache_sets_total', help: 'Entries written' },
  invalidations: { name: 'mizaj_cache_invalidations_total', help: 'Category invalidations' },
  errors: { name: 'mizaj_cache_errors_total', help: 'Cache store errors (timeouts, connection, decode)' },
  oversize: { name: 'mizaj_cache_oversize_total', help: 'Values not cached because they exceed the size limit' },
  refreshErrors: { name: 'mizaj_cache_refresh_errors_total', help: 'Background refreshes that failed (the stale value was kept; grace backoff started)' },
  timeouts: { name: 'mizaj_cache_factory_timeouts_total', help: 'Callers that stopped waiting for a computation (hardTimeout / lockTimeout)' },
};

/**
 * One registry per process. Cache counters are read from the cache's own stats at scrape time (nothing
 * is added to the hit path); factory durations and HTTP durations are observed as they happen.
 */
function build(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  for (const [field, { name, help }] of Object.entries(COUNTERS) as [CounterName, { name: string; help: string }][]) {
    new Counter({
      name,
      help,
      labelNames: ['category'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [category, s] of Object.entries(getCache().statsSnapshot().categories)) this.inc({ category }, s[field]);
      },
    });
  }

  new Gauge({
    name: 'mizaj_cache_breaker_open',
    help: '1 while the Redis circuit breaker is open or probing',
    registers: [registry],
    async collect() {
      this.set((await getCache().health()).breaker === 'closed' ? 0 : 1);
    },
  });

  const factory = new Histogram({
    name: 'mizaj_cache_factory_duration_seconds',
    help: 'Time spent computing a value on a cache miss',
    labelNames: ['category'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  getCache().on('miss', ({ category, fnMs }) => factory.observe({ category }, fnMs / 1000));

  const http = new Histogram({
    name: 'mizaj_http_request_duration_seconds',
    help: 'API request duration by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  onRouteResponse(({ method, route, status, durationMs }) => http.observe({ method, route, status: String(status) }, durationMs / 1000));

  return registry;
}

const holder = globalThis as typeof globalThis & { __mizajMetrics?: Registry };

export function getMetricsRegistry(): Registry {
  holder.__mizajMetrics ??= build();
  return holder.__mizajMetrics;
}
