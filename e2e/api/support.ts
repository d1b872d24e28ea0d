import { execFileSync } from 'node:child_process';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');
const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** The environment e2e/serve.sh gives the production server (same database, Redis prefix and secret). */
export const SERVER_ENV = {
  ...process.env,
  NODE_ENV: 'production' as const,
  DATABASE_URL: `${ADMIN_URL.replace(/\/[^/]*$/, '')}/${process.env.E2E_DB ?? 'mizaj_e2e'}`,
  REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
  CACHE_PREFIX: process.env.E2E_CACHE_PREFIX ?? 'mizaj-e2e',
  SESSION_SECRET: process.env.SESSION_SECRET ?? 'e2e-only-session-secret-0123456789abcdef',
};

/** A new API key in the e2e database, made the way an admin makes one (`npm run apikey:create`). */
export function createApiKey(name: string, scopes: string): string {
  return execFileSync('npx', ['tsx', '--conditions=react-server', 'scripts/apikey-create.ts', '--name', name, '--scopes', scopes], {
    cwd: ROOT,
    env: SERVER_ENV,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  }).trim();
}
