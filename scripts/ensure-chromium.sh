#!/usr/bin/env bash
# Playwright drives Debian's Chromium: its own browser download cannot work on this network.
set -euo pipefail
CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$CHROMIUM_PATH" ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "› installing Debian's chromium for the browser tests"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
else
  echo "Chromium is missing at $CHROMIUM_PATH: install it (sudo apt-get install -y chromium) or set CHROMIUM_PATH." >&2
  exit 1
fi
