import type { NextConfig } from 'next';
import createNextIntlPlugin from 'next-intl/plugin';

const withNextIntl = createNextIntlPlugin('./lib/i18n/request.ts');

const nextConfig: NextConfig = {
  // Drivers with native or wasm parts stay outside the server bundle.
  serverExternalPackages: ['@electric-sql/pglite', 'postgres', 'ioredis', 'pino'],
  poweredByHeader: false,
};

export default withNextIntl(nextConfig);
