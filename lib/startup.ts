import 'server-only';
import { ConfigError, getConfig } from '@/lib/config';
import { getDbHandle } from '@/lib/db/client';

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
  getDbHandle().catch((err: unknown) => {
    console.error(`Database not ready at start-up: ${err instanceof Error ? err.message : String(err)}`);
  });
}
