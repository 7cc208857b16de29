#!/usr/bin/env bash
# `make events-fixtures`: regenerates tests/data/events/ from scratch. Installs what it needs:
# Debian's chromium (apt-get, as root, only when missing) and the pinned npm tools (npm ci).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
if ! command -v chromium >/dev/null; then
  $SUDO apt-get update
  $SUDO apt-get install -y chromium
fi
cd "$HERE"
# puppeteer-core downloads no browser; @sentry/cli's binary comes from its platform package
# (an optional dependency), so no install script has to run.
PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund
node generate.mjs
