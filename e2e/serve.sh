#!/usr/bin/env bash
# Starts the production build for the browser tests on a fresh database seeded with a small demo set.
set -euo pipefail
cd "$(dirname "$0")/.."
ADMIN_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
DB_NAME="${E2E_DB:-mizaj_e2e_${E2E_PORT:-3100}}"
psql "$ADMIN_URL" -q -v ON_ERROR_STOP=1 -c "drop database if exists $DB_NAME with (force)" -c "create database $DB_NAME" >/dev/null
export DATABASE_URL="${ADMIN_URL%/*}/$DB_NAME"
export REDIS_URL="${TEST_REDIS_URL:-redis://127.0.0.1:6379}"
export CACHE_PREFIX="${E2E_CACHE_PREFIX:-mizaj-e2e-${E2E_PORT:-3100}}"
# The dashboard tests need samples and key scans within seconds, not every 10 s / 60 s.
export METRICS_SAMPLE_INTERVAL_MS="${METRICS_SAMPLE_INTERVAL_MS:-1000}"
export METRICS_KEYSCAN_INTERVAL_MS="${METRICS_KEYSCAN_INTERVAL_MS:-3000}"
export SESSION_SECRET="${SESSION_SECRET:-e2e-only-session-secret-0123456789abcdef}"
# npm start is NODE_ENV=production: cached patient data is encrypted (a key is required) and the demo
# accounts cannot sign in, so the browser tests sign in as users of their own.
# Fixed so a second instance started by a test (e2e/ui/support.ts startInstance) reads the same entries.
export CACHE_ENCRYPTION_KEYS="${CACHE_ENCRYPTION_KEYS:-ZTJlLW9ubHktY2FjaGUta2V5LTAxMjM0NTY3ODlhYmM=}"
export METRICS_TOKEN="${METRICS_TOKEN:-e2e-only-metrics-token-0123456789}"
redis-cli -u "$REDIS_URL" --scan --pattern "$CACHE_PREFIX:*" | xargs -r redis-cli -u "$REDIS_URL" unlink >/dev/null
NODE_ENV=test npm run -s db:seed -- --patients 400 --seed 7
echo e2e-admin-password | npm run -s user:create -- --email admin@e2e.mizaj.local --name 'E2E Admin' --role admin >/dev/null
echo e2e-clinician-password | npm run -s user:create -- --email clinician@e2e.mizaj.local --name 'E2E Clinician' --role clinician >/dev/null
# The server's output and the personal data it was seeded with, for the log scan (tests/prod/log-scan.test.ts).
mkdir -p test-logs
LOG="test-logs/e2e-$$"
psql "$DATABASE_URL" -At -c "select name from patients union select email from users union select distinct comment from feedback where length(comment) >= 12" >"$LOG.pii.txt"
exec > >(tee -a "$LOG.log") 2>&1
# One process: the browser tests are about the product, not the worker model (tests/prod/cluster.test.ts).
WEB_CONCURRENCY=1 HOST=127.0.0.1 PORT="${E2E_PORT:-3100}" exec npm start
