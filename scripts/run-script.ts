import { closeCache } from '@/lib/cache';
import { closeDb } from '@/lib/db/client';
import { ValidationError } from '@/lib/errors';

/**
 * Runs an operator command (npm run user:…, apikey:…): a failure is one line and an exit code — 2 for bad
 * input, as the usage line; 1 otherwise — never a stack trace; and the database and the cache are closed
 * whatever happened, so the process ends. `main` returns the exit code (default 0).
 */
export async function runScript(main: () => Promise<number | void>): Promise<void> {
  try {
    process.exitCode = (await main()) ?? 0;
  } catch (err) {
    if (err instanceof ValidationError) {
      console.error(err.issues.map((i) => `--${i.path} ${i.message}`).join('\n'));
      process.exitCode = 2;
    } else {
      console.error(err instanceof Error ? err.message : err);
      process.exitCode = 1;
    }
  } finally {
    await closeDb();
    await closeCache();
  }
}
