import 'server-only';
import { startMetricsSampler } from '@/lib/admin/sampler';
import { warmOnStartup } from '@/lib/cache';
import { ConfigError, getConfig } from '@/lib/config';
import { getDbHandle } from '@/lib/db/client';
import { getMetricsRegistry } from '@/lib/metrics/prometheus';
import { registerWarmers } from '@/lib/cached-reads/warmers';
import { startCoherence } from '@/lib/write-door/coherence-process';

/**
 * Runs once per server process (from instrumentation.ts): validate the environment, then migrate the
 * database in the background so a slow or absent database never delays the server answering /api/health.
 */
export function startServer(): void {
  try {
    getConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  getMetricsRegistry();
  registerWarmers();
  startMetricsSampler();
  getDbHandle()
    .then(async (handle) => {
      // Before warming: other instances' writes must reach this one's L1 from the start.
      await startCoherence(handle);
      warmOnStartup();
    })
    .catch((err: unknown) => {
      console.error(`Database not ready at start-up: ${err instanceof Error ? err.message : String(err)}`);
    });
}
