#!/usr/bin/env bash
# The whole test suite: lint, types, unit + integration (real PostgreSQL and Redis), production build, browser,
# then the fuzz and fault suites over that build.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
export NEXT_TELEMETRY_DISABLED=1
bash scripts/ensure-chromium.sh
bash scripts/ensure-services.sh

# Server logs of this run only: the log scan (npm run test:fuzz) reads every file there.
rm -rf test-logs

step() { printf '\n=== %s ===\n' "$1"; }
step "lint";        npx eslint . --max-warnings=0
step "client";      npx tsc -p client/tsconfig.json   # the typed client package (e2e/client imports its build)
step "typecheck";   npx tsc --noEmit
step "vitest";      npx vitest run
step "build";       npm run build
step "playwright";  npx playwright test
step "fuzz";        npm run -s test:fuzz    # hostile input against the build, then the scan of every server's log
step "chaos";       npm run -s test:chaos   # faults by pid under load: docs/reliability.md
