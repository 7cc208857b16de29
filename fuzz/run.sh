#!/usr/bin/env bash
# `make fuzz`: seeds a corpus per target (tc39 maps, the demo, the test traces, caches
# written from the tc39 maps), then runs every cargo-fuzz target for FUZZ_SECONDS
# (default 60) each with a 2 GiB RSS limit, and prints a table: target, seconds, runs,
# corpus size, result. Crashes are kept in fuzz/artifacts/<target>/. Exit 1 on any.
# Needs the nightly toolchain and cargo-fuzz (installed here when missing).
set -uo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo/fuzz"
seconds="${FUZZ_SECONDS:-60}"
targets=(${FUZZ_TARGETS:-decode_map decode_mappings decode_index_map cache_bytes cache_round_trip encode_round_trip stack_trace discovery c_api event_json artifact_bundle})
tc39="$repo/../shared/conformance/tc39-source-map-tests/resources"
corpus_root="$repo/target/fuzz-corpus"
python="${PYTHON:-$repo/.venv/bin/python}"

command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked

field_of_each_map() { # field_of_each_map KEY DIR: each tc39 map's KEY value, one file each
    "$python" - "$tc39" "$1" "$2" <<'PY'
import glob, json, os, sys
for i, path in enumerate(sorted(glob.glob(os.path.join(sys.argv[1], "*.map")))):
    try:
        value = json.load(open(path)).get(sys.argv[2])
    except ValueError:
        continue
    if value is not None:
        text = value if isinstance(value, str) else json.dumps(value)
        open(os.path.join(sys.argv[3], "%s%03d" % (sys.argv[2][0], i)), "w").write(text)
PY
}

seed() { # seed TARGET: fill the target's corpus directory once
    local dir="$corpus_root/$1"
    [ -d "$dir" ] && return
    mkdir -p "$dir"
    case "$1" in
        decode_map|cache_round_trip|encode_round_trip|c_api)
            cp "$tc39"/*.map "$dir"/ 2>/dev/null
            cp "$repo/examples/demo/bundle.min.js.map" "$dir"/ ;;
        decode_mappings) field_of_each_map mappings "$dir" ;;
        decode_index_map) field_of_each_map sections "$dir" ;;
        cache_bytes)
            PYTHONPATH="$repo/python" "$python" -m mapback cache build --quiet -o "$dir" \
                "$tc39"/basic-mapping.js.map "$tc39"/ignore-list-valid-1.js.map \
                "$repo/examples/demo/bundle.min.js.map" >/dev/null 2>&1 || true ;;
        stack_trace)
            cp "$repo"/tests/data/traces/* "$dir"/ 2>/dev/null
            cp "$repo/examples/demo/trace-node.txt" "$dir"/ ;;
        discovery)
            cp "$tc39"/*.js "$dir"/ 2>/dev/null
            cp "$repo/examples/demo/bundle.min.js" "$dir"/ 2>/dev/null ;;
        event_json) # the real SDKs' events, raw and symbolicated
            for event in "$repo"/tests/data/events/events/*/*.json "$repo"/tests/data/events/reference-events/*/*.json; do
                cp "$event" "$dir/$(basename "$(dirname "$event")")-$(basename "$event")"
            done ;;
        artifact_bundle) # the real-client bundle, and zips of single fixture files
            cp "$repo/tests/data/events/artifact-bundle.zip" "$dir"/
            "$python" - "$repo/tests/data/events" "$dir" <<'PY'
import glob, io, json, os, sys, zipfile
events, out = sys.argv[1], sys.argv[2]
for i, path in enumerate(sorted(glob.glob(os.path.join(events, "bundles", "*", "*", "*")))):
    name = os.path.basename(path)
    kind = "source_map" if name.endswith(".map") else "minified_source"
    manifest = {"files": {"files/_/_/" + name: {"type": kind, "url": "~/" + name}}}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest))
        archive.write(path, "files/_/_/" + name)
    open(os.path.join(out, "single%02d.zip" % i), "wb").write(buffer.getvalue())
PY
            ;;
    esac
}

printf "%-18s %8s %12s %8s  %s\n" target seconds runs corpus result
failed=0
for target in "${targets[@]}"; do
    seed "$target"
    log="$repo/target/fuzz-$target.log"
    cargo +nightly fuzz run "$target" "$corpus_root/$target" -- \
        -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=1048576 -print_final_stats=1 \
        >"$log" 2>&1
    status=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    size=$(ls "$corpus_root/$target" | wc -l)
    if [ $status -eq 0 ]; then
        result="ok, 0 crashes"
    else
        result="FAILED (status $status): $(grep -m1 -E 'panicked|ERROR: libFuzzer|SUMMARY' "$log")"
        failed=$((failed + 1))
    fi
    printf "%-18s %8s %12s %8s  %s\n" "$target" "$seconds" "${runs:-?}" "$size" "$result"
done
exit $([ $failed -eq 0 ] && echo 0 || echo 1)
