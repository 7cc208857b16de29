#!/usr/bin/env bash
# Installs what tools/capture needs on a Debian machine (run as root, or with sudo):
# Debian's chromium, firefox-esr and libjavascriptcoregtk-4.0-bin (the JavaScriptCore shell, jsc),
# and the pinned npm dependencies (puppeteer-core; it downloads
# no browser of its own). Safe to run again.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
if ! command -v chromium >/dev/null || ! command -v firefox-esr >/dev/null || ! command -v jsc >/dev/null; then
  $SUDO apt-get update
  $SUDO apt-get install -y chromium firefox-esr libjavascriptcoregtk-4.0-bin
fi
cd "$HERE"
PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund
chromium --version 2>/dev/null || true
firefox-esr --version
dpkg-query -W libjavascriptcoregtk-4.0-bin
node --version
