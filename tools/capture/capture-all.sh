#!/usr/bin/env bash
# Regenerates tests/data/traces/ from scratch: captures every fixture in every runtime, then splits
# the stacks into .txt files and writes manifest.json. Run from anywhere:
#   bash tools/capture/capture-all.sh
# Needs: node >= 18, `npm ci` done in tools/capture, Debian's chromium and firefox-esr, and
# Debian's libjavascriptcoregtk-4.0-bin (/usr/bin/jsc). tools/capture/setup.sh installs them all.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
OUT="$ROOT/tests/data/traces"
CAPTURE=(node "$HERE/capture.mjs")
ASYNC_PREF=javascript.options.asyncstack_capture_debuggee_only=false

if [ ! -d "$HERE/node_modules/puppeteer-core" ]; then
  (cd "$HERE" && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund)
fi

mkdir -p "$OUT/chromium" "$OUT/firefox" "$OUT/node" "$OUT/jsc"
rm -f "$OUT"/{chromium,firefox,node,jsc}/*.json "$OUT"/{chromium,firefox,node,jsc}/*.txt

# name|script (relative to the repository root)
FIXTURES=(
  "kitchen-sink|tools/capture/fixtures/kitchen-sink.js"
  "demo-bundle|examples/demo/bundle.min.js"
)

cd "$ROOT"
for fixture in "${FIXTURES[@]}"; do
  name="${fixture%%|*}"
  script="${fixture#*|}"
  for runtime in chromium firefox node jsc; do
    echo "capturing $name in $runtime" >&2
    "${CAPTURE[@]}" --runtime "$runtime" --script "$script" --out "$OUT/$runtime/$name.json"
  done
  # Firefox keeps async frames ("async*", "promise callback*", "setTimeout handler*") only for
  # debuggees (pages with devtools open) unless this pref is off: capture that variant too.
  echo "capturing $name in firefox with async stacks" >&2
  "${CAPTURE[@]}" --runtime firefox --script "$script" --pref "$ASYNC_PREF" \
    --out "$OUT/firefox/$name-asyncstack.json"
done

node "$HERE/make-traces.mjs" "$OUT"
