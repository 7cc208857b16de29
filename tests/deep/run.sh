#!/usr/bin/env bash
# `make check-deep`: the checks too slow for `make test`, on the nightly toolchain.
#
#   miri  Miri (undefined behaviour, out-of-bounds and misaligned reads) on VLQ decoding,
#         the cache reader on byte slices at every alignment and damaged, and the C ABI:
#         NULL arguments, error structs, the panic landing pad (panic-injection).
#   asan  AddressSanitizer + LeakSanitizer: the whole Rust suite (unit and integration
#         tests, the C ABI tests among them), then the C programs of tests/c against an
#         instrumented libmapback.so.
#   tsan  ThreadSanitizer (std rebuilt instrumented, -Zbuild-std): eight threads share
#         one map handle through the C ABI, racing to build its lazy parts.
#   fuzz  every cargo-fuzz target for FUZZ_SECONDS (default 60) each (fuzz/run.sh).
#
# DEEP_STEPS picks steps (default: "miri asan tsan fuzz"). Prints a summary table; exits
# non-zero if any step failed. Installs the nightly toolchain and its miri and rust-src
# components when they are missing.
set -uo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"
read -r -a steps <<<"${DEEP_STEPS:-miri asan tsan fuzz}"
host="$(rustc -vV | sed -n 's/^host: //p')"
logs="$repo/target/deep"
mkdir -p "$logs"

nightly() { # nightly [COMPONENT...]: the nightly toolchain with these components
    rustup toolchain list | grep -q '^nightly' \
        || rustup toolchain install nightly --profile minimal >/dev/null
    [ $# -eq 0 ] || rustup component add --toolchain nightly "$@" >/dev/null 2>&1
}

step_miri() {
    nightly miri rust-src
    export CARGO_TARGET_DIR="$repo/target/miri" MIRIFLAGS="-Zmiri-disable-isolation"
    export RUST_BACKTRACE=0 # a caught panic's backtrace is slow to collect under Miri
    cargo +nightly miri test --lib -- vlq cache:: \
    && cargo +nightly miri test --test cache -- slices \
    && cargo +nightly miri test --test ffi -- null_ free_and_clear error_struct_is_reset unknown_bias \
    || return 1
    # Under injection mapback_error_clear and the _free functions panic too, and a panic
    # in a release leaks by design (it never crashes): leaks are not errors here. Every
    # other Miri run above, LeakSanitizer and valgrind do check for leaks.
    MIRIFLAGS="$MIRIFLAGS -Zmiri-ignore-leaks" \
        cargo +nightly miri test --features panic-injection --test ffi -- injected
}

step_asan() {
    nightly
    export CARGO_TARGET_DIR="$repo/target/asan" RUSTFLAGS="-Zsanitizer=address"
    export RUST_BACKTRACE=0
    cargo +nightly test --target "$host" --lib --tests || return 1
    cargo +nightly build --target "$host" --lib || return 1
    local lib="$CARGO_TARGET_DIR/$host/debug/libmapback.so"
    # The C programs are only checked if the library really is instrumented.
    nm -D --undefined-only "$lib" | grep -q __asan_report_load \
        || { echo "$lib is not instrumented by AddressSanitizer"; return 1; }
    SANITIZER=address bash tests/c/run.sh "$(dirname "$lib")"
}

step_tsan() {
    nightly rust-src
    export CARGO_TARGET_DIR="$repo/target/tsan" RUSTFLAGS="-Zsanitizer=thread"
    cargo +nightly test -Zbuild-std --target "$host" --test ffi -- eight_threads
}

step_fuzz() {
    FUZZ_SECONDS="${FUZZ_SECONDS:-60}" bash fuzz/run.sh
}

summary=()
failed=0
for step in "${steps[@]}"; do
    echo "=== check-deep: $step (log: target/deep/$step.log)"
    start=$(date +%s)
    ( "step_$step" ) >"$logs/$step.log" 2>&1
    status=$?
    seconds=$(($(date +%s) - start))
    if [ $status -eq 0 ]; then
        result="ok"
    else
        result="FAILED (status $status)"
        failed=$((failed + 1))
        tail -n 40 "$logs/$step.log"
    fi
    tests=$(grep -hE '^test result:|passed, [0-9]+ failed$' "$logs/$step.log" \
        | sed -nE 's/^test result: [a-zA-Z]+\. ([0-9]+) passed.*/\1/p; s/^([0-9]+) passed, [0-9]+ failed$/\1/p' \
        | awk '{ total += $1 } END { if (NR) print total }')
    summary+=("$(printf '%-6s %7ss  %6s tests  %s' "$step" "$seconds" "${tests:-?}" "$result")")
    [ "$step" = fuzz ] && summary+=("$(sed -n '/^target /,$p' "$logs/fuzz.log")")
done
echo
printf '%s\n' "${summary[@]}"
exit $([ $failed -eq 0 ] && echo 0 || echo 1)
