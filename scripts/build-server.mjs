// Bundles server.ts (the fast path in front of Next) into .next/mizaj-server.mjs. Packages stay external
// (resolved from node_modules at run time); `server-only` becomes a no-op as in Next's server bundles.
import { build } from 'esbuild';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
await build({
  entryPoints: [path.join(root, 'server.ts')],
  outfile: path.join(root, '.next/mizaj-server.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  alias: { 'server-only': path.join(root, 'lib/server-only/noop.ts') },
  tsconfig: path.join(root, 'tsconfig.json'),
  sourcemap: true,
  logLevel: 'warning',
});
