#!/usr/bin/env bash
# Rebuilds examples/demo/bundle.min.js and bundle.min.js.map from app/src/.
# Usage (from anywhere): bash examples/demo/app/build.sh
set -euo pipefail

APP_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DEMO_DIR="$(dirname "$APP_DIR")"

if [ ! -d "$APP_DIR/node_modules/esbuild" ]; then
  (cd "$APP_DIR" && npm ci --no-audit --no-fund)
fi

# --sourcemap=linked writes bundle.min.js.map and a sourceMappingURL comment.
# Run from examples/demo so the map's "sources" are clean relative paths
# such as "app/src/cart.js" (relative to the map file's own directory).
cd "$DEMO_DIR"
"$APP_DIR/node_modules/.bin/esbuild" app/src/main.js \
  --bundle \
  --minify \
  --sourcemap=linked \
  --sources-content=true \
  --format=iife \
  --platform=browser \
  --target=es2019 \
  --legal-comments=none \
  --log-level=warning \
  --outfile=bundle.min.js

echo "wrote $DEMO_DIR/bundle.min.js and bundle.min.js.map"
