import path from 'node:path';
import { defineConfig } from 'vitest/config';

/**
 * Tests against the production build (`npm run build` first): tests/prod starts .next/mizaj-server.mjs
 * itself, one file at a time (each server is a whole Next app).
 */
export default defineConfig({
  resolve: {
    alias: {
      '@': path.resolve(import.meta.dirname),
      'server-only': path.resolve(import.meta.dirname, 'lib/server-only/noop.ts'),
    },
  },
  test: {
    include: ['tests/prod/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
