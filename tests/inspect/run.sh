#!/usr/bin/env bash
# `make test-inspect`: the inspector's pages in a real browser. Installs what it needs:
# Debian's chromium (apt-get, as root, only when missing) and the pinned puppeteer-core
# (npm ci; it downloads no browser). Writes the pages of the demo map, of a derivative of
# it with problems, of a real Rollup bundle (tests/data/events) and of a real npm map
# (pdf.js, fetched by benches/fetch.sh) into target/inspect/, then drives them
# (browser.mjs). Screenshots land in target/inspect/artifacts/; INSPECT_UPDATE_DOCS=1
# copies the demo's panes into docs/img/ (the treemap there is mermaid's, from
# benches/inspect_page.py).
#
# usage: run.sh PYTHON (the interpreter that imports mapback, with PYTHONPATH set)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
PY="$1"
OUT="$ROOT/target/inspect"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
if ! command -v chromium >/dev/null; then
  $SUDO apt-get update
  $SUDO apt-get install -y chromium
fi
if [ ! -f "$HERE/node_modules/.installed" ] || [ "$HERE/package-lock.json" -nt "$HERE/node_modules/.installed" ]; then
  (cd "$HERE" && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --silent --no-audit --no-fund)
  touch "$HERE/node_modules/.installed"
fi
bash "$ROOT/benches/fetch.sh" >/dev/null
mkdir -p "$OUT/artifacts"
inspect() { "$PY" -m mapback inspect "$@" 2>/dev/null; }
inspect "$ROOT/examples/demo/bundle.min.js.map" -o "$OUT/demo.html"
"$PY" "$HERE/broken_map.py" "$ROOT/examples/demo/bundle.min.js.map" "$OUT/broken.js.map"
inspect "$OUT/broken.js.map" --script "$ROOT/examples/demo/bundle.min.js" -o "$OUT/broken.html"
inspect "$ROOT/tests/data/events/bundles/browser/assets/vendor.js.map" -o "$OUT/vendor.html"
inspect "$ROOT/benches/data/pdfjs-6.5.438.pdf.mjs.map" -o "$OUT/pdfjs.html"
node "$HERE/browser.mjs" "$OUT" "$OUT/artifacts"
if [ "${INSPECT_UPDATE_DOCS:-}" = 1 ]; then
  mkdir -p "$ROOT/docs/img"
  cp "$OUT/artifacts/demo-panes.png" "$ROOT/docs/img/inspect-panes.png"
fi
