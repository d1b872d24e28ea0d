import { defineConfig } from 'vitest/config';
import path from 'node:path';

export default defineConfig({
  resolve: {
    alias: {
      '@': path.resolve(import.meta.dirname),
      // `server-only` throws outside a React Server Component bundle; tests run lib/ directly.
      'server-only': path.resolve(import.meta.dirname, 'lib/server-only/noop.ts'),
    },
  },
  test: {
    include: ['lib/**/*.test.ts', 'tests/**/*.test.ts', 'drizzle/**/*.test.ts'],
    // Against the production build: npm run test:fuzz (vitest.prod.config.ts).
    exclude: ['tests/prod/**', 'node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
