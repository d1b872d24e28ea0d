// Stands in for `server-only` where no React Server Component bundler runs: vitest and the bundled
// production server (scripts/build-server.mjs). Next's own bundles resolve the real package.
export {};
