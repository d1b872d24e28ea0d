#!/usr/bin/env bash
# Installs, migrates, loads demo data (once) and serves the production build on http://localhost:${PORT:-3000}.
# With no DATABASE_URL / REDIS_URL it runs on the embedded defaults: PGlite in .data/ and an in-process cache.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
export NEXT_TELEMETRY_DISABLED=1
npm run -s db:seed -- --patients "${DEMO_PATIENTS:-2000}"
npm run build
export SESSION_SECRET="${SESSION_SECRET:-demo-only-session-secret-change-me-0123456789}"
echo "› Mizaj is starting on http://localhost:${PORT:-3000}"
exec npm start
