#!/usr/bin/env bash
# `make hermes-fixtures`: regenerates tests/data/hermes/ from scratch with the pinned npm tools
# (Metro, metro-source-map, metro-symbolicate, and Hermes's compiler and VM from hermes-engine-cli).
# The app is built in a fixed staging folder so that the absolute source paths Metro writes into
# its maps are the same on every machine.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
STAGE=/tmp/mapback-hermes
rm -rf "$STAGE"
mkdir -p "$STAGE"
cp -R "$HERE/app" "$HERE/package.json" "$HERE/package-lock.json" "$HERE/generate.mjs" \
  "$HERE/fixtures-README.md" "$STAGE/"
cd "$STAGE"
npm ci --no-audit --no-fund
node generate.mjs "$HERE/../../tests/data/hermes"
