import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  // Native/embedded drivers must stay outside the server bundle.
  serverExternalPackages: ['@electric-sql/pglite', 'postgres', 'ioredis'],
  poweredByHeader: false,
};

export default nextConfig;
