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
export CACHE_ENCRYPTION_KEYS="${CACHE_ENCRYPTION_KEYS:-$(node -e "console.log(require('crypto').randomBytes(32).toString('base64'))")}"
# npm start runs NODE_ENV=production, where the published demo accounts cannot sign in: make two users with
# a password of this machine's own (kept in .data/demo-password), once.
mkdir -p .data
[ -s .data/demo-password ] || node -e "console.log(require('crypto').randomBytes(12).toString('base64url'))" > .data/demo-password
for role in admin clinician; do
  npm run -s user:create -- --email "$role@demo.local" --name "Demo $role" --role "$role" < .data/demo-password >/dev/null 2>&1 || true
done
echo "› Sign in as admin@demo.local or clinician@demo.local, password: $(cat .data/demo-password)"
echo "› Mizaj is starting on http://localhost:${PORT:-3000}"
exec npm start
