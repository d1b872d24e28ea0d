import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { serverEnv } from '../ui/support';

export const ROOT = path.resolve(import.meta.dirname, '../..');
/** The environment e2e/serve.sh gives the production server (same database, Redis prefix, secrets). */
export const SERVER_ENV = serverEnv({ NODE_ENV: 'production' });

/** A new API key in the e2e database, made the way an admin makes one (`npm run apikey:create`). */
export function createApiKey(name: string, scopes: string): string {
  return execFileSync('npx', ['tsx', '--conditions=react-server', 'scripts/apikey-create.ts', '--name', name, '--scopes', scopes], {
    cwd: ROOT,
    env: SERVER_ENV,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  }).trim();
}
