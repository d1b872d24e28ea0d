import { defineConfig } from 'vitest/config';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');

// npm run test:chaos: the fault scenarios, one file at a time (each starts its own Redis, PostgreSQL and two
// app instances; two cores cannot run two of them side by side and keep the latency figures honest).
export default defineConfig({
  root,
  resolve: {
    alias: {
      '@': root,
      'server-only': path.join(root, 'lib/server-only/noop.ts'),
    },
  },
  test: {
    include: ['tests/chaos/**/*.chaos.ts'],
    globalSetup: ['tests/chaos/support/global-setup.ts'],
    fileParallelism: false,
    pool: 'forks',
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});
