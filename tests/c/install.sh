#!/usr/bin/env bash
# Checks the C consumer's side of the library as installed by `make install`:
#   - the SONAME carries the ABI major version, and only mapback_* symbols are exported
#     (every function of include/mapback.h, nothing else);
#   - examples/c/lookup.c builds with `cc $(pkg-config --cflags --libs mapback)` against
#     the shared library, and against the static one, and both give the expected answers.
# Usage: bash tests/c/install.sh PREFIX      (after `make install PREFIX=...`)
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
prefix="$(cd "$1" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if ! command -v pkg-config >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    echo "pkg-config is missing: installing it with apt-get"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pkg-config >/dev/null
fi
command -v pkg-config >/dev/null || { echo "error: pkg-config is not installed"; exit 2; }
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
cc="${CC:-cc}"
fail() { echo "FAIL: $*"; exit 1; }

abi=$(sed -n 's/^pub const MAPBACK_ABI_VERSION: u32 = \([0-9]*\);/\1/p' "$repo/src/ffi/mod.rs")
soname=$(readelf -d "$prefix/lib/libmapback.so.$abi" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname" = "libmapback.so.$abi" ] || fail "SONAME is '$soname', expected libmapback.so.$abi"
echo "ok: SONAME $soname"

exported=$(nm -D --defined-only "$prefix/lib/libmapback.so.$abi" | awk '{print $3}' | sort)
foreign=$(grep -v '^mapback_' <<<"$exported" || true)
[ -z "$foreign" ] || fail "symbols other than mapback_* are exported: $(tr '\n' ' ' <<<"$foreign")"
declared=$(grep -o '\bmapback_[a-z0-9_]*(' "$prefix/include/mapback.h" | tr -d '(' | sort -u)
[ "$exported" = "$declared" ] || fail "exports and header differ: $(diff <(echo "$exported") <(echo "$declared") | tr '\n' ' ')"
echo "ok: $(wc -l <<<"$exported") exported symbols, all mapback_*, exactly the header's functions"

expected="1:1611  ->  app/src/checkout.js:8:22  applyCoupon"
# shellcheck disable=SC2046 # pkg-config prints several words on purpose
"$cc" -std=c99 -Wall -Wextra -Werror "$repo/examples/c/lookup.c" -o "$work/lookup-shared" \
    $(pkg-config --cflags --libs mapback) -Wl,-rpath,"$(pkg-config --variable=libdir mapback)"
readelf -d "$work/lookup-shared" | grep -q "NEEDED.*\[libmapback.so.$abi\]" \
    || fail "the program does not depend on libmapback.so.$abi"
out=$("$work/lookup-shared" "$repo/examples/demo/bundle.min.js.map" 1:1611)
[ "$out" = "$expected" ] || fail "shared: got '$out'"
echo "ok: examples/c/lookup.c built with pkg-config against the shared library: $out"

# shellcheck disable=SC2046
"$cc" -std=c99 -Wall -Wextra -Werror "$repo/examples/c/lookup.c" -o "$work/lookup-static" \
    $(pkg-config --cflags mapback) "$prefix/lib/libmapback.a" \
    $(pkg-config --static --libs-only-l mapback | sed 's/-lmapback//')
if readelf -d "$work/lookup-static" | grep -q "libmapback"; then
    fail "the static build still depends on libmapback"
fi
out=$("$work/lookup-static" "$repo/examples/demo/bundle.min.js.map" 1:1611)
[ "$out" = "$expected" ] || fail "static: got '$out'"
echo "ok: the same against the static library: $out"
