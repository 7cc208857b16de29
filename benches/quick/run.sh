#!/usr/bin/env bash
# Fetches the pinned maps if needed, builds the quick benchmark in release mode (fat LTO)
# and runs it on them. Extra arguments go to the binary (e.g. --parse-rounds 31).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
maps=(
    "$here/data/babel-8.0.5.js.map"
    "$here/data/babel-8.0.5.min.js.map"
    "$here/data/jquery-4.0.0.min.map"
)
for m in "${maps[@]}"; do
    if [[ ! -f "$m" ]]; then
        "$here/fetch.sh"
        break
    fi
done

cargo build --release --manifest-path "$here/Cargo.toml"
echo "rustc: $(rustc --version)"
echo "sourcemap: $(grep -A1 '^name = "sourcemap"' "$here/Cargo.lock" | sed -n 's/^version = "\(.*\)"/\1/p')"
echo "mapback: $(cd "$here/../.." && git rev-parse --short HEAD 2>/dev/null || echo unknown)$(cd "$here/../.." && git diff --quiet HEAD -- src 2>/dev/null || echo ' (+ uncommitted changes in src/)')"
echo
"$here/target/release/mapback-quick-bench" "$@" "${maps[@]}"
