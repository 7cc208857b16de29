#!/usr/bin/env bash
# Downloads pinned npm tarballs (via `npm pack`, i.e. the registry's own tarball bytes),
# checks their sha256, and extracts the real-world source maps (and the generated files
# they describe: symbolic's SourceMapCache is built from minified source + map) into
# benches/data/ (git-ignored), for `make bench` (benches/run.py) and `make test-real-maps`.
# Idempotent: a tarball already there is only re-checked, and a file is only extracted
# again when its tarball is newer.
#
# Pins (all checked on the npm registry when this was written):
#   jquery@4.0.0             `latest`; dist/jquery.min.map (164 KB): small map.
#   @babel/standalone@8.0.5  8.0.6 is `latest` but ships no .map files; 8.0.5 is the newest
#                            that does. babel.min.js.map (6.5 MB, few very long lines) and
#                            babel.js.map (18.4 MB, unminified build, many lines).
#   pdfjs-dist@6.5.438       `latest`; build/pdf.mjs.map (2.2 MB) and
#                            build/pdf.worker.mjs.map (5.3 MB).
#   mermaid@12.3.0           `latest`; dist/mermaid.min.js.map (19.7 MB).
#   maplibre-gl@6.17.0       `latest`; ships no dist/maplibre-gl.js.map, only the ESM build:
#                            dist/maplibre-gl.mjs.map (5.6 MB).
#
# Output naming: data/<id> is the generated file, data/<id>.map its source map.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
data="$here/data"
mkdir -p "$data"
maps=()  # the maps this script extracted (data/ also holds run.py's derived inputs)

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
        [[ "$out" == *.map ]] && maps+=("$data/$out")
        if [[ -f "$data/$out" && "$data/$out" -nt "$data/$tarball" ]]; then
            continue
        fi
        tar -xzf "$data/$tarball" -O "$member" >"$data/$out.tmp"
        mv "$data/$out.tmp" "$data/$out"
    done
}

fetch "jquery@4.0.0" "jquery-4.0.0.tgz" \
    "7ac123e4992439dc6a966cb4444fceb7f4698db94904a1256df542d5deb80f59" \
    "package/dist/jquery.min.js:jquery-4.0.0.min.js" \
    "package/dist/jquery.min.map:jquery-4.0.0.min.js.map"

fetch "@babel/standalone@8.0.5" "babel-standalone-8.0.5.tgz" \
    "2fc35d6098a644d6344f354b4d187cb42261eced5597f4491fb4746a1c355e0f" \
    "package/babel.min.js:babel-8.0.5.min.js" \
    "package/babel.min.js.map:babel-8.0.5.min.js.map" \
    "package/babel.js:babel-8.0.5.js" \
    "package/babel.js.map:babel-8.0.5.js.map"

fetch "pdfjs-dist@6.5.438" "pdfjs-dist-6.5.438.tgz" \
    "7461aefcd27c4ef0dd76f9ca5760f09466eb6b3f934432670c12132e7b3d6faa" \
    "package/build/pdf.mjs:pdfjs-6.5.438.pdf.mjs" \
    "package/build/pdf.mjs.map:pdfjs-6.5.438.pdf.mjs.map" \
    "package/build/pdf.worker.mjs:pdfjs-6.5.438.pdf.worker.mjs" \
    "package/build/pdf.worker.mjs.map:pdfjs-6.5.438.pdf.worker.mjs.map"

fetch "mermaid@12.3.0" "mermaid-12.3.0.tgz" \
    "be0684e8d20bfc874df12c0f04927a5c482f57f2200eec54cca52a4583fd4040" \
    "package/dist/mermaid.min.js:mermaid-12.3.0.min.js" \
    "package/dist/mermaid.min.js.map:mermaid-12.3.0.min.js.map"

fetch "maplibre-gl@6.17.0" "maplibre-gl-6.17.0.tgz" \
    "587807d8d6c99349022e027fa310c16cfaa55392131f6263df080306db6809b0" \
    "package/dist/maplibre-gl.mjs:maplibre-gl-6.17.0.mjs" \
    "package/dist/maplibre-gl.mjs.map:maplibre-gl-6.17.0.mjs.map"

ls -l "${maps[@]}"
